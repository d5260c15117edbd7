"""The routine state machine, frame by frame: steps done in order, the rest between
them, skip and repeat, moving on in a recording, and the end of the routine.

Poses are our estimator's landmarks of real labelled photos (tests/fixtures),
held still with a little jitter: a lifted bridge, a child's pose, a butterfly,
and someone standing (no stretch).
"""

from __future__ import annotations

import dataclasses

import pytest

from posecheck.catalog.reference import Reference, load_references
from posecheck.coaching.routine import (
    ADVANCE_S,
    RoutineCoach,
    RoutineEventKind,
    RoutinePhase,
    StepStatus,
)
from posecheck.coaching.session import Phase, SessionConfig
from posecheck.run.routine import plate_lines
from tests.helpers import recorded_pose
from tests.timelines import Segment, detections

BRIDGE = recorded_pose("Butt_Lift_Bridge/1.jpg")
CHILD = recorded_pose("Childs_Pose/0.jpg")
BUTTERFLY = recorded_pose("Groin_and_Back_Stretch/0.jpg")
STANDING = recorded_pose("Upward_Stretch/0.jpg")
HOLD_S = 3.0


def _steps(*ids: str, hold_s: float = HOLD_S) -> list[Reference]:
    refs = load_references()
    return [
        dataclasses.replace(
            refs[i], prescription=dataclasses.replace(refs[i].prescription, hold_s=hold_s)
        )
        for i in ids
    ]


def _run(coach: RoutineCoach, segments: list[Segment], keys: dict[int, str] | None = None):
    """Feed the segments; ``keys`` presses s or r at those frame times (ms).
    Returns every routine event's kind with its step, in order, and the frames."""
    events: list[tuple[RoutineEventKind, int]] = []
    frames = []
    for detection in detections(segments, image_wh=(850, 567)):
        result = coach.update(detection)
        frames.append(result)
        events += [(e.kind, e.step) for e in result.events]
        key = (keys or {}).get(detection.timestamp_ms)
        if key == "s":
            events += [(e.kind, e.step) for e in coach.skip(detection.timestamp_ms)]
        elif key == "r":
            events += [(e.kind, e.step) for e in coach.repeat(detection.timestamp_ms)]
    return events, frames


def test_steps_run_in_order_with_a_rest_between_them() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose"), rest_s=2.0)
    events, frames = _run(coach, [(BRIDGE, 6.0), (STANDING, 1.0), (CHILD, 7.0)])
    assert events == [
        (RoutineEventKind.STEP_STARTED, 1),
        (RoutineEventKind.STEP_DONE, 1),
        (RoutineEventKind.REST_STARTED, 2),
        (RoutineEventKind.STEP_STARTED, 2),
        (RoutineEventKind.STEP_DONE, 2),
        (RoutineEventKind.ROUTINE_DONE, 2),
    ]
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert [r.status for r in results] == [StepStatus.DONE, StepStatus.DONE]
    assert [r.held_s for r in results] == [HOLD_S, HOLD_S]
    assert [r.reps_done for r in results] == [1, 1]
    # The rest lasts rest_s: 2 s after the bridge was done, the child's pose begins.
    done_ms = next(f for f in frames if RoutineEventKind.STEP_DONE in [e.kind for e in f.events])
    start = next(
        f
        for f in frames
        if (RoutineEventKind.STEP_STARTED, 2) in [(e.kind, e.step) for e in f.events]
    )
    gap = start.coached.detection.timestamp_ms - done_ms.coached.detection.timestamp_ms
    assert gap == 2000
    assert frames[-1].state.phase == RoutinePhase.DONE
    assert frames[-1].coached.state.phase == Phase.DONE


def test_no_hold_starts_during_the_rest() -> None:
    # The child's pose is held all through the rest: the hold starts only after it.
    coach = RoutineCoach(_steps("bridge", "childs-pose"), rest_s=3.0)
    _, frames = _run(coach, [(BRIDGE, 6.0), (CHILD, 10.0)])
    resting = [f for f in frames if f.state.phase == RoutinePhase.REST]
    assert resting
    assert all(f.coached.state.phase == Phase.REST for f in resting)
    # (the first of them is the frame the bridge was completed on)
    assert all(not f.coached.events for f in resting[1:])
    assert resting[0].coached.state.phase_text.startswith("Rest 3 s, then")
    # The next stretch is judged while resting: the skeleton shows it aligned.
    assert resting[-1].coached.verdict.aligned
    assert [r.status for r in coach.finish(16000)] == [StepStatus.DONE, StepStatus.DONE]


def test_skip_during_a_step_keeps_its_reps_and_moves_on() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose", hold_s=10.0), rest_s=1.0)
    events, frames = _run(coach, [(BRIDGE, 5.0), (CHILD, 13.0)], keys={5000: "s"})
    assert (RoutineEventKind.STEP_SKIPPED, 1) in events
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert results[0].status is StepStatus.SKIPPED
    assert results[0].reps and not results[0].reps[0].completed
    assert 2.0 <= results[0].held_s < 5.0
    assert results[1].status is StepStatus.DONE


def test_skip_during_the_rest_passes_over_the_step_announced() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose", "butterfly"), rest_s=3.0)
    # The bridge is done about 4 s in (confirm, then a 3 s hold); s during the rest.
    events, frames = _run(coach, [(BRIDGE, 5.0), (BUTTERFLY, 9.0)], keys={4800: "s"})
    assert (RoutineEventKind.STEP_SKIPPED, 2) in events
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert [r.status for r in results] == [StepStatus.DONE, StepStatus.SKIPPED, StepStatus.DONE]
    assert results[1].reps == ()


def test_repeat_during_a_step_starts_it_again() -> None:
    coach = RoutineCoach(_steps("bridge"), rest_s=1.0)
    events, frames = _run(coach, [(BRIDGE, 3.0), (BRIDGE, 6.0)], keys={3000: "r"})
    assert (RoutineEventKind.STEP_REPEATED, 1) in events
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert results[0].status is StepStatus.DONE
    assert results[0].attempts == 2
    # The new attempt's hold started after the repeat.
    assert results[0].reps[0].start_s >= 3.0


def test_repeat_in_the_rest_goes_back_to_the_step_just_done() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose"), rest_s=5.0)
    events, frames = _run(coach, [(BRIDGE, 12.0), (CHILD, 8.0)], keys={4800: "r"})
    kinds = [k for k, _ in events]
    assert kinds.count(RoutineEventKind.STEP_DONE) == 3  # the bridge twice, the child's pose once
    assert (RoutineEventKind.STEP_REPEATED, 1) in events
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert results[0].attempts == 2
    assert results[0].reps[0].start_s > 4.8
    assert results[1].status is StepStatus.DONE


def test_the_source_ending_mid_step_stops_it_and_leaves_the_rest_not_started() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose", "butterfly"), rest_s=1.0)
    _, frames = _run(coach, [(BRIDGE, 6.0), (CHILD, 3.0)])
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert [r.status for r in results] == [
        StepStatus.DONE,
        StepStatus.STOPPED,
        StepStatus.NOT_STARTED,
    ]


def test_in_a_recording_a_later_stretch_held_ends_the_step() -> None:
    coach = RoutineCoach(
        _steps("bridge", "childs-pose", "butterfly", hold_s=10.0), rest_s=0, advance_on_later=True
    )
    # Bridge 4 s (not finished), straight to the butterfly: the child's pose is passed over.
    _, frames = _run(coach, [(BRIDGE, 4.0), (BUTTERFLY, 14.0)])
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert [r.status for r in results] == [StepStatus.SKIPPED, StepStatus.SKIPPED, StepStatus.DONE]
    moved = next(
        f
        for f in frames
        if (RoutineEventKind.STEP_STARTED, 3) in [(e.kind, e.step) for e in f.events]
    )
    # The butterfly was in position from 4 s; the step moves on ADVANCE_S later.
    assert moved.coached.detection.timestamp_ms / 1000 == pytest.approx(4.0 + ADVANCE_S, abs=0.6)
    assert results[2].held_s == 10.0


def test_in_a_recording_a_brief_pass_through_does_not_end_the_step() -> None:
    coach = RoutineCoach(
        _steps("bridge", "childs-pose", hold_s=8.0), rest_s=0, advance_on_later=True
    )
    _, frames = _run(coach, [(BRIDGE, 3.0), (CHILD, 1.0), (BRIDGE, 10.0)])
    results = coach.finish(frames[-1].coached.detection.timestamp_ms)
    assert results[0].status is StepStatus.DONE


def test_a_routine_needs_a_step_and_a_rest_of_zero_or_more() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        RoutineCoach([])
    with pytest.raises(ValueError, match="rest_s must be >= 0"):
        RoutineCoach(_steps("bridge"), rest_s=-1)


def test_each_step_gets_its_own_session_config() -> None:
    seen: list[str] = []

    def config_for(reference: Reference) -> SessionConfig:
        seen.append(reference.id)
        return SessionConfig(confirm_s=0.0)

    coach = RoutineCoach(_steps("bridge", "childs-pose"), config_for, rest_s=0)
    _run(coach, [(BRIDGE, 4.0), (CHILD, 4.0)])
    assert seen[:2] == ["bridge", "childs-pose"]


def test_the_plate_names_the_step_and_what_each_key_does_now() -> None:
    coach = RoutineCoach(_steps("bridge", "childs-pose"), rest_s=2.0)
    _, frames = _run(coach, [(BRIDGE, 5.0)])
    assert plate_lines(frames[10].state, keys=True) == [
        "Step 1 of 2: Bridge, hold 3 s",
        "s: skip this step   r: start it again   q: quit",
    ]
    assert frames[-1].state.phase == RoutinePhase.REST
    assert plate_lines(frames[-1].state, keys=True) == [
        "Next, step 2 of 2: Child's pose, hold 3 s",
        "s: skip it   r: repeat Bridge   q: quit",
    ]
    # Without a window there are no keys to press, so none are listed.
    assert plate_lines(frames[-1].state, keys=False) == [
        "Next, step 2 of 2: Child's pose, hold 3 s"
    ]
