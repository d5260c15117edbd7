"""Windowed verdicts, frame by frame, on landmarks our estimator recorded from real bridges.

`Butt_Lift_Bridge/1.jpg` is a correct bridge (hips lifted) and `0.jpg` the start
position (hips on the floor), so a stream that switches between them is a
bridge that sags. Times are stream times passed in, never read from a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pytest

from posecheck.body.landmarks import Pose, PoseLandmark
from posecheck.catalog.reference import Reference, load_references
from posecheck.form import checks
from posecheck.form.checks import CheckResult, Status, form_score, is_good
from posecheck.form.temporal import KEEP_S, WINDOW_S, SteadyJudge
from tests.helpers import recorded_pose

LIFTED = recorded_pose("Butt_Lift_Bridge/1.jpg")
DOWN = recorded_pose("Butt_Lift_Bridge/0.jpg")
FEET = [
    PoseLandmark[f"{s}_{p}"] for s in ("LEFT", "RIGHT") for p in ("ANKLE", "HEEL", "FOOT_INDEX")
]


@pytest.fixture(scope="module")
def bridge() -> Reference:
    return load_references()["bridge"]


def feet_hidden(pose: Pose) -> Pose:
    """The same pose with the model unsure of both feet (as behind a cushion)."""
    visibility = np.array(pose.visibility)
    visibility[FEET] = 0.1
    return replace(pose, visibility=visibility)


def stream(*parts: tuple[float, Pose | None], fps: float = 30.0) -> list[tuple[int, Pose | None]]:
    """(seconds, pose) parts played one after another at ``fps``."""
    out: list[tuple[int, Pose | None]] = []
    t_s = 0.0
    i = 0
    for seconds, pose in parts:
        end = t_s + seconds
        while i / fps < end - 1e-9:
            out.append((round(i * 1000 / fps), pose))
            i += 1
        t_s = end
    return out


def run(
    reference: Reference, frames: Iterable[tuple[int, Pose | None]]
) -> list[tuple[int, checks.Verdict]]:
    judge = SteadyJudge(reference)
    return [(t, judge.update(pose, t)) for t, pose in frames]


def test_the_recorded_photos_are_a_good_and_a_sagging_bridge(bridge: Reference):
    assert checks.evaluate(LIFTED, bridge).aligned
    down = checks.evaluate(DOWN, bridge)
    assert not down.aligned and down.cue == bridge.checks[0].cue_low


def test_one_bad_frame_does_not_flip_the_verdict(bridge: Reference):
    frames = stream((2.0, LIFTED), (1 / 30, DOWN), (2.0, LIFTED))
    bad_t = frames[60][0]
    out = run(bridge, frames)
    raw = SteadyJudge(bridge)
    assert not raw.update(DOWN, 0).aligned  # the frame alone is a fault
    assert all(v.aligned for t, v in out if t >= 100), [t for t, v in out if not v.aligned]
    (at_bad,) = [v for t, v in out if t == bad_t]
    assert at_bad.cue is None and at_bad.score == 100


def test_a_lone_good_frame_in_a_sag_does_not_pass_either(bridge: Reference):
    out = run(bridge, stream((2.0, DOWN), (1 / 30, LIFTED), (1.0, DOWN)))
    assert not any(v.aligned for _, v in out)


@pytest.mark.parametrize("fps", [60.0, 30.0, 25.0, 24.0, 15.0, 10.0, 5.0])
def test_a_real_change_is_followed_within_0_3_s(bridge: Reference, fps: float):
    """A median over 0.5 s turns once more than half the window has changed."""
    frames = stream((3.0, LIFTED), (3.0, DOWN), (3.0, LIFTED), fps=fps)
    out = run(bridge, frames)
    sag_ms = next(t for t, v in out if t >= 3000 and not v.aligned) - 3000
    back_ms = next(t for t, v in out if t >= 6000 and v.aligned) - 6000
    assert 0 < sag_ms < 300 and 0 < back_ms < 300, (sag_ms, back_ms)
    # About half the window, to a frame.
    assert abs(sag_ms - WINDOW_S * 500) <= 1000 / fps + 1


def test_a_check_hidden_for_a_moment_keeps_its_verdict(bridge: Reference):
    out = run(bridge, stream((2.0, LIFTED), (0.9, feet_hidden(LIFTED)), (1.0, LIFTED)))
    assert all(v.aligned for t, v in out if t >= 100)
    # The frames themselves could not judge the feet.
    raw = checks.evaluate(feet_hidden(LIFTED), bridge)
    assert {r.check.id: r.status for r in raw.results}["feet-flat"] == Status.UNKNOWN


def test_a_long_cant_tell_says_what_it_cannot_see(bridge: Reference):
    out = run(bridge, stream((2.0, LIFTED), (3.0, feet_hidden(LIFTED))))
    last_seen = max(t for t, _ in out if t < 2000)
    # Kept for KEEP_S after the last measurement, then unknown.
    assert all(v.aligned for t, v in out if 100 <= t <= last_seen + KEEP_S * 1000)
    assert not any(v.aligned for t, v in out if t > last_seen + KEEP_S * 1000)
    late = out[-1][1]
    feet = {r.check.id: r for r in late.results}["feet-flat"]
    assert feet.status == Status.UNKNOWN and feet.value is None
    assert late.cue is not None and late.cue.startswith("I can't see your feet:")


def test_a_frame_or_two_without_a_person_is_not_an_absence(bridge: Reference):
    out = run(bridge, stream((2.0, LIFTED), (2 / 30, None), (1.0, LIFTED)))
    assert all(v.aligned and v.person for t, v in out if t >= 100)


def test_leaving_the_picture_is_an_absence_within_half_a_second(bridge: Reference):
    out = run(bridge, stream((2.0, LIFTED), (2.0, None)))
    gone = next(t for t, v in out if t >= 2000 and not v.person)
    assert gone - 2000 <= WINDOW_S * 1000
    assert out[-1][1].cue == checks.NO_PERSON_CUE and not out[-1][1].aligned


def test_a_failing_gate_for_one_frame_is_not_a_failing_gate(bridge: Reference):
    # The same bridge shifted so that the head leaves the picture: the in-frame gate fails.
    shifted = replace(LIFTED, xy_px=LIFTED.xy_px + np.array([0.0, -LIFTED.image_wh[1]]))
    assert not checks.evaluate(shifted, bridge).gates_passed
    out = run(bridge, stream((2.0, LIFTED), (1 / 30, shifted), (1.0, LIFTED)))
    assert all(v.gates_passed and v.aligned for t, v in out if t >= 100)
    out = run(bridge, stream((2.0, LIFTED), (1.0, shifted)))
    assert not out[-1][1].gates_passed and not out[-1][1].aligned


def test_the_value_shown_is_the_median_and_the_anchor_is_the_current_joint(bridge: Reference):
    judge = SteadyJudge(bridge)
    values = []
    for i, pose in enumerate([LIFTED, LIFTED, DOWN]):
        v = judge.update(pose, i * 33)
        values.append({r.check.id: r for r in v.results}["hips-lifted"])
    lifted = checks.evaluate(LIFTED, bridge).results[0]
    down = checks.evaluate(DOWN, bridge).results[0]
    assert values[2].value == pytest.approx(lifted.value)
    assert values[2].anchor_px == down.anchor_px


def test_form_scores_are_bounded_and_only_a_fail_blocks():
    check = load_references()["bridge"].checks[0]
    # A fail reported inside the limit (negative excess) must not earn over 100.
    inside_fail = CheckResult(check, 161.0, Status.FAIL, check.cue_low, excess=-0.2)
    assert form_score([inside_fail]) == 100
    assert form_score([CheckResult(check, 100.0, Status.FAIL, check.cue_low, excess=4.0)]) == 0
    assert form_score([CheckResult(check, None, Status.UNKNOWN)]) == 0
    assert [is_good(s) for s in Status] == [s in (Status.PASS, Status.BORDERLINE) for s in Status]


def test_the_window_and_keep_times_are_checked(bridge: Reference):
    with pytest.raises(ValueError, match=r"SteadyJudge.window_s must be > 0 \(got 0\)"):
        SteadyJudge(bridge, window_s=0)
    with pytest.raises(ValueError, match=r"SteadyJudge.keep_s must be >= 0 \(got -1\)"):
        SteadyJudge(bridge, keep_s=-1)
