"""The cue scheduler, frame by frame: events and state in, the one line to say out."""

from __future__ import annotations

import pytest

from posecheck.coaching.cues import (
    REPEAT_S,
    CueScheduler,
    Priority,
    spoken_s,
)
from posecheck.coaching.session import CoachState, Event, EventKind, Phase

E = EventKind
FIX = "Move the front foot forward"
LIFT = "Lift your hips"


def state(
    phase: Phase, held_s: float = 0.0, cue: str | None = None, target_s: float = 20, rep: int = 1
) -> CoachState:
    return CoachState(phase, "", held_s, target_s, rep, 2, "left", cue)


def ev(kind: EventKind, t_ms: int, detail: str | None = None, side: str | None = "left") -> Event:
    return Event(kind, t_ms, 1, side, detail)


def run(
    scheduler: CueScheduler, table: list[tuple[int, list[Event], CoachState]]
) -> list[tuple[int, str]]:
    said = []
    for t, events, s in table:
        line = scheduler.update(events, s, t)
        if line is not None:
            said.append((t, line.text))
    return said


def test_a_correction_is_said_once_it_has_settled_and_at_most_every_repeat_s():
    rows = [(t, [], state(Phase.SETUP, cue=FIX)) for t in range(0, 14_000, 500)]
    assert run(CueScheduler(), rows) == [
        (1000, FIX),  # on screen for 1 s
        (7000, FIX),  # REPEAT_S later, still on screen
        (13000, FIX),
    ]
    assert REPEAT_S == 6.0


def test_a_flickering_cue_is_never_said():
    rows = [(t, [], state(Phase.SETUP, cue=FIX if t % 1000 else LIFT)) for t in range(0, 6000, 500)]
    assert run(CueScheduler(), rows) == []


def test_a_higher_priority_line_cuts_a_lower_one_short_and_one_line_at_a_time():
    s = CueScheduler()
    table = [
        (0, [], state(Phase.SETUP, cue=FIX)),
        (1000, [], state(Phase.SETUP, cue=FIX)),  # FIX said: 2.11 s long
        (1500, [ev(E.IN_POSITION, 1500)], state(Phase.CONFIRMING)),  # news beats a correction
        (2500, [ev(E.HOLD_STARTED, 2500)], state(Phase.HOLDING)),  # a step beats news
        (3000, [], state(Phase.HOLDING, held_s=0.5, cue=LIFT)),
        (4000, [], state(Phase.HOLDING, held_s=1.5, cue=LIFT)),  # settled; the step goes on
        (4300, [], state(Phase.HOLDING, held_s=1.8, cue=LIFT)),  # the step has ended (1.77 s)
    ]
    assert run(s, table) == [
        (1000, FIX),
        (1500, "Good, hold still"),
        (2500, "Hold for 20 seconds"),
        (4300, LIFT),
    ]
    assert spoken_s(FIX) == pytest.approx(5 * 60 / 175 + 0.4)


def test_countdown_time_left_switch_sides_and_done_in_order():
    s = CueScheduler()
    table = [
        (0, [ev(E.COUNTDOWN, 0, "3")], state(Phase.GET_READY)),
        (1000, [ev(E.COUNTDOWN, 1000, "2")], state(Phase.GET_READY)),
        (2000, [ev(E.COUNTDOWN, 2000, "1")], state(Phase.GET_READY)),
        (3000, [ev(E.HOLD_STARTED, 3000)], state(Phase.HOLDING)),
        (17_900, [], state(Phase.HOLDING, held_s=14.9)),
        (18_000, [], state(Phase.HOLDING, held_s=15.0)),  # 5 s to go
        (18_100, [], state(Phase.HOLDING, held_s=15.1)),  # said once only
        (20_000, [], state(Phase.HOLDING, held_s=17.0)),
        (
            23_000,
            [ev(E.REP_COMPLETED, 23_000), ev(E.SWITCH_SIDE, 23_000, side="right")],
            state(Phase.SWITCH_SIDE),
        ),
        (30_000, [], state(Phase.HOLDING, held_s=15.0, rep=2)),  # the next rep's 5 s
        (
            35_000,
            [ev(E.REP_COMPLETED, 35_000), ev(E.SESSION_DONE, 35_000)],
            state(Phase.DONE, held_s=20, rep=2),
        ),
    ]
    assert run(s, table) == [
        (0, "3"),
        (1000, "2"),
        (2000, "1"),
        (3000, "Hold for 20 seconds"),
        (18_000, "5 seconds left"),
        (23_000, "Switch to your right leg"),
        (30_000, "5 seconds left"),
        (35_000, "Done. Well done"),
    ]


def test_a_short_hold_has_no_time_left_line():
    s = CueScheduler()
    rows = [(t, [], state(Phase.HOLDING, held_s=t / 1000, target_s=8)) for t in range(0, 8000, 100)]
    assert run(s, rows) == []


def test_the_newest_waiting_announcement_wins_and_a_stale_one_is_dropped():
    s = CueScheduler(rate_wpm=60)  # slow, so lines wait: "Hold for 20 seconds" lasts 4.4 s
    table = [
        (0, [ev(E.HOLD_STARTED, 0)], state(Phase.HOLDING)),
        (1000, [ev(E.HOLD_PAUSED, 1000, "not visible")], state(Phase.PAUSED)),
        (2000, [ev(E.HOLD_RESUMED, 2000)], state(Phase.HOLDING)),  # replaces "Hold paused"
        (4400, [], state(Phase.HOLDING)),
    ]
    assert run(s, table) == [(0, "Hold for 20 seconds"), (4400, "Holding again")]
    s = CueScheduler(rate_wpm=60)
    table = [
        (0, [ev(E.HOLD_STARTED, 0)], state(Phase.HOLDING)),
        (100, [ev(E.HOLD_RESUMED, 100)], state(Phase.HOLDING)),
        (4500, [], state(Phase.HOLDING)),  # 4.4 s old: dropped, nothing else to say
    ]
    assert run(s, table) == [(0, "Hold for 20 seconds")]


def test_a_line_waits_for_one_of_the_same_priority_and_a_lower_one_does_not_replace_it():
    s = CueScheduler(rate_wpm=60)  # "Hold for 20 seconds" lasts 4.4 s
    table = [
        (0, [ev(E.HOLD_STARTED, 0)], state(Phase.HOLDING)),
        (1000, [ev(E.SWITCH_SIDE, 1000, side="right")], state(Phase.SWITCH_SIDE)),  # waits
        (1100, [ev(E.IN_POSITION, 1100)], state(Phase.CONFIRMING)),  # progress < step
        (4400, [], state(Phase.CONFIRMING)),
    ]
    assert run(s, table) == [(0, "Hold for 20 seconds"), (4400, "Switch to your right leg")]


def test_a_pause_for_a_fault_is_said_by_its_correction_and_out_of_view_in_words():
    s = CueScheduler()
    table = [
        (0, [], state(Phase.HOLDING, held_s=5, cue=FIX)),
        (1000, [], state(Phase.HOLDING, held_s=5, cue=FIX)),  # the fault's correction
        (1100, [ev(E.HOLD_PAUSED, 1100, FIX)], state(Phase.PAUSED, held_s=5, cue=FIX)),
        (9000, [ev(E.HOLD_PAUSED, 9000, "not visible")], state(Phase.PAUSED, held_s=5)),
    ]
    assert run(s, table) == [(1000, FIX), (9000, "Come back into view")]


def test_an_announcement_from_outside_the_session_is_said_first():
    s = CueScheduler()
    s.announce("Next: child's pose", 0)
    line = s.update([], state(Phase.SETUP, cue=FIX), 0)
    assert line is not None
    assert (line.text, line.priority) == ("Next: child's pose", Priority.STEP)


def test_no_correction_between_reps_or_once_done():
    s = CueScheduler()
    for phase in (Phase.REST, Phase.DONE, Phase.CONFIRMING, Phase.GET_READY):
        rows = [(t, [], state(phase, cue=FIX)) for t in range(0, 3000, 500)]
        assert run(s, rows) == [], phase


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="rate_wpm > 0"):
        CueScheduler(rate_wpm=0)
