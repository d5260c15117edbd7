"""A routine, live: the routine's steps driven through `run_session`'s frame loop.

`run_routine` wraps the routine state machine (`coaching.routine`) so the live
loop drives it like one stretch's coach, and wraps the sinks so every frame
carries the routine plate (the step, its prescription, the keys) and the keys
pressed in the window reach the routine: s skips, r repeats. It prints
nothing; each routine event goes to the caller's ``on_routine_event``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from posecheck.body.landmarks import Detection
from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import prescription_text
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.routine import (
    ConfigFor,
    RoutineCoach,
    RoutineEvent,
    RoutineEventKind,
    RoutinePhase,
    RoutineState,
    StepResult,
)
from posecheck.coaching.session import Event
from posecheck.draw.overlay import DEFAULT_STYLE, Style
from posecheck.draw.routine import draw_routine_plate
from posecheck.io import video
from posecheck.io.sources import Source
from posecheck.run.live import FrameSink, run_session

# The keys a routine adds to the window's, listed in its corner.
ROUTINE_KEYS: tuple[tuple[str, str], ...] = (("s", "skip"), ("r", "repeat"))
SKIP_KEYS = frozenset({"s", "S"})
REPEAT_KEYS = frozenset({"r", "R"})


class KeyRelay:
    """Passes the keys a window hands on (`WindowSink` ``on_key``) to the routine
    once it runs; the window is made before the routine."""

    def __init__(self) -> None:
        self.target: Callable[[str], None] = lambda key: None

    def __call__(self, key: str) -> None:
        self.target(key)


@runtime_checkable
class Announcer(Protocol):
    """A sink that can say a line next (the voice): the routine's next stretch."""

    def announce(self, text: str) -> None: ...


def plate_lines(state: RoutineState, *, keys: bool) -> list[str]:
    """What the routine plate says: the step, its prescription, and the keys
    (named by what they would do now) when there is a window to press them in."""
    ref = state.reference
    where = f"step {state.step} of {state.steps_total}: {ref.name}, {prescription_text(ref)}"
    if state.phase == RoutinePhase.STEP:
        lines = [where[0].upper() + where[1:]]
        key_line = "s: skip this step   r: start it again   q: quit"
    elif state.phase == RoutinePhase.REST:
        lines = [f"Next, {where}"]
        again = f"   r: repeat {state.previous.name}" if state.previous else ""
        key_line = f"s: skip it{again}   q: quit"
    else:
        lines = ["Routine done"]
        again = f"r: repeat {state.previous.name}   " if state.previous else ""
        key_line = f"{again}q: quit"
    return [*lines, key_line] if keys else lines


class RoutineStepper:
    """The routine as the live loop's coach: one coached frame per detection."""

    def __init__(
        self,
        routine: RoutineCoach,
        on_event: Callable[[Event, int], None],
        on_routine_event: Callable[[RoutineEvent], None],
    ) -> None:
        self.routine = routine
        self._on_session_event = on_event
        self._on_event = on_routine_event
        self._reps_total = routine.reps_total
        self.last_ms = 0
        self.results: list[StepResult] = []

    @property
    def reps_total(self) -> int:
        """The rep count of the step whose frame was coached last."""
        return self._reps_total

    def step(self, detection: Detection, frame: video.Frame | None = None) -> CoachFrame:
        result = self.routine.update(detection, frame)
        self.last_ms = detection.timestamp_ms
        self._reps_total = result.coached.state.reps_total
        # In the order they happened: a step announced before its first frame was
        # coached, then the step's own events (its last rep completed), then the
        # routine's (the step done, the rest).
        events = list(result.events)
        while events and events[0].kind is RoutineEventKind.STEP_STARTED:
            self._on_event(events.pop(0))
        for session_event in result.coached.events:
            self._on_session_event(session_event, self._reps_total)
        for event in events:
            self._on_event(event)
        return result.coached

    def press(self, key: str) -> None:
        """A key pressed in the window, at the time of the frame last shown."""
        if key in SKIP_KEYS:
            events = self.routine.skip(self.last_ms)
        elif key in REPEAT_KEYS:
            events = self.routine.repeat(self.last_ms)
        else:
            return
        for event in events:
            self._on_event(event)

    def finish(self, timestamp_ms: int) -> list[RepSummary]:
        self.results = self.routine.finish(timestamp_ms)
        return [rep for result in self.results for rep in result.reps]


class RoutineSink:
    """Draws the routine plate on each frame, then shows it in every sink."""

    def __init__(self, sinks: Sequence[FrameSink], stepper: RoutineStepper, *, keys: bool) -> None:
        self.sinks = list(sinks)
        self.stepper = stepper
        self.keys = keys

    def show(self, drawn: video.Frame, result: CoachFrame) -> bool:
        state = self.stepper.routine.state(result.detection.timestamp_ms)
        counters = 1 if result.state.side is None else 2
        draw_routine_plate(drawn, plate_lines(state, keys=self.keys), counters)
        return all([sink.show(drawn, result) for sink in self.sinks])


@dataclass(frozen=True)
class RoutineResult:
    """What a live routine did: every step's result, in order."""

    steps: list[StepResult]
    interrupted: bool
    frames: int
    recorded_frames: int | None


def run_routine(
    source: Source | Path | int,
    references: Sequence[Reference],
    config_for: ConfigFor,
    *,
    rest_s: float,
    sinks: Sequence[FrameSink] = (),
    keys: KeyRelay | None = None,
    on_event: Callable[[Event, int], None] = lambda event, total: None,
    on_routine_event: Callable[[RoutineEvent], None] = lambda event: None,
    mirror: bool = False,
    record: Path | None = None,
    style: Style = DEFAULT_STYLE,
) -> RoutineResult:
    """Coach a routine's steps (their stretches with the prescriptions in force)
    from ``source``, through the same loop as one stretch (`run_session`).

    ``keys`` relays the keys pressed in a window among the sinks (s skip, r
    repeat); a voice among the sinks announces each step. The loop ends as
    `run_session`'s does: the source ends, q or Ctrl-C, or a moment after the
    last step.
    """
    routine = RoutineCoach(references, config_for, rest_s=rest_s)
    voices = [sink for sink in sinks if isinstance(sink, Announcer)]

    def told(event: RoutineEvent) -> None:
        on_routine_event(event)
        for voice in voices:
            if event.kind in (RoutineEventKind.STEP_STARTED, RoutineEventKind.REST_STARTED):
                what = "Next" if event.kind is RoutineEventKind.REST_STARTED else "Now"
                voice.announce(f"{what}: {event.reference.name}")

    stepper = RoutineStepper(routine, on_event, told)
    if keys is not None:
        keys.target = stepper.press
    shown: list[FrameSink] = [RoutineSink(sinks, stepper, keys=keys is not None)] if sinks else []
    result = run_session(
        source,
        references[0],
        sinks=shown,
        mirror=mirror,
        style=style,
        record=record,
        coach=stepper,
    )
    return RoutineResult(stepper.results, result.interrupted, result.frames, result.recorded_frames)
