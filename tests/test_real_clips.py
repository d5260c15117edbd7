"""Real footage (not stretches, BSD-3 clips from the sports2d and pose2sim packages):
real motion, two people in view, a portrait phone video, and poses that match no stretch."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from posecheck.io import video
from posecheck.io.estimator import _box_iou
from posecheck.io.sources import open_source
from tests.helpers import ROOT, run_in

TWO_PEOPLE = ROOT / "samples" / "sports2d_demo.mp4"
PORTRAIT = ROOT / "samples" / "pose2sim_cam01_portrait.mp4"


def test_two_people_walking_the_same_one_is_followed_throughout():
    boxes: list[tuple[float, float, float, float]] = []
    crowded = 0
    for _, detection in open_source(TWO_PEOPLE).play():
        crowded += detection.people > 1
        if detection.pose is not None:
            boxes.append(detection.pose.bbox_px())
    # Everyone in the picture is counted only on the estimator's looks (once a
    # second), and a look on one still misses the backlit man more often than
    # tracking did, so the count is lower than a per-frame two-person model
    # gave (133 frames); it still sees him for well over a second.
    assert crowded > 30, "the looks should see both people in part of the clip"
    assert len(boxes) > 150
    # Frame to frame, the followed person's box moves a little; it never jumps to
    # the other. The first frames after she walks in are left out: the tracker is
    # still settling on her there (the box's overlap dips to 0.18 on the 3rd frame).
    settled = boxes[10:]
    overlaps = [_box_iou(a, b) for a, b in pairwise(settled)]
    assert min(overlaps) > 0.3


def test_a_clip_that_matches_no_stretch_never_starts_a_hold(tmp_path: Path):
    result = run_in(
        tmp_path,
        "live",
        "--stretch",
        "bridge",
        "--source",
        str(TWO_PEOPLE),
        "--out",
        str(tmp_path / "walk.mp4"),
    )
    assert result.returncode == 0, result.stderr
    assert "hold started" not in result.stdout
    assert "No hold was started." in result.stdout


def test_a_portrait_phone_video_keeps_its_shape(tmp_path: Path):
    out = tmp_path / "portrait.mp4"
    result = run_in(
        tmp_path,
        "live",
        "--stretch",
        "half-kneeling-hip-flexor",
        "--source",
        str(PORTRAIT),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "No hold was started." in result.stdout
    info = video.probe_video(out)
    assert (info.width, info.height) == (1080, 1920)
    assert info.frames == 100
