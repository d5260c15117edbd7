"""A whole bundled routine end to end: `posecheck live --routine hip-flexor-relief`
from a landmark recording, with a display (a real window under Xvfb) and
without one, and `score --routine` on such a recording.

The recording is built here from tests/bodies.py: each stretch's good position
(and its mirror image for the other side), held for a few seconds at a time
with a little jitter, as a person following the routine would hold them:
the 90-90 hip flexor stretch twice per side, alternating; the same with a
side bend; then knee drops, five each way, each released before the next.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from posecheck.body.landmarks import Pose
from posecheck.io import window
from tests import bodies
from tests.helpers import run_in
from tests.timelines import Segment, write_recording


def _side(fig: bodies.Figure, view: str) -> tuple[Pose, Pose]:
    """A pose and its mirror image (the other side's rep), seen from ``view``."""
    return bodies.pose(fig, view), bodies.pose(bodies.mirrored(fig), view)


def hip_flexor_relief(hold_s: float, rest_s: float, drop_s: float = 2.0) -> list[Segment]:
    """The routine as a person does it, for holds of ``hold_s`` (knee drops ``drop_s``)
    and rests of ``rest_s``."""
    kneel = _side(bodies.ninety_ninety_hip_flexor(), "side")
    bend = _side(bodies.side_bend(), "front")
    # Each hold: the checks settle (about half a second), 1 s of confirmation, the
    # 3-2-1 countdown (live only), the hold.
    static = hold_s + 5.5
    segments: list[Segment] = []
    for first, second in (kneel, bend):
        segments += [(first, static), (second, static)] * 2
        segments.append((second, rest_s))  # still there while the rest counts down
    released = bodies.pose(bodies.knee_drops(drop=0.0), "front")
    for _ in range(5):
        for toward in ("left", "right"):
            dropped = bodies.pose(bodies.knee_drops(toward=toward), "front")
            # A dynamic rep confirms in 0.3 s; then the knees come back up.
            segments += [(dropped, drop_s + 1.5), (released, 1.5)]
    return segments


EXPECTED_STEPS = [
    "Step 1, 90-90 hip flexor stretch: done; 4 of 4 reps",
    "Step 2, 90-90 hip flexor stretch with side bend: done; 4 of 4 reps",
    "Step 3, Knee drops: done; 10 of 10 reps",
]


def _assert_whole_routine(stdout: str, hold_s: float) -> None:
    assert "Routine: 3 of 3 steps done" in stdout
    lines = stdout.splitlines()
    for expected, holds in zip(EXPECTED_STEPS, (4, 4, 10), strict=True):
        line = next((line for line in lines if line.startswith(expected.split(":")[0])), None)
        assert line is not None, stdout
        assert line.startswith(expected), line
        assert f"held {holds * hold_s:.1f} s" in line, line


def test_live_hip_flexor_relief_without_a_display(tmp_path: Path) -> None:
    source = write_recording(tmp_path / "relief.jsonl", hip_flexor_relief(2.0, 1.0))
    result = run_in(
        tmp_path, "live", "--routine", "hip-flexor-relief", "--source", str(source),
        "--hold", "2", "--rest", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no display found: writing the overlay video" in result.stdout
    _assert_whole_routine(result.stdout, 2.0)
    for step in (1, 2, 3):
        assert f"step {step} done" in result.stdout
    assert (tmp_path / "posecheck-live.mp4").is_file()


@pytest.mark.skipif(not window.display_works(), reason="needs a display (Xvfb) to open the window")
def test_live_hip_flexor_relief_in_a_window(tmp_path: Path) -> None:
    source = write_recording(tmp_path / "relief.jsonl", hip_flexor_relief(2.0, 1.0))
    result = run_in(
        tmp_path, "live", "--routine", "hip-flexor-relief", "--source", str(source),
        "--hold", "2", "--rest", "1", display=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "writing the overlay video" not in result.stdout  # a window, not a file
    assert os.environ.get("DISPLAY")
    _assert_whole_routine(result.stdout, 2.0)


def test_score_hip_flexor_relief_gives_each_step_its_holds(tmp_path: Path) -> None:
    # The prescriptions as the routine gives them: 20 s holds, knee drops 2 s.
    segments = hip_flexor_relief(20.0, 0.0)
    source = write_recording(tmp_path / "relief.jsonl", segments)
    result = run_in(tmp_path, "score", str(source), "--routine", "hip-flexor-relief", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    steps = report["segments"]
    assert [(s["stretch"], s["status"]) for s in steps] == [
        ("90-90-hip-flexor", "done"),
        ("90-90-hip-flexor-side-bend", "done"),
        ("knee-drops", "done"),
    ]
    assert [r["held_s"] for r in steps[0]["reps"]] == [20.0] * 4
    assert [r["held_s"] for r in steps[1]["reps"]] == [20.0] * 4
    assert [r["held_s"] for r in steps[2]["reps"]] == [2.0] * 10
    # Alternating sides, as prescribed.
    sides = [r["side"] for r in steps[0]["reps"]]
    assert sides[0] != sides[1] and sides[0] == sides[2]
    # Each step lies after the one before it in the recording.
    assert steps[0]["end_s"] <= steps[1]["start_s"] <= steps[1]["end_s"] <= steps[2]["start_s"]
    assert report["summary"]["steps_done"] == 3
