"""Landmark recordings: written atomically, read back exactly, damage reported in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from posecheck import recording
from posecheck.errors import InputError
from posecheck.landmarks import Detection
from tests.conftest import ROOT, recorded_pose

SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"


def test_a_recording_reads_back_what_was_written(tmp_path: Path):
    pose = recorded_pose("Butt_Lift_Bridge/1.jpg")
    path = tmp_path / "session.jsonl"
    with recording.RecordingWriter(path, pose.image_wh, stretch="bridge", fps=30) as out:
        out.write(Detection(0, pose.image_wh, pose, 1))
        out.write(Detection(33, pose.image_wh, None, 0))
    assert recording.read_header(path)["stretch"] == "bridge"
    first, second = recording.read_detections(path)
    assert first.pose is not None and np.allclose(first.pose.xy_px, pose.xy_px, atol=0.01)
    assert (second.timestamp_ms, second.pose, second.people) == (33, None, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["session.jsonl"]  # no temporary left


def test_an_interrupted_session_still_saves_what_was_recorded(tmp_path: Path):
    pose = recorded_pose("Butt_Lift_Bridge/1.jpg")
    path = tmp_path / "session.jsonl"
    with pytest.raises(KeyboardInterrupt), recording.RecordingWriter(path, pose.image_wh) as out:
        out.write(Detection(0, pose.image_wh, pose, 1))
        raise KeyboardInterrupt
    assert len(list(recording.read_detections(path))) == 1


def test_a_file_that_is_not_a_recording_is_one_clear_line(tmp_path: Path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("hello\n")
    with pytest.raises(InputError) as info:
        recording.read_header(notes)
    assert str(info.value) == (
        f"{notes}: not a posecheck recording (the first line must be its header); "
        "make one with `posecheck live --record FILE`"
    )
    with pytest.raises(InputError, match=r"no such file; check the path"):
        recording.read_header(tmp_path / "gone.jsonl")


def test_a_damaged_line_is_named(tmp_path: Path):
    lines = SAMPLE.read_text().splitlines()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join([*lines[:3], '{"timestamp_ms": "soon"}', *lines[4:6]]) + "\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(damaged))
    assert str(info.value) == f"{damaged}: line 4 is not a valid frame; the recording is damaged"
    backwards = tmp_path / "backwards.jsonl"
    backwards.write_text("\n".join([lines[0], lines[2], lines[1]]) + "\n")
    with pytest.raises(InputError, match=r"line 3 goes back in time"):
        list(recording.read_detections(backwards))


def test_the_bundled_demo_sample_says_how_it_was_made():
    header = recording.read_header(SAMPLE)
    assert header["stretch"] == "bridge"
    assert "built from the stills" in header["source"]
    detections = list(recording.read_detections(SAMPLE))
    assert len(detections) > 200
    assert any(d.pose is None for d in detections)  # the not-visible stretch of the timeline
    assert json.loads(SAMPLE.read_text().splitlines()[1])["pose"] is not None
