"""Helpers the tests share: paths, the labelled photos and their recorded
landmarks, and running the `posecheck` command as a user does.

Photos come from ../shared/data/fedb beside the project checkout. They are
third-party files that are never copied into the project, so tests that need
them skip, with the reason, where that folder is absent.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from posecheck.body.landmarks import Pose

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fedb"
FIXTURES = Path(__file__).with_name("fixtures")

needs_data = pytest.mark.skipif(
    not (DATA / "labels.csv").is_file(),
    reason=f"real photos not found at {DATA} (../shared/data/fedb beside the checkout)",
)


@cache
def labels() -> dict[str, dict[str, str]]:
    """labels.csv rows keyed by file; empty when the data folder is absent."""
    path = DATA / "labels.csv"
    if not path.is_file():
        return {}
    with path.open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


@cache
def recorded() -> dict[str, dict[str, object]]:
    """Landmarks our estimator recorded from each labelled photo (tests/fixtures)."""
    data: dict[str, dict[str, object]] = json.loads((FIXTURES / "fedb_poses.json").read_text())
    return data


def recorded_pose(name: str) -> Pose:
    pose = recorded()[name]["pose"]
    assert isinstance(pose, dict), f"{name}: no person was recorded"
    return Pose.from_dict(pose)


SAMPLE_PHOTO = ROOT / "samples" / "sports2d_two_people.jpg"
SAMPLE_RECORDING = ROOT / "samples" / "bridge_from_stills.jsonl"
# The console script's code, run in a fresh interpreter as the installed command would.
CLI_CODE = "from posecheck.cli import main; main()"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `posecheck` command in a fresh interpreter, in this folder."""
    return subprocess.run(
        [sys.executable, "-c", CLI_CODE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def run_in(cwd: Path, *args: str, display: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the `posecheck` command in ``cwd``; without a display unless asked for."""
    env = dict(os.environ)
    if not display:
        env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-c", CLI_CODE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a failing command wrote to stderr (asserting there is exactly one)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {result.stderr!r}"
    assert "Traceback" not in result.stderr
    return lines[0]


CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Debian's chromium headless, offline, with a fresh profile in ``tmp_path``."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
