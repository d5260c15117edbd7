"""The session state machine, frame by frame: verdicts in, events and rep summaries out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pytest

from posecheck.body.geometry import Position, View
from posecheck.catalog.reference import Check, CheckKind, Limits, Point, Prescription, Reference
from posecheck.coaching.session import (
    CoachState,
    EventKind,
    Phase,
    Session,
    SessionConfig,
    rep_plan,
)
from posecheck.form.checks import CheckResult, GateResult, Status, Verdict

E = EventKind
KNEE = Check(
    id="front-knee",
    label="Front knee",
    kind=CheckKind.ANGLE,
    points=(Point("front", "hip"), Point("front", "knee"), Point("front", "ankle")),
    limits=Limits(75, 105, 90, 15),
    priority=1,
    cue_high="Bring the front foot back",
    cue_low="Move the front foot forward",
)


def reference(reps: int, sides: str, alternate: bool, hold_s: float = 20) -> Reference:
    return Reference(
        id="test",
        name="test",
        source="test",
        description="test",
        positions=(Position.KNEELING,),
        views=(View.SIDE,),
        prescription=Prescription(hold_s, reps, sides, alternate),
        checks=(KNEE,),
        roles=("front", "back") if sides == "each" else None,
    )


def verdict(
    aligned: bool = True, side: str | None = "left", person: bool = True, cue: str | None = None
) -> Verdict:
    """A verdict as `checks.evaluate` gives it: good form, a knee fault, or nobody."""
    if not person:
        return Verdict(
            "test",
            False,
            None,
            None,
            (GateResult("person", False, "Step in"),),
            (CheckResult(KNEE, None, Status.UNKNOWN),),
            cue="Step in",
        )
    status = Status.PASS if aligned else Status.FAIL
    fault_cue = None if aligned else (cue or KNEE.cue_low)
    return Verdict(
        stretch="test",
        person=True,
        view=View.SIDE,
        position=Position.KNEELING,
        gates=(GateResult("person", True),),
        results=(CheckResult(KNEE, 90.0 if aligned else 60.0, status, fault_cue),),
        roles={"front": side or "left", "back": "right"},
        side=side,
        aligned=aligned,
        score=100 if aligned else 40,
        cue=fault_cue,
    )


GOOD_LEFT = verdict(side="left")
GOOD_RIGHT = verdict(side="right")
FAULT = verdict(aligned=False)
NOBODY = verdict(person=False)


def frames(
    start_s: float, end_s: float, v: Verdict, step_ms: int = 100
) -> list[tuple[int, Verdict]]:
    """One verdict repeated every ``step_ms`` from start_s (inclusive) to end_s (exclusive)."""
    start, end = round(start_s * 1000), round(end_s * 1000)
    return [(t, v) for t in range(start, end, step_ms)]


def play(session: Session, table: Iterable[tuple[int, Verdict]]) -> list[tuple[float, EventKind]]:
    out = []
    for t, v in table:
        out += [(e.timestamp_ms / 1000, e.kind) for e in session.update(v, t)]
    return out


def test_rep_plans_follow_the_prescription():
    assert rep_plan(Prescription(20, 2, "each", True)) == ["first", "second", "first", "second"]
    assert rep_plan(Prescription(30, 2, "each", False)) == ["first", "first", "second", "second"]
    assert rep_plan(Prescription(30, 1, "none", False)) == [None]


def test_two_reps_per_side_alternating_walk_through():
    """90-90 hip flexor: 2 reps per side, alternating, 2 s holds (shortened), left first."""
    session = Session(reference(2, "each", True, hold_s=2), SessionConfig(rest_s=1))
    table = (
        frames(0.0, 0.5, FAULT)  # getting into position
        + frames(0.5, 4.0, GOOD_LEFT)  # confirm 1 s (to 1.5), hold 2 s (to 3.5)
        + frames(4.0, 5.0, GOOD_LEFT)  # still on the left: the right side is wanted
        + frames(5.0, 8.5, GOOD_RIGHT)
        + frames(8.5, 12.0, GOOD_LEFT)
        + frames(12.0, 15.5, GOOD_RIGHT)
    )
    events = play(session, table)
    assert events == [
        (0.5, E.IN_POSITION),
        (1.5, E.HOLD_STARTED),
        (3.5, E.REP_COMPLETED),
        (3.5, E.SWITCH_SIDE),
        (5.0, E.IN_POSITION),
        (6.0, E.HOLD_STARTED),
        (8.0, E.REP_COMPLETED),
        (8.0, E.SWITCH_SIDE),
        (8.5, E.IN_POSITION),
        (9.5, E.HOLD_STARTED),
        (11.5, E.REP_COMPLETED),
        (11.5, E.SWITCH_SIDE),
        (12.0, E.IN_POSITION),
        (13.0, E.HOLD_STARTED),
        (15.0, E.REP_COMPLETED),
        (15.0, E.SESSION_DONE),
    ]
    assert [(r.side, r.completed, r.held_s) for r in session.reps] == [
        ("left", True, 2.0),
        ("right", True, 2.0),
        ("left", True, 2.0),
        ("right", True, 2.0),
    ]
    assert session.phase == Phase.DONE
    assert session.state(GOOD_RIGHT, 15_500).phase_text == "Done: 4 of 4 reps"


def test_same_side_reps_rest_between():
    session = Session(reference(2, "none", False, hold_s=2), SessionConfig(rest_s=3))
    events = play(session, frames(0, 4.1, GOOD_LEFT))
    assert session.state(GOOD_LEFT, 4_000).phase_text == "Rest 2 s"
    events += play(session, frames(4.1, 9, GOOD_LEFT))
    assert events == [
        (0.0, E.IN_POSITION),
        (1.0, E.HOLD_STARTED),
        (3.0, E.REP_COMPLETED),
        (3.0, E.REST_STARTED),
        (6.0, E.IN_POSITION),
        (7.0, E.HOLD_STARTED),
    ]


def test_a_fault_shorter_than_the_grace_period_does_not_stop_the_timer():
    session = Session(reference(1, "none", False, hold_s=5))
    # Confirmed at 1.0; a 0.5 s fault at 2.0; 5 s reached at 6.0 all the same.
    table = frames(0, 2, GOOD_LEFT) + frames(2, 2.5, FAULT) + frames(2.5, 7, GOOD_LEFT)
    events = play(session, table)
    assert (6.0, E.REP_COMPLETED) in events
    assert E.HOLD_PAUSED not in [k for _, k in events]
    (rep,) = session.reps
    assert rep.held_s == pytest.approx(5.0)
    assert rep.in_form_s == pytest.approx(4.5)  # the fault counted toward held, not in form
    assert rep.main_fault == "front-knee"


def test_a_longer_fault_pauses_and_the_hold_resumes_where_it_was():
    session = Session(reference(1, "none", False, hold_s=5))
    table = frames(0, 3, GOOD_LEFT) + frames(3, 5, FAULT) + frames(5, 10, GOOD_LEFT)
    events = []
    for t, v in table:
        for e in session.update(v, t):
            events.append((e.timestamp_ms / 1000, e.kind, e.detail))
        if t == 4_500:
            state = session.state(v, t)
            assert state.phase == Phase.PAUSED
            assert state.phase_text == "Paused at 2 / 5 s"
            assert state.cue == KNEE.cue_low
    # Held 2 s (1.0-3.0); the fault from 3.0 pauses after the 1 s grace; the
    # faulty time is not counted; resumed at 5.0, 3 s more to go: done at 8.0.
    assert events == [
        (0.0, E.IN_POSITION, None),
        (1.0, E.HOLD_STARTED, None),
        (4.1, E.HOLD_PAUSED, KNEE.cue_low),
        (5.0, E.HOLD_RESUMED, None),
        (8.0, E.REP_COMPLETED, None),
        (8.0, E.SESSION_DONE, None),
    ]
    (rep,) = session.reps
    assert rep.held_s == pytest.approx(5.0)
    assert [(f.check_id, f.start_s, f.end_s) for f in rep.faults] == [("front-knee", 2.0, 4.0)]
    assert rep.pass_rate["front-knee"] == pytest.approx(51 / 71)  # frames 1.0-8.0, 3.0-4.9 bad


def test_leaving_the_frame_pauses_as_not_visible():
    session = Session(reference(1, "none", False, hold_s=5))
    table = frames(0, 2, GOOD_LEFT) + frames(2, 4, NOBODY)
    events = []
    for t, v in table:
        events += [(e.kind, e.detail) for e in session.update(v, t)]
    assert (E.HOLD_PAUSED, "not visible") in events
    state = session.state(NOBODY, 3_900)
    assert state.cue == "Come back into view to continue the hold"
    assert state.held_s == pytest.approx(1.0)  # never reset


def test_the_side_switch_is_detected_from_the_pose():
    session = Session(reference(1, "each", False, hold_s=2))
    play(session, frames(0, 3.5, GOOD_RIGHT))  # first rep on the side the person chose
    assert session.phase == Phase.SWITCH_SIDE
    assert session.side == "left"
    # Still on the right leg: nothing starts, and the cue says which leg.
    assert play(session, frames(3.5, 5, GOOD_RIGHT)) == []
    state = session.state(GOOD_RIGHT, 5_000)
    assert state.phase_text == "Switch to your left leg"
    assert state.cue == "Switch to your left leg"
    assert play(session, frames(5, 8, GOOD_LEFT))[:2] == [
        (5.0, E.IN_POSITION),
        (6.0, E.HOLD_STARTED),
    ]


def test_a_fixed_first_side_waits_for_that_side():
    session = Session(reference(1, "each", False, hold_s=2), SessionConfig(first_side="left"))
    assert play(session, frames(0, 2, GOOD_RIGHT)) == []
    assert session.state(GOOD_RIGHT, 2_000).cue == "Switch to your left leg"


def test_dynamic_reps_need_a_release_between_them():
    """Knee drops: reach the end position, hold 2 s, release, again (3 reps here)."""
    session = Session(
        reference(3, "none", False, hold_s=2),
        SessionConfig(confirm_s=0.0, release_between_reps=True),
    )
    table = (
        frames(0, 2.5, GOOD_LEFT)  # rep 1: held 0.0-2.0
        + frames(2.5, 3.5, GOOD_LEFT)  # still there: no new rep without a release
        + frames(3.5, 4.0, FAULT)  # released
        + frames(4.0, 6.5, GOOD_LEFT)  # rep 2
        + frames(6.5, 7.0, FAULT)
        + frames(7.0, 9.5, GOOD_LEFT)  # rep 3
    )
    kinds = [k for _, k in play(session, table)]
    assert kinds.count(E.REP_COMPLETED) == 3
    assert kinds[-1] == E.SESSION_DONE
    assert session.state(GOOD_LEFT, 3_000).phase_text == "Done: 3 of 3 reps"


def test_finish_summarizes_a_rep_cut_short():
    session = Session(reference(1, "none", False, hold_s=20))
    play(session, frames(0, 6, GOOD_LEFT))
    (rep,) = session.finish(6_000)
    assert not rep.completed
    assert rep.held_s == pytest.approx(5.0)
    assert rep.target_s == 20


def test_phase_texts_while_getting_into_position():
    session = Session(reference(1, "none", False, hold_s=20))
    session.update(FAULT, 0)
    state = session.state(FAULT, 0)
    assert isinstance(state, CoachState)
    assert (state.phase_text, state.cue) == ("Get into position", KNEE.cue_low)
    session.update(GOOD_LEFT, 100)
    session.update(GOOD_LEFT, 600)
    state = session.state(GOOD_LEFT, 600)
    assert state.phase_text == "Hold still, checking alignment"
    assert state.confirm_progress == pytest.approx(0.5)
    for t in range(700, 1400, 100):
        session.update(GOOD_LEFT, t)
    assert session.state(GOOD_LEFT, 1_300).phase_text == "Hold 0 / 20 s"


def test_time_must_move_forward_and_config_is_checked():
    session = Session(reference(1, "none", False))
    session.update(GOOD_LEFT, 100)
    with pytest.raises(ValueError, match=r"timestamps must increase \(got 100 ms after 100 ms\)"):
        session.update(GOOD_LEFT, 100)
    with pytest.raises(ValueError, match=r"SessionConfig.grace_s must be >= 0 \(got -1\)"):
        SessionConfig(grace_s=-1)
    with pytest.raises(ValueError, match=r"first_side must be 'left' or 'right' \(got 'up'\)"):
        SessionConfig(first_side="up")


# --- timing rules of issue 15 ------------------------------------------------


def test_a_role_flip_while_every_check_passes_is_not_a_fault():
    """The working leg's role flips to the other side for 1.5 s mid-hold, in form."""
    session = Session(reference(1, "each", False, hold_s=5))
    table = frames(0, 2, GOOD_LEFT) + frames(2, 3.5, GOOD_RIGHT) + frames(3.5, 7, GOOD_LEFT)
    events = play(session, table)
    assert E.HOLD_PAUSED not in [k for _, k in events]
    assert (6.0, E.REP_COMPLETED) in events  # 5 s from the start at 1.0, nothing dropped
    (rep,) = session.reps
    assert (rep.side, rep.held_s, rep.in_form_s) == ("left", 5.0, 5.0)


def test_a_role_flip_does_not_keep_a_paused_hold_paused():
    session = Session(reference(1, "each", False, hold_s=5))
    table = frames(0, 2, GOOD_LEFT) + frames(2, 3.5, FAULT) + frames(3.5, 8, GOOD_RIGHT)
    events = play(session, table)
    assert [k for _, k in events][2:4] == [E.HOLD_PAUSED, E.HOLD_RESUMED]
    assert (3.5, E.HOLD_RESUMED) in events


def test_the_wrong_side_still_keeps_a_rep_from_starting():
    session = Session(reference(1, "each", False, hold_s=2), SessionConfig(first_side="left"))
    table = frames(0, 1, GOOD_LEFT) + frames(1, 1.5, GOOD_RIGHT) + frames(1.5, 3, GOOD_LEFT)
    # Confirming is restarted by the right leg: it must be the left one for a full second.
    assert play(session, table)[:3] == [
        (0.0, E.IN_POSITION),
        (1.5, E.IN_POSITION),
        (2.5, E.HOLD_STARTED),
    ]


@pytest.mark.parametrize(
    ("sides", "side_of_reps"),
    [("none", [None, None]), ("each", ["left", "left", "right", "right"])],
)
def test_more_reps_on_the_same_side_follow_the_plan(sides, side_of_reps):
    """2 reps, not alternating: the second rep on a side starts after the rest, with no
    switch of sides, also when the person simply stays in position through the rest."""
    session = Session(reference(2, sides, False, hold_s=2), SessionConfig(rest_s=2))
    events = play(session, frames(0, 30, GOOD_LEFT))
    kinds = [k for _, k in events]
    assert kinds[:8] == [
        E.IN_POSITION,
        E.HOLD_STARTED,
        E.REP_COMPLETED,
        E.REST_STARTED,
        E.IN_POSITION,
        E.HOLD_STARTED,
        E.REP_COMPLETED,
        E.SESSION_DONE if sides == "none" else E.SWITCH_SIDE,
    ]
    assert [e for e in events[:7]] == [
        (0.0, E.IN_POSITION),
        (1.0, E.HOLD_STARTED),
        (3.0, E.REP_COMPLETED),
        (3.0, E.REST_STARTED),
        (5.0, E.IN_POSITION),
        (6.0, E.HOLD_STARTED),
        (8.0, E.REP_COMPLETED),
    ]
    if sides == "each":
        play(session, frames(30, 45, GOOD_RIGHT))
    assert [r.side for r in session.reps] == side_of_reps
    assert all(r.completed for r in session.reps)


def test_reps_on_the_same_side_after_a_release():
    """Out of position during the rest, back in after it: the next rep on that side."""
    session = Session(reference(2, "each", False, hold_s=2), SessionConfig(rest_s=2))
    table = frames(0, 3.5, GOOD_LEFT) + frames(3.5, 6, FAULT) + frames(6, 10, GOOD_LEFT)
    events = play(session, table)
    assert [k for _, k in events].count(E.REP_COMPLETED) == 2
    assert (6.0, E.IN_POSITION) in events and (7.0, E.HOLD_STARTED) in events
    assert [r.side for r in session.reps] == ["left", "left"]


def test_dynamic_reps_confirm_in_0_3_s_and_static_holds_in_1_s():
    static = Session(reference(1, "none", False, hold_s=5))
    dynamic = Session(
        reference(3, "none", False, hold_s=2), SessionConfig(release_between_reps=True)
    )
    assert (1.0, E.HOLD_STARTED) in play(static, frames(0, 2, GOOD_LEFT))
    table = frames(0, 2.5, GOOD_LEFT) + frames(2.5, 3, FAULT) + frames(3, 5.5, GOOD_LEFT)
    events = play(dynamic, table)
    assert [t for t, k in events if k == E.HOLD_STARTED] == [0.3, 3.3]
    assert [t for t, k in events if k == E.REP_COMPLETED] == [2.3, 5.3]
    # An explicit confirmation time still wins.
    assert SessionConfig(confirm_s=0.5, release_between_reps=True).confirm_time_s == 0.5


def test_a_borderline_check_counts_as_good():
    borderline = replace(
        GOOD_LEFT,
        results=(CheckResult(KNEE, 104.0, Status.BORDERLINE),),
    )
    session = Session(reference(1, "none", False, hold_s=2))
    play(session, frames(0, 3.5, borderline))
    (rep,) = session.reps
    assert rep.completed and rep.pass_rate == {"front-knee": 1.0} and rep.faults == ()


def test_time_in_form_never_exceeds_time_held():
    session = Session(reference(1, "none", False, hold_s=2.05))
    play(session, frames(0, 4, GOOD_LEFT))  # 100 ms frames overshoot the 2.05 s target
    (rep,) = session.reps
    assert rep.held_s == pytest.approx(2.05)
    assert rep.in_form_s <= rep.held_s


def test_get_ready_counts_down_3_2_1_after_alignment_is_confirmed():
    """Live coaching: confirm 1 s, then 3-2-1 a second apart, then the hold."""
    session = Session(reference(1, "none", False, hold_s=2), SessionConfig(countdown_s=3))
    out = []
    for t, v in frames(0.0, 7.0, GOOD_LEFT):
        out += [(e.timestamp_ms / 1000, e.kind, e.detail) for e in session.update(v, t)]
        if t == 2500:
            state = session.state(v, t)
            assert (state.phase, state.phase_text, state.held_s) == (
                Phase.GET_READY,
                "Get ready: 2",
                0.0,
            )
    assert out == [
        (0.0, E.IN_POSITION, None),
        (1.0, E.COUNTDOWN, "3"),
        (2.0, E.COUNTDOWN, "2"),
        (3.0, E.COUNTDOWN, "1"),
        (4.0, E.HOLD_STARTED, None),
        (6.0, E.REP_COMPLETED, None),
        (6.0, E.SESSION_DONE, None),
    ]
    assert session.reps[0].start_s == 4.0


def test_leaving_the_position_during_the_countdown_starts_over():
    session = Session(reference(1, "none", False, hold_s=2), SessionConfig(countdown_s=3))
    table = frames(0.0, 2.5, GOOD_LEFT) + frames(2.5, 3.0, FAULT) + frames(3.0, 9.0, GOOD_LEFT)
    events = play(session, table)
    assert events[:4] == [
        (0.0, E.IN_POSITION),
        (1.0, E.COUNTDOWN),
        (2.0, E.COUNTDOWN),
        (3.0, E.IN_POSITION),  # no hold was started in the faulty half second
    ]
    assert (7.0, E.HOLD_STARTED) in events


def test_without_a_countdown_the_hold_starts_at_confirmation():
    """Scoring a recording keeps the default: no countdown, the same events as before."""
    assert SessionConfig().countdown_s == 0
    session = Session(reference(1, "none", False, hold_s=2))
    assert play(session, frames(0.0, 4.0, GOOD_LEFT))[:2] == [
        (0.0, E.IN_POSITION),
        (1.0, E.HOLD_STARTED),
    ]
    with pytest.raises(ValueError, match="countdown_s must be >= 0"):
        SessionConfig(countdown_s=-1)
