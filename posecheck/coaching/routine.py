"""A routine, step by step: each step's stretch coached by its own `Coach`, a rest
between steps that announces the next one, and the user's skip and repeat.

A small state machine with time passed in, like the session it drives:

- STEP: the step's session runs (get into position, confirm, hold each rep
  and side). When its last rep is done the step is done.
- REST: ``rest_s`` between steps. The next step is announced and its stretch
  already judged (the skeleton shows how close the person is), but its
  session waits, so a hold never starts during the rest.
- DONE: every step is done or skipped.

`skip` ends the step under way (its reps so far are kept, and it counts as
skipped) or, during a rest, passes over the step announced. `repeat` starts
the step under way again, or during a rest (and once done) goes back to the
step just finished; the new attempt replaces the old one's result.

In a recording nobody presses a key, so with ``advance_on_later`` a step also
ends when the person has left its stretch and holds a later step's stretch in
position for `ADVANCE_S`: the steps in between count as skipped. This is how
`posecheck score --routine` splits a recording into steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import Detection
from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import DEFAULT_REST_S
from posecheck.coaching.coach import Coach, CoachFrame
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.session import Phase, SessionConfig

# How long a later step's stretch must be held in position, with the current
# one left, before a recording is taken to have moved on. Longer than the 1 s
# a hold takes to confirm, so passing through a pose on the way between
# stretches does not count.
ADVANCE_S = 2.0


class RoutinePhase(StrEnum):
    STEP = "step"
    REST = "rest"
    DONE = "done"


class StepStatus(StrEnum):
    DONE = "done"  # every prescribed rep completed
    SKIPPED = "skipped"  # skipped by the user, or moved on from in a recording
    STOPPED = "stopped"  # the session ended during this step
    NOT_STARTED = "not-started"


class RoutineEventKind(StrEnum):
    STEP_STARTED = "step-started"  # the step is announced; get into position
    STEP_DONE = "step-done"
    STEP_SKIPPED = "step-skipped"
    STEP_REPEATED = "step-repeated"
    REST_STARTED = "rest-started"
    ROUTINE_DONE = "routine-done"


@dataclass(frozen=True)
class RoutineEvent:
    """Something that happened to the routine at ``timestamp_ms``; ``step`` is 1-based."""

    kind: RoutineEventKind
    timestamp_ms: int
    step: int
    reference: Reference
    detail: str | None = None


@dataclass(frozen=True)
class StepResult:
    """One step as it ended: its stretch (with the prescription in force), its reps."""

    step: int
    reference: Reference
    status: StepStatus
    reps: tuple[RepSummary, ...] = ()
    reps_total: int = 0
    start_ms: int | None = None
    end_ms: int | None = None
    attempts: int = 0

    @property
    def reps_done(self) -> int:
        return sum(r.completed for r in self.reps)

    @property
    def held_s(self) -> float:
        return sum(r.held_s for r in self.reps)

    @property
    def in_form_s(self) -> float:
        return sum(r.in_form_s for r in self.reps)


@dataclass(frozen=True)
class RoutineState:
    """What the overlay and the terminal show about the routine at one moment.

    ``step`` is the step under way, or during a rest the one announced next
    (1-based); ``previous`` the step ``repeat`` would go back to, if any.
    """

    phase: RoutinePhase
    step: int
    steps_total: int
    reference: Reference
    previous: Reference | None
    rest_left_s: float = 0.0


@dataclass(frozen=True)
class RoutineFrame:
    coached: CoachFrame
    events: tuple[RoutineEvent, ...]
    state: RoutineState


ConfigFor = Callable[[Reference], SessionConfig]


class RoutineCoach:
    """Walks a person through a routine's steps, one detection at a time.

    ``references`` are the steps' stretches with their prescriptions in force
    (`Routine.references`); ``config_for`` gives each step's session its
    timing (the same for every step unless a stretch needs its own, such as
    a dynamic one).
    """

    def __init__(
        self,
        references: Sequence[Reference],
        config_for: ConfigFor = lambda reference: SessionConfig(),
        *,
        rest_s: float = DEFAULT_REST_S,
        advance_on_later: bool = False,
    ) -> None:
        if not references:
            raise ValueError("a routine needs at least one step")
        if rest_s < 0:
            raise ValueError(f"rest_s must be >= 0 (got {rest_s})")
        self.references = list(references)
        self.rest_s = rest_s
        self._config_for = config_for
        self._advance = advance_on_later
        self.phase = RoutinePhase.STEP
        self._index = 0
        self._coach = self._new_coach(0)
        self._attempts = [0] * len(self.references)
        self._attempts[0] = 1
        self._results: list[StepResult | None] = [None] * len(self.references)
        self._step_start_ms: int | None = None
        self._phase_start_ms = 0
        self._announced = False
        # In a recording: the later steps' coaches, watching, and since when each
        # has been in position while the current stretch was not.
        self._watchers: dict[int, Coach] = {}
        self._since_ms: dict[int, int] = {}

    # --- what the routine knows ----------------------------------------------

    @property
    def step(self) -> int:
        """The step under way or announced, 1-based (the last once done)."""
        return min(self._index, len(self.references) - 1) + 1

    @property
    def coach(self) -> Coach:
        """The coach of the step under way (or announced)."""
        return self._coach

    @property
    def reps_total(self) -> int:
        return self._coach.reps_total

    def results(self) -> list[StepResult]:
        """Every step's result so far; steps not reached are NOT_STARTED."""
        return [
            r if r is not None else StepResult(i + 1, ref, StepStatus.NOT_STARTED)
            for i, (r, ref) in enumerate(zip(self._results, self.references, strict=True))
        ]

    def state(self, timestamp_ms: int) -> RoutineState:
        left = 0.0
        if self.phase == RoutinePhase.REST:
            left = max(0.0, self.rest_s - (timestamp_ms - self._phase_start_ms) / 1000.0)
        previous = self._previous()
        return RoutineState(
            phase=self.phase,
            step=self.step,
            steps_total=len(self.references),
            reference=self.references[self.step - 1],
            previous=None if previous is None else self.references[previous],
            rest_left_s=left,
        )

    def _previous(self) -> int | None:
        """The step `repeat` goes back to in a rest or once done: the one just
        finished (done or skipped)."""
        if self.phase == RoutinePhase.STEP:
            return None
        last = self._index - 1 if self.phase == RoutinePhase.REST else self._index
        return last if last >= 0 and self._results[last] is not None else None

    # --- the machine ---------------------------------------------------------

    def update(
        self, detection: Detection, frame: npt.NDArray[np.uint8] | None = None
    ) -> RoutineFrame:
        """Advance to the detection's time; return the coached frame and the routine's events."""
        t = detection.timestamp_ms
        events: list[RoutineEvent] = []
        if not self._announced:
            self._announced = True
            events.append(self._event(RoutineEventKind.STEP_STARTED, t))
        if self.phase == RoutinePhase.STEP:
            if self._step_start_ms is None:
                self._step_start_ms = t
            coached = self._coach.step(detection, frame)
            if self._coach.session.phase == Phase.DONE:
                events += self._end_step(StepStatus.DONE, t)
            elif self._advance:
                events += self._watch_later(detection, coached.verdict.aligned, t)
        else:
            if self.phase == RoutinePhase.REST and t - self._phase_start_ms >= self.rest_s * 1000:
                events += self._begin_step(t)
            coached = self._coach.watch(detection, frame)
        return RoutineFrame(self._shown(coached, t), tuple(events), self.state(t))

    def skip(self, timestamp_ms: int) -> list[RoutineEvent]:
        """End the step under way, or during a rest pass over the step announced."""
        if self.phase == RoutinePhase.STEP:
            return self._end_step(StepStatus.SKIPPED, timestamp_ms, detail="skipped")
        if self.phase == RoutinePhase.REST:
            step = self._index
            self._results[step] = StepResult(
                step + 1, self.references[step], StepStatus.SKIPPED, attempts=0
            )
            events = [self._event(RoutineEventKind.STEP_SKIPPED, timestamp_ms, "skipped")]
            return events + self._next(step + 1, timestamp_ms)
        return []

    def repeat(self, timestamp_ms: int) -> list[RoutineEvent]:
        """Start the step under way again, or go back to the one just finished."""
        if self.phase == RoutinePhase.STEP:
            target = self._index
        else:
            previous = self._previous()
            if previous is None:
                return []
            target = previous
        self._coach.finish(timestamp_ms)
        self._index = target
        self._coach = self._new_coach(target)
        self._attempts[target] += 1
        self._step_start_ms = None
        self.phase = RoutinePhase.STEP
        self._phase_start_ms = timestamp_ms
        self._forget_watchers()
        return [self._event(RoutineEventKind.STEP_REPEATED, timestamp_ms)]

    def finish(self, timestamp_ms: int) -> list[StepResult]:
        """End the routine (the user quit or the source ended); the step under way is
        kept as stopped. Returns every step's result."""
        if self.phase == RoutinePhase.STEP:
            self._close_step(StepStatus.STOPPED, timestamp_ms, None)
            self.phase = RoutinePhase.DONE
        return self.results()

    # --- moving between steps ---------------------------------------------------

    def _new_coach(self, index: int) -> Coach:
        reference = self.references[index]
        return Coach(reference, self._config_for(reference))

    def _event(self, kind: RoutineEventKind, t: int, detail: str | None = None) -> RoutineEvent:
        return RoutineEvent(kind, t, self.step, self.references[self.step - 1], detail)

    def _record(self, status: StepStatus, reps: list[RepSummary], t: int) -> None:
        self._results[self._index] = StepResult(
            step=self._index + 1,
            reference=self.references[self._index],
            status=status,
            reps=tuple(reps),
            reps_total=self._coach.reps_total,
            start_ms=self._step_start_ms if self._step_start_ms is not None else t,
            end_ms=t,
            attempts=self._attempts[self._index],
        )

    def _end_step(
        self, status: StepStatus, t: int, detail: str | None = None
    ) -> list[RoutineEvent]:
        """Close the step under way, then rest before the next one (or end)."""
        events = self._close_step(status, t, detail)
        return events + self._next(self._index + 1, t)

    def _close_step(self, status: StepStatus, t: int, detail: str | None) -> list[RoutineEvent]:
        reps = self._coach.finish(t)
        earlier = self._results[self._index]
        if reps or earlier is None or status is StepStatus.DONE:
            self._record(status, reps, t)
        # else: a repeat that did nothing keeps the earlier attempt's result.
        done = status is StepStatus.DONE
        kind = RoutineEventKind.STEP_DONE if done else RoutineEventKind.STEP_SKIPPED
        return [self._event(kind, t, detail)]

    def _next(self, index: int, t: int) -> list[RoutineEvent]:
        """Rest before step ``index`` (0-based), begin it at once with no rest, or end."""
        self._forget_watchers()
        if index >= len(self.references):
            self._index = len(self.references) - 1
            self.phase = RoutinePhase.DONE
            self._phase_start_ms = t
            return [self._event(RoutineEventKind.ROUTINE_DONE, t)]
        self._index = index
        self._coach = self._new_coach(index)
        self._step_start_ms = None
        if self.rest_s <= 0:
            return self._begin_step(t)
        self.phase = RoutinePhase.REST
        self._phase_start_ms = t
        return [self._event(RoutineEventKind.REST_STARTED, t)]

    def _begin_step(self, t: int) -> list[RoutineEvent]:
        self.phase = RoutinePhase.STEP
        self._phase_start_ms = t
        self._attempts[self._index] += 1
        return [self._event(RoutineEventKind.STEP_STARTED, t)]

    def _watch_later(self, detection: Detection, here: bool, t: int) -> list[RoutineEvent]:
        """In a recording: move on once a later step's stretch is held and this one is not."""
        for index in range(self._index + 1, len(self.references)):
            watcher = self._watchers.get(index)
            if watcher is None:
                watcher = self._watchers[index] = self._new_coach(index)
            there = watcher.watch(detection).verdict.aligned
            if here or not there:
                self._since_ms.pop(index, None)
                continue
            since = self._since_ms.setdefault(index, t)
            if t - since >= ADVANCE_S * 1000:
                return self._move_on(index, watcher, t)
        return []

    def _move_on(self, index: int, watcher: Coach, t: int) -> list[RoutineEvent]:
        events = self._close_step(
            StepStatus.SKIPPED, t, f"moved on to {self.references[index].name}"
        )
        for passed in range(self._index + 1, index):
            self._results[passed] = StepResult(
                passed + 1, self.references[passed], StepStatus.SKIPPED
            )
        self._forget_watchers()
        self._index = index
        # The watcher has judged this stretch all along: its window is warm.
        self._coach = watcher
        self._step_start_ms = None
        return events + self._begin_step(t)

    def _forget_watchers(self) -> None:
        self._watchers = {}
        self._since_ms = {}

    # --- what to show ----------------------------------------------------------

    def _shown(self, coached: CoachFrame, t: int) -> CoachFrame:
        """The step's coached frame, with the phase line of a rest or the end in its state."""
        if self.phase == RoutinePhase.STEP:
            return coached
        if self.phase == RoutinePhase.REST:
            left = max(0.0, self.rest_s - (t - self._phase_start_ms) / 1000.0)
            text = f"Rest {left:.0f} s, then {self.references[self._index].name}"
            state = dataclasses.replace(
                coached.state, phase=Phase.REST, phase_text=text, cue=None, held_s=0.0
            )
        else:
            done = sum(r.status is StepStatus.DONE for r in self.results())
            text = f"Routine done: {done} of {len(self.references)} steps"
            state = dataclasses.replace(coached.state, phase=Phase.DONE, phase_text=text, cue=None)
        return dataclasses.replace(coached, state=state)
