"""Routines as a user runs them: `live --routine` from a recording with and without a
display (and the s key in a real window), `score --routine` split per step, and
the errors of choosing a routine.

The recordings are built here from our estimator's landmarks of real labelled
photos, held with a little jitter (tests/timelines.py); the routine is a user's
own, in a --refs folder, so each hold can be short.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posecheck.io import video, window
from tests.helpers import CLI_CODE, one_error_line, recorded_pose, run_in
from tests.timelines import write_recording

BRIDGE = recorded_pose("Butt_Lift_Bridge/1.jpg")
CHILD = recorded_pose("Childs_Pose/0.jpg")
STANDING = recorded_pose("Upward_Stretch/0.jpg")

ROUTINE = """
id = "floor"
name = "Floor flow"
source = "003"
description = "A bridge, a butterfly and a child's pose."

[[steps]]
stretch = "bridge"
hold_s = 3

[[steps]]
stretch = "butterfly"
hold_s = 3

[[steps]]
stretch = "childs-pose"
hold_s = 4
"""


def _refs(tmp_path: Path, steps: str = ROUTINE) -> Path:
    folder = tmp_path / "refs" / "routines"
    folder.mkdir(parents=True)
    (folder / "floor.toml").write_text(steps)
    return tmp_path / "refs"


TWO_STEPS = ROUTINE.replace('[[steps]]\nstretch = "butterfly"\nhold_s = 3\n\n', "")


def test_live_routine_without_a_display_runs_every_step(tmp_path: Path) -> None:
    refs = _refs(tmp_path, TWO_STEPS)
    source = write_recording(
        tmp_path / "session.jsonl", [(STANDING, 1), (BRIDGE, 9), (STANDING, 2), (CHILD, 11)]
    )
    # Each hold: confirmed in 1 s, a 3-2-1 countdown, then the hold.
    result = run_in(
        tmp_path, "live", "--routine", "floor", "--refs", str(refs),
        "--source", str(source), "--rest", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "no display found: writing the overlay video to posecheck-live.mp4" in out
    assert "step 1 of 2, Bridge (hold 3 s): get into position (supine" in out
    assert "rest; next, step 2 of 2, Child's pose (hold 4 s)" in out
    assert "Routine: 2 of 2 steps done" in out
    assert "Step 1, Bridge: done; 1 of 1 reps, held 3.0 s, in form 3.0 s" in out
    assert "Step 2, Child's pose: done; 1 of 1 reps, held 4.0 s, in form 4.0 s" in out
    # The events come in the order they happen: the step's last rep, then the step.
    assert out.index("all reps done") < out.index("step 1 done") < out.index("rest; next")
    assert video.probe_video(tmp_path / "posecheck-live.mp4").frames > 100


def test_a_routine_cut_short_says_which_steps_were_not_reached(tmp_path: Path) -> None:
    refs = _refs(tmp_path)
    source = write_recording(tmp_path / "short.jsonl", [(BRIDGE, 11)])
    out = tmp_path / "short.mp4"
    result = run_in(
        tmp_path, "live", "--routine", "floor", "--refs", str(refs),
        "--source", str(source), "--out", str(out), "--rest", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("step 1 of 3, Bridge") < result.stdout.index("in position")
    assert "Routine: 1 of 3 steps done" in result.stdout
    assert "Step 2, Butterfly: stopped; 0 of 1 reps, held 0.0 s" in result.stdout
    assert "Step 3, Child's pose: not started; 0 of 0 reps" in result.stdout


@pytest.mark.skipif(
    not window.display_available() or shutil.which("xdotool") is None,
    reason="needs a display (Xvfb) and xdotool to press a key in the window",
)
def test_s_in_the_window_skips_the_step(tmp_path: Path) -> None:
    refs = _refs(tmp_path)
    # No butterfly in the recording: after the bridge, the person goes to the child's pose.
    source = write_recording(tmp_path / "session.jsonl", [(BRIDGE, 9), (CHILD, 30)])
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, "live", "--routine", "floor", "--refs", str(refs),
         "--source", str(source), "--rest", "1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # The bridge's hold is done about 8 s in (with the 3-2-1); the butterfly step
        # starts a second later.
        time.sleep(13.0)
        subprocess.run(
            ["xdotool", "search", "--name", "posecheck: Floor flow",
             "windowfocus", "--sync", "key", "s"],
            check=True, timeout=30,
        )  # fmt: skip
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "step 2 skipped" in stdout
    assert "Routine: 2 of 3 steps done" in stdout
    assert "Step 2, Butterfly: skipped; 0 of 1 reps" in stdout
    assert "Step 3, Child's pose: done; 1 of 1 reps, held 4.0 s" in stdout


def test_score_routine_splits_the_recording_per_step(tmp_path: Path) -> None:
    refs = _refs(tmp_path)
    # Bridge held past its 3 s, a moment standing, no butterfly, then the child's pose.
    source = write_recording(
        tmp_path / "session.jsonl", [(STANDING, 1), (BRIDGE, 7), (STANDING, 2), (CHILD, 9)]
    )
    html, csv_path = tmp_path / "r.html", tmp_path / "r.csv"
    result = run_in(
        tmp_path, "score", str(source), "--routine", "floor", "--refs", str(refs), "--json",
        "--html", str(html), "--csv", str(csv_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["routine"] == "floor"
    steps = report["segments"]
    assert [(s["step"], s["stretch"], s["status"]) for s in steps] == [
        (1, "bridge", "done"),
        (2, "butterfly", "skipped"),
        (3, "childs-pose", "done"),
    ]
    assert [r["held_s"] for r in steps[0]["reps"]] == [3.0]
    assert steps[1]["reps"] == []
    assert [r["held_s"] for r in steps[2]["reps"]] == [4.0]
    # The bridge from 1 s; the child's pose from 10 s, after the butterfly passed over.
    assert 1.0 <= steps[0]["reps"][0]["start_s"] <= 3.5
    assert 10.0 <= steps[2]["reps"][0]["start_s"] <= 13.5
    assert steps[0]["end_s"] <= steps[2]["start_s"]
    assert report["summary"]["steps_done"] == 2 and report["summary"]["steps_total"] == 3
    page = html.read_text()
    assert page.count('<section class="step"') == 3
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("timestamp_ms,step,stretch,")
    assert {row.split(",")[1] for row in rows[1:]} == {"1", "2", "3"}


def test_score_routine_in_words(tmp_path: Path) -> None:
    refs = _refs(tmp_path, TWO_STEPS)
    source = write_recording(tmp_path / "s.jsonl", [(BRIDGE, 6), (CHILD, 8)])
    result = run_in(tmp_path, "score", str(source), "--routine", "floor", "--refs", str(refs))
    assert result.returncode == 0, result.stderr
    assert "Floor flow · 2 of 2 steps done" in result.stdout
    assert "Step 1, Bridge: done" in result.stdout
    assert "Rep 1 of 1: held 3.0 / 3 s" in result.stdout


@pytest.mark.parametrize("command", ["live", "score"])
def test_stretch_and_routine_are_one_or_the_other(tmp_path: Path, command: str) -> None:
    source = write_recording(tmp_path / "s.jsonl", [(BRIDGE, 1)])
    for extra in ([], ["--stretch", "bridge", "--routine", "hip-flexor-relief"]):
        args = [command, "--source", str(source)] if command == "live" else [command, str(source)]
        result = run_in(tmp_path, *args, *extra)
        assert result.returncode == 2
        assert one_error_line(result) == (
            "error: give one of --stretch ID or --routine ID (not both)"
        )


def test_an_unknown_routine_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    refs = _refs(tmp_path)
    source = write_recording(tmp_path / "s.jsonl", [(BRIDGE, 1)])
    result = run_in(
        tmp_path, "live", "--routine", "flor", "--refs", str(refs), "--source", str(source)
    )
    assert result.returncode == 2
    assert one_error_line(result) == (
        "error: unknown routine 'flor' (did you mean 'floor'?); "
        "run 'posecheck routines' to list them"
    )


def test_a_broken_routine_file_is_one_line_per_problem(tmp_path: Path) -> None:
    broken = ROUTINE.replace('"butterfly"', '"buterfly"').replace("hold_s = 4", "hold_s = 0")
    refs = _refs(tmp_path, broken)
    result = run_in(tmp_path, "refs", "check", str(refs))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    routine_file = refs / "routines" / "floor.toml"
    assert lines == [
        f"error: {routine_file}: steps[1].stretch unknown stretch 'buterfly' "
        "(did you mean 'butterfly'?); valid: " + lines[0].split("valid: ")[1],
        f"error: {routine_file}: steps[2].hold_s must be > 0 (got 0)",
    ]
    result = run_in(tmp_path, "live", "--routine", "floor", "--refs", str(refs))
    assert result.returncode == 1
    assert "steps[2].hold_s must be > 0 (got 0)" in result.stderr


def test_routines_lists_the_five_and_json_gives_each_step(tmp_path: Path) -> None:
    result = run_in(tmp_path, "routines")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    assert "hip-flexor-relief" in result.stdout and "3 steps, about" in result.stdout
    result = run_in(tmp_path, "routines", "--json")
    routines = [json.loads(line) for line in result.stdout.splitlines()]
    relief = next(r for r in routines if r["id"] == "hip-flexor-relief")
    assert [s["stretch"] for s in relief["steps"]] == [
        "90-90-hip-flexor",
        "90-90-hip-flexor-side-bend",
        "knee-drops",
    ]
    assert relief["steps"][0]["prescription"] == {
        "hold_s": 20.0,
        "reps": 2,
        "sides": "each",
        "alternate": True,
        "dynamic": False,
    }
    assert relief["estimated_s"] == sum(s["estimated_s"] for s in relief["steps"]) + 2 * 15


def test_show_describes_a_routine_with_the_prescriptions_in_force(tmp_path: Path) -> None:
    refs = _refs(tmp_path)
    result = run_in(tmp_path, "show", "floor", "--refs", str(refs))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Floor flow (floor)"
    assert "    1. Bridge: hold 3 s (about 8 s; the stretch alone: hold 30 s)" in lines
    assert "    3. Child's pose: hold 4 s (about 9 s; the stretch alone: hold 30 s)" in lines
    result = run_in(tmp_path, "show", "hip-flexor-relief")
    assert "1. 90-90 hip flexor stretch: 2 reps per side, alternating sides, hold 20 s" in (
        result.stdout
    )
    result = run_in(tmp_path, "show", "hip-flexor-releif")
    assert result.returncode == 2
    assert one_error_line(result) == (
        "error: unknown stretch or routine 'hip-flexor-releif' (did you mean "
        "'hip-flexor-relief'?); run 'posecheck stretches' or 'posecheck routines' to list them"
    )
