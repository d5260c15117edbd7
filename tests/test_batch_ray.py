"""`posecheck batch --engine ray` on a local Ray with 2 CPUs (`ray.init(num_cpus=2)`,
which is what the command starts without --address). Skipped where Ray, the
optional extra `cluster`, is not installed; CI installs it and runs this file."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests import batch_inputs
from tests.helpers import run

pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[cluster]'")


def test_the_ray_engine_scores_a_folder_and_resumes(tmp_path):
    folder = tmp_path / "in"
    clips = batch_inputs.clips(folder / "videos", 2, length_s=1.5)
    batch_inputs.recording_copy(folder / "bridge.jsonl")
    batch_inputs.corrupt(folder / "broken.mp4")
    shutil.copyfile(clips[1], folder / "copy.mp4")
    out = tmp_path / "out"
    args = ("batch", str(folder), "--stretch", "bridge", "--sample-fps", "5", "--out", str(out))
    result = run(*args, "--engine", "ray", "--workers", "2")
    assert result.returncode == 1, result.stderr  # the corrupt file
    assert "Traceback" not in result.stderr
    assert "(2 cores)" in result.stdout
    with (out / "summary.csv").open(newline="") as f:
        rows = {row["input"]: row for row in csv.DictReader(f)}
    assert {name: row["status"] for name, row in rows.items()} == {
        "videos/clip00.mp4": "scored",
        "videos/clip01.mp4": "duplicate",  # of copy.mp4, the first in path order
        "bridge.jsonl": "scored",
        "broken.mp4": "error",
        "copy.mp4": "scored",
    }
    assert rows["videos/clip01.mp4"]["same_as"] == "copy.mp4"
    report = json.loads((out / "bridge.jsonl.json").read_text())
    assert rows["bridge.jsonl"]["score_pct"] == str(report["summary"]["score_pct"])
    assert float(rows["bridge.jsonl"]["time_in_form_s"]) > 5

    # The local engine picks up what Ray finished: same keys, same records.
    again = run(*args, "--engine", "local", "--workers", "1")
    statuses = {row["status"] for row in csv.DictReader((out / "summary.csv").open())}
    assert statuses == {"done", "error", "duplicate"}, again.stdout


def test_no_cluster_at_the_address_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    batch_inputs.recording_copy(tmp_path / "in" / "bridge.jsonl")
    args = ("--stretch", "bridge", "--out", str(tmp_path / "out"))
    result = run("batch", str(tmp_path / "in"), *args, "--engine", "ray", "--address", "auto")
    assert result.returncode == 3
    assert result.stderr.startswith("error: cannot use the Ray cluster at auto")
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
