"""Shared paths and fixtures.

Photos come from ../shared/data/fedb beside the project checkout. They are
third-party files that are never copied into the project, so tests that need
them skip, with the reason, where that folder is absent.
"""

from __future__ import annotations

import csv
import json
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
