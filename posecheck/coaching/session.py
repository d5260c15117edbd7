"""The coaching session: a state machine over verdicts, with time passed in.

Get into position, hold still while alignment is confirmed, get ready (a
3-2-1 countdown, in live coaching), hold (the timer counts only while form
is right), then switch side or rest, rep after rep, as the stretch
prescribes. The overlay draws a `CoachState`; a report reads the
`RepSummary` of each rep. Nothing here reads a clock: a recorded video scores
the same on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from statistics import median

from posecheck.catalog.reference import Prescription, Reference, Stage
from posecheck.coaching.reps import FaultSpan, RepSummary
from posecheck.form.checks import Status, Verdict, is_good, restrict

# How long every check must pass before a hold starts. The catalog's static
# holds last 20-30 s, so a full second of proof costs little and keeps a hold from
# starting on a pose passed through on the way in. A dynamic rep holds its end
# position for only a couple of seconds, and a second of proof would eat
# half of it. The windowed verdict already needs the pose in more than half
# of its 0.5 s window before a check passes, so 0.3 s on top still asks for
# about half a second in the end position: more than a limb swinging through
# it spends there.
STATIC_CONFIRM_S = 1.0
DYNAMIC_CONFIRM_S = 0.3


class Phase(StrEnum):
    SETUP = "setup"  # get into position: a gate fails
    CONFIRMING = "confirming"  # every check passes; waiting before the hold starts
    GET_READY = "get-ready"  # alignment confirmed; counting down 3-2-1 to the hold
    HOLDING = "holding"  # the timer counts while form is right
    PAUSED = "paused"  # a fault longer than the grace period, or not visible
    SWITCH_SIDE = "switch-side"  # rep done; the next rep is on the other side
    REST = "rest"  # rep done; the next rep is on the same side
    DONE = "done"


# The phases of a hold under way: the timer runs (or waits for form to return),
# so these frames count towards a rep's form score and show its timer.
TIMED_PHASES = frozenset({Phase.HOLDING, Phase.PAUSED})


@dataclass(frozen=True)
class CoachState:
    """Everything the overlay shows about the session at one moment.

    ``phase_text`` is the line a person reads ("Hold 12 / 20 s"); ``cue`` the
    one thing to fix (or None); ``rep`` is 1-based out of ``reps_total`` (all
    reps on all sides); ``side`` is the side of the current rep ("left",
    "right" or None for stretches without sides).
    """

    phase: Phase
    phase_text: str
    held_s: float
    target_s: float
    rep: int
    reps_total: int
    side: str | None
    cue: str | None
    confirm_progress: float = 0.0  # 0-1 while CONFIRMING


class EventKind(StrEnum):
    IN_POSITION = "in-position"  # gates and checks pass; confirming begins
    COUNTDOWN = "countdown"  # one second of the get-ready count; detail "3", "2", "1"
    HOLD_STARTED = "hold-started"
    HOLD_PAUSED = "hold-paused"
    HOLD_RESUMED = "hold-resumed"
    REP_COMPLETED = "rep-completed"
    SWITCH_SIDE = "switch-side"
    REST_STARTED = "rest-started"
    SESSION_DONE = "session-done"


@dataclass(frozen=True)
class Event:
    """Something that happened at ``timestamp_ms``; ``rep`` is 1-based."""

    kind: EventKind
    timestamp_ms: int
    rep: int
    side: str | None
    detail: str | None = None


@dataclass(frozen=True)
class SessionConfig:
    """Timing of a session, in seconds.

    ``confirm_s`` defaults to `STATIC_CONFIRM_S`, or `DYNAMIC_CONFIRM_S` with
    ``release_between_reps``. ``hold_s`` overrides the prescription's hold;
    ``first_side`` fixes the side of the first rep (default: whichever side
    the person takes). With ``release_between_reps`` (dynamic stretches) the
    next rep starts only after the person has left the end position, instead
    of after ``rest_s``. ``countdown_s`` whole seconds of "get ready" are
    counted down between the confirmed alignment and the hold (live coaching
    sets it; scoring a recording leaves it at 0, so a recorded hold starts
    where the person reached the position).
    """

    confirm_s: float | None = None
    grace_s: float = 1.0
    rest_s: float = 5.0
    hold_s: float | None = None
    first_side: str | None = None
    release_between_reps: bool = False
    countdown_s: int = 0

    def __post_init__(self) -> None:
        for name in ("confirm_s", "grace_s", "rest_s", "countdown_s"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                raise ValueError(f"SessionConfig.{name} must be >= 0 (got {getattr(self, name)})")
        if self.hold_s is not None and self.hold_s <= 0:
            raise ValueError(f"SessionConfig.hold_s must be > 0 (got {self.hold_s})")
        if self.first_side not in (None, "left", "right"):
            raise ValueError(
                f"SessionConfig.first_side must be 'left' or 'right' (got {self.first_side!r})"
            )

    @property
    def confirm_time_s(self) -> float:
        """The confirmation time in force: ``confirm_s``, or the default for the kind of stretch."""
        if self.confirm_s is not None:
            return self.confirm_s
        return DYNAMIC_CONFIRM_S if self.release_between_reps else STATIC_CONFIRM_S


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def rep_plan(prescription: Prescription) -> list[str | None]:
    """The side of every rep in order, as "first"/"second" slots or None.

    e.g. 2 reps per side, alternating: first, second, first, second.
    """
    first: list[str | None] = ["first"]
    second: list[str | None] = ["second"]
    if not prescription.per_side:
        return [None] * prescription.reps
    if prescription.alternate:
        return (first + second) * prescription.reps
    return first * prescription.reps + second * prescription.reps


class Session:
    """Walks a person through a stretch's prescription, one verdict at a time.

    `update` takes the frame's verdict (from `checks.evaluate`) and the frame's
    time, and returns what happened. The hold timer counts only while the
    form is right; a fault shorter than the grace period does not stop it, a
    longer one pauses it (and the faulty time is not counted), and a person
    out of view pauses it as "not visible". Nothing resets silently.
    """

    def __init__(self, reference: Reference, config: SessionConfig | None = None) -> None:
        self.reference = reference
        config = config or SessionConfig()
        if reference.prescription.dynamic and not config.release_between_reps:
            # A dynamic stretch's reps are moves in and out, whoever built the config.
            config = replace(config, release_between_reps=True)
        self.config = config
        self._stages = reference.phases
        # A phased stretch's phases are its reps, on no side, one after the other.
        self._plan = (
            [None] * len(self._stages) if self._stages else rep_plan(reference.prescription)
        )
        self._first_side = self.config.first_side
        self._can_see_side = reference.roles is not None
        self.phase = Phase.SETUP
        self._index = 0  # into the plan
        self._last_ms: int | None = None
        self._phase_start_ms = 0
        self._held_ms = 0.0
        self._pending_ms = 0.0  # time inside a fault still within the grace period
        self._fault_start_ms: int | None = None
        self._in_form_ms = 0.0
        self._rep_start_ms = 0
        self._check_frames: dict[str, list[int]] = {}
        self._progress: dict[str, list[float]] = {}
        self._open_faults: dict[str, tuple[int, str | None]] = {}
        self._faults: list[FaultSpan] = []
        self._reps: list[RepSummary] = []
        self._pause_reason: str | None = None
        self._count = 0  # the number last said in the get-ready countdown

    # --- what the session knows -------------------------------------------

    @property
    def target_s(self) -> float:
        """The hold of the current rep: ``hold_s`` from the config overrides the
        prescription's, which for a phased stretch is its first phase's."""
        stage = self.stage
        if stage is not None and (self._index > 0 or self.config.hold_s is None):
            return stage.hold_s
        return self.config.hold_s or self.reference.prescription.hold_s

    @property
    def stage(self) -> Stage | None:
        """The current phase of a phased stretch; None for other stretches."""
        if not self._stages:
            return None
        return self._stages[min(self._index, len(self._stages) - 1)]

    def judged(self, verdict: Verdict) -> Verdict:
        """The verdict as the current phase judges it (unchanged without phases)."""
        stage = self.stage
        return verdict if stage is None else restrict(verdict, stage.checks)

    @property
    def reps_total(self) -> int:
        return len(self._plan)

    @property
    def rep(self) -> int:
        """The current rep, 1-based (the last one once done)."""
        return min(self._index, len(self._plan) - 1) + 1

    @property
    def side(self) -> str | None:
        """The side of the current rep, once known."""
        return self._side_of(min(self._index, len(self._plan) - 1))

    @property
    def held_s(self) -> float:
        return (self._held_ms + self._pending_ms) / 1000.0

    @property
    def reps(self) -> list[RepSummary]:
        """Finished reps, completed or cut short by `finish`."""
        return list(self._reps)

    def _side_of(self, index: int) -> str | None:
        slot = self._plan[index]
        if slot is None or self._first_side is None:
            return None
        return self._first_side if slot == "first" else _other(self._first_side)

    def _right_side(self, verdict: Verdict) -> bool:
        wanted = self.side
        if wanted is None or not self._can_see_side or verdict.side is None:
            return True
        return verdict.side == wanted

    # --- the machine ---------------------------------------------------------

    def update(self, verdict: Verdict, timestamp_ms: int) -> list[Event]:
        """Advance to ``timestamp_ms`` with this frame's verdict; return the frame's events."""
        if self._last_ms is not None and timestamp_ms <= self._last_ms:
            raise ValueError(
                f"timestamps must increase (got {timestamp_ms} ms after {self._last_ms} ms)"
            )
        dt_ms = 0 if self._last_ms is None else timestamp_ms - self._last_ms
        self._last_ms = timestamp_ms
        events: list[Event] = []
        good = verdict.aligned and self._right_side(verdict)
        # The rep's side is settled when its hold starts. During the hold the
        # leg roles of a pose that passes every check either way may flip
        # (both knees bent alike, say): that is not a fault, so only form counts.
        in_form = verdict.aligned

        if self.phase in (Phase.SETUP, Phase.SWITCH_SIDE):
            events += self._arrive(verdict, good, timestamp_ms)
        elif self.phase == Phase.CONFIRMING:
            if not good:
                self._enter(Phase.SETUP, timestamp_ms)
            elif timestamp_ms - self._phase_start_ms >= self.config.confirm_time_s * 1000:
                events += self._confirmed(verdict, timestamp_ms)
        elif self.phase == Phase.GET_READY:
            events += self._get_ready(verdict, good, timestamp_ms)
        elif self.phase == Phase.HOLDING:
            events += self._hold(verdict, in_form, dt_ms, timestamp_ms)
        elif self.phase == Phase.PAUSED:
            self._track_checks(verdict, timestamp_ms)
            if in_form:
                self._pause_reason = None
                self.phase = Phase.HOLDING
                events.append(self._event(EventKind.HOLD_RESUMED, timestamp_ms))
        elif self.phase == Phase.REST:
            if self.config.release_between_reps:
                if not verdict.aligned:
                    self._enter(Phase.SETUP, timestamp_ms)
            elif timestamp_ms - self._phase_start_ms >= self.config.rest_s * 1000:
                self._enter(Phase.SETUP, timestamp_ms)
                events += self._arrive(verdict, good, timestamp_ms)
        return events

    def _arrive(self, verdict: Verdict, good: bool, timestamp_ms: int) -> list[Event]:
        """In position (and on the right side): confirm, or start at once without a confirm time."""
        if not good:
            return []
        self._enter(Phase.CONFIRMING, timestamp_ms)
        events = [self._event(EventKind.IN_POSITION, timestamp_ms)]
        if self.config.confirm_time_s <= 0:
            events += self._confirmed(verdict, timestamp_ms)
        return events

    def _confirmed(self, verdict: Verdict, timestamp_ms: int) -> list[Event]:
        """Alignment confirmed: count down first when asked, else start the hold."""
        if self.config.countdown_s <= 0:
            return self._start_hold(verdict, timestamp_ms)
        self._enter(Phase.GET_READY, timestamp_ms)
        self._count = self.config.countdown_s
        return [self._event(EventKind.COUNTDOWN, timestamp_ms, str(self._count))]

    def _get_ready(self, verdict: Verdict, good: bool, timestamp_ms: int) -> list[Event]:
        """One count a second; out of position goes back to setup, not into a hold."""
        if not good:
            self._enter(Phase.SETUP, timestamp_ms)
            return []
        elapsed_ms = timestamp_ms - self._phase_start_ms
        if elapsed_ms >= self.config.countdown_s * 1000:
            return self._start_hold(verdict, timestamp_ms)
        count = self.config.countdown_s - elapsed_ms // 1000
        if count >= self._count:
            return []
        self._count = count
        return [self._event(EventKind.COUNTDOWN, timestamp_ms, str(count))]

    def _enter(self, phase: Phase, timestamp_ms: int) -> None:
        self.phase = phase
        self._phase_start_ms = timestamp_ms

    def _event(self, kind: EventKind, timestamp_ms: int, detail: str | None = None) -> Event:
        return Event(kind, timestamp_ms, self.rep, self.side, detail)

    def _start_hold(self, verdict: Verdict, timestamp_ms: int) -> list[Event]:
        if self._first_side is None and self._plan[self._index] is not None:
            # The first rep's side is whichever side the person chose.
            self._first_side = verdict.side or "left"
        self._enter(Phase.HOLDING, timestamp_ms)
        self._rep_start_ms = timestamp_ms
        self._held_ms = self._pending_ms = self._in_form_ms = 0.0
        self._fault_start_ms = None
        self._check_frames = {}
        self._progress = {}
        self._open_faults = {}
        self._faults = []
        self._track_checks(verdict, timestamp_ms)
        return [self._event(EventKind.HOLD_STARTED, timestamp_ms)]

    def _hold(self, verdict: Verdict, good: bool, dt_ms: int, timestamp_ms: int) -> list[Event]:
        self._track_checks(verdict, timestamp_ms)
        grace_ms = self.config.grace_s * 1000
        # The time since the last frame belongs to the last frame's state: a
        # fault starts at the first faulty frame. A gap in the stream longer
        # than the grace period is not counted at all.
        if dt_ms <= grace_ms:
            if self._fault_start_ms is None:
                self._held_ms += dt_ms
                self._in_form_ms += dt_ms
            else:
                self._pending_ms += dt_ms
        if good:
            # Back in form within the grace period: the fault's time counts.
            self._held_ms += self._pending_ms
            self._pending_ms = 0.0
            self._fault_start_ms = None
        elif self._fault_start_ms is None:
            self._fault_start_ms = timestamp_ms
        elif timestamp_ms - self._fault_start_ms > grace_ms:
            self._pending_ms = 0.0
            self._fault_start_ms = None
            self.phase = Phase.PAUSED
            self._pause_reason = "not visible" if not verdict.person else verdict.cue
            return [self._event(EventKind.HOLD_PAUSED, timestamp_ms, self._pause_reason)]
        if self._held_ms >= self.target_s * 1000:
            return self._complete_rep(timestamp_ms)
        return []

    def _track_checks(self, verdict: Verdict, timestamp_ms: int) -> None:
        """Per-check pass counts and fault spans for the rep's summary."""
        seconds = (timestamp_ms - self._rep_start_ms) / 1000.0
        failing = set()
        for r in verdict.results:
            if (
                verdict.aligned
                and r.check.id in self.reference.progress
                and r.value is not None
                and math.isfinite(r.value)
            ):
                self._progress.setdefault(r.check.id, []).append(r.value)
            if r.status == Status.UNKNOWN:
                continue  # not judged this frame: neither a pass nor a fail
            frames = self._check_frames.setdefault(r.check.id, [0, 0])
            frames[1] += 1
            if is_good(r.status):
                frames[0] += 1
            else:
                failing.add(r.check.id)
                self._open_faults.setdefault(r.check.id, (timestamp_ms, r.cue))
        for check_id in list(self._open_faults):
            if check_id not in failing:
                self._close_fault(check_id, seconds)

    def _close_fault(self, check_id: str, end_s: float) -> None:
        start_ms, cue = self._open_faults.pop(check_id)
        start_s = (start_ms - self._rep_start_ms) / 1000.0
        self._faults.append(FaultSpan(check_id, cue, start_s, end_s))

    def _summarize(self, timestamp_ms: int, completed: bool) -> RepSummary:
        end_s = (timestamp_ms - self._rep_start_ms) / 1000.0
        for check_id in list(self._open_faults):
            self._close_fault(check_id, end_s)
        return RepSummary(
            rep=self.rep,
            side=self.side,
            start_s=self._rep_start_ms / 1000.0,
            end_s=timestamp_ms / 1000.0,
            held_s=round(min(self._held_ms, self.target_s * 1000) / 1000.0, 3),
            target_s=self.target_s,
            in_form_s=round(min(self._in_form_ms, self._held_ms, self.target_s * 1000) / 1000.0, 3),
            completed=completed,
            pass_rate={k: p / n for k, (p, n) in self._check_frames.items() if n},
            faults=tuple(sorted(self._faults, key=lambda f: f.start_s)),
            progress={k: round(median(v), 3) for k, v in self._progress.items()},
        )

    def _complete_rep(self, timestamp_ms: int) -> list[Event]:
        self._reps.append(self._summarize(timestamp_ms, completed=True))
        events = [self._event(EventKind.REP_COMPLETED, timestamp_ms)]
        side_before = self.side
        self._index += 1
        self._held_ms = self._pending_ms = 0.0
        if self._index >= len(self._plan):
            self._index = len(self._plan)
            self._enter(Phase.DONE, timestamp_ms)
            events.append(self._event(EventKind.SESSION_DONE, timestamp_ms))
        elif self._stages:
            # The next phase follows at once: moving into it is part of the stretch.
            self._enter(Phase.SETUP, timestamp_ms)
        elif self.side != side_before:
            self._enter(Phase.SWITCH_SIDE, timestamp_ms)
            events.append(self._event(EventKind.SWITCH_SIDE, timestamp_ms))
        else:
            self._enter(Phase.REST, timestamp_ms)
            events.append(self._event(EventKind.REST_STARTED, timestamp_ms))
        return events

    def finish(self, timestamp_ms: int) -> list[RepSummary]:
        """End the session (the user quit or the video ended); a rep under way is
        summarized as not completed. Returns every rep's summary."""
        if self.phase in (Phase.HOLDING, Phase.PAUSED):
            last = self._last_ms if self._last_ms is not None else timestamp_ms
            if self.phase == Phase.HOLDING and self._fault_start_ms is None:
                self._held_ms += max(0, timestamp_ms - last)
            self._held_ms += self._pending_ms
            self._pending_ms = 0.0
            self._reps.append(self._summarize(timestamp_ms, completed=False))
            self._enter(Phase.SETUP, timestamp_ms)
        return self.reps

    # --- what to show --------------------------------------------------------

    def state(self, verdict: Verdict | None, timestamp_ms: int) -> CoachState:
        """What the overlay shows now."""
        cue = None if verdict is None else verdict.cue
        held, target = self.held_s, self.target_s
        if self.phase == Phase.SETUP:
            text = "Get into position" if self.stage is None else self.stage.label
            if verdict is not None and verdict.aligned and not self._right_side(verdict):
                cue = f"Switch to your {self.side} leg"
        elif self.phase == Phase.CONFIRMING:
            text = "Hold still, checking alignment"
        elif self.phase == Phase.GET_READY:
            text = f"Get ready: {self._count}"
            cue = None
        elif self.phase == Phase.HOLDING:
            text = f"Hold {held:.0f} / {target:.0f} s"
            if verdict is not None and verdict.aligned:
                cue = None
        elif self.phase == Phase.PAUSED:
            text = f"Paused at {held:.0f} / {target:.0f} s"
            if self._pause_reason == "not visible" and (verdict is None or not verdict.person):
                cue = "Come back into view to continue the hold"
        elif self.phase == Phase.SWITCH_SIDE:
            text = f"Switch to your {self.side} leg" if self.side else "Switch sides"
            if verdict is not None and verdict.aligned and not self._right_side(verdict):
                cue = text
        elif self.phase == Phase.REST:
            if self.config.release_between_reps:
                text = "Release, then go again"
            else:
                left = self.config.rest_s - (timestamp_ms - self._phase_start_ms) / 1000.0
                text = f"Rest {max(0.0, left):.0f} s"
            cue = None
        else:
            done = sum(r.completed for r in self._reps)
            text = f"Done: {done} of {self.reps_total} reps"
            cue = None
        progress = 0.0
        if self.phase == Phase.CONFIRMING and self.config.confirm_time_s > 0:
            progress = min(
                1.0, (timestamp_ms - self._phase_start_ms) / (self.config.confirm_time_s * 1000)
            )
        return CoachState(
            phase=self.phase,
            phase_text=text,
            held_s=held,
            target_s=target,
            rep=self.rep,
            reps_total=self.reps_total,
            side=self.side,
            cue=cue,
            confirm_progress=progress,
        )
