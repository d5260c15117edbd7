"""What to say, and when: a coached session's events and state in, one spoken line out.

`CueScheduler` is pure (time is passed in, nothing is played): the live loop
asks it every frame, and a test walks it through a table of frames. Its
rules, so a person who cannot see the screen can follow:

- One line at a time: while a line is being said (its length estimated from
  its words and the speaking rate), nothing new of the same or a lower
  priority starts. A line of a higher priority cuts it short: the steps
  (hold start, the 3-2-1 countdown, "5 seconds left", switch sides, rest,
  done, a routine's next step) come before news of progress (in position,
  hold paused or resumed), which comes before any correction, since a
  correction is stale once the person has moved on.
- A line that cannot be said yet waits; a newer line of the same or a higher
  priority replaces a waiting one (the newest is the one still true).
- A correction is said only once the same cue has been on screen for
  `SETTLE_S`, so a cue that flickers for a frame is never spoken, and the
  same correction at most every ``repeat_s`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from posecheck.coaching.session import CoachState, Event, EventKind, Phase

# How long a correction must stay on screen before it is said. The windowed
# verdict already smooths single frames; this keeps a cue that is shown for a
# moment during a movement from being read out after the person has moved on.
SETTLE_S = 1.0
# The same correction is said again after this long if it still applies:
# often enough to be a reminder, rarely enough not to nag during a 30 s hold.
REPEAT_S = 6.0
# A waiting announcement older than this is dropped: it is no longer news.
STALE_S = 4.0
# "5 seconds left" before the end of every hold at least this long.
LEFT_S = 5.0
MIN_HOLD_FOR_LEFT_S = 10.0
# espeak-ng's default speaking rate, in words per minute.
DEFAULT_RATE_WPM = 175
# A spoken line's length is estimated as its words at the speaking rate plus
# this, for the pauses a speech engine adds around a line.
_PAUSE_S = 0.4
# Corrections are said in these phases; elsewhere the screen shows no cue or
# the person is between reps.
_CORRECTING = frozenset({Phase.SETUP, Phase.PAUSED, Phase.HOLDING, Phase.SWITCH_SIDE})


class Priority(IntEnum):
    """A line with a higher priority is said first."""

    CORRECTION = 0
    PROGRESS = 1  # in position, hold paused or resumed
    STEP = 2  # hold start, countdown, time left, switch sides, rest, done, next step


@dataclass(frozen=True)
class Line:
    """One thing to say, decided at ``timestamp_ms`` (the frame's time)."""

    text: str
    priority: Priority
    timestamp_ms: int


def spoken_s(text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> float:
    """About how long ``text`` takes to say at ``rate_wpm``."""
    return len(text.split()) * 60.0 / rate_wpm + _PAUSE_S


def event_line(event: Event, state: CoachState) -> Line | None:
    """The spoken words for a session event (None for one said by the next event)."""
    kind, t = event.kind, event.timestamp_ms
    if kind == EventKind.IN_POSITION:
        return Line("Good, hold still", Priority.PROGRESS, t)
    if kind == EventKind.COUNTDOWN and event.detail:
        return Line(event.detail, Priority.STEP, t)
    if kind == EventKind.HOLD_STARTED:
        return Line(f"Hold for {state.target_s:.0f} seconds", Priority.STEP, t)
    if kind == EventKind.HOLD_PAUSED:
        # Paused for a fault: its correction, on screen through the grace
        # period, says it. Paused out of view: say so.
        if event.detail != "not visible":
            return None
        return Line("Come back into view", Priority.PROGRESS, t)
    if kind == EventKind.HOLD_RESUMED:
        return Line("Holding again", Priority.PROGRESS, t)
    if kind == EventKind.SWITCH_SIDE:
        text = f"Switch to your {event.side} leg" if event.side else "Switch sides"
        return Line(text, Priority.STEP, t)
    if kind == EventKind.REST_STARTED:
        return Line("Rest", Priority.STEP, t)
    if kind == EventKind.SESSION_DONE:
        return Line("Done. Well done", Priority.STEP, t)
    # A completed rep is followed in the same frame by switch sides, rest or done,
    # which say it.
    return None


class CueScheduler:
    """Decides, frame by frame, the one line to say now (or None).

    ``update(events, state, timestamp_ms)`` takes a coached frame's events and
    state; `announce` queues a line from outside the session (a routine's
    "Next: child's pose"). ``rate_wpm`` is the speaking rate, used to tell
    when the line being said ends.
    """

    def __init__(self, *, rate_wpm: int = DEFAULT_RATE_WPM, repeat_s: float = REPEAT_S) -> None:
        if rate_wpm <= 0 or repeat_s < 0:
            raise ValueError(f"need rate_wpm > 0 and repeat_s >= 0 (got {rate_wpm}, {repeat_s})")
        self.rate_wpm = rate_wpm
        self.repeat_s = repeat_s
        self._waiting: Line | None = None
        self._busy_until_ms = 0
        self._saying = Priority.CORRECTION  # the priority of the line being said
        self._last_said_ms: dict[str, int] = {}  # correction -> when it was last said
        self._cue: str | None = None  # the correction on screen, and since when
        self._cue_since_ms = 0
        self._left_said_rep: int | None = None  # the rep "5 seconds left" was said in

    def announce(self, text: str, timestamp_ms: int) -> None:
        """Say ``text`` as soon as the line being said ends, before any correction."""
        self._wait(Line(text, Priority.STEP, timestamp_ms))

    def update(self, events: Iterable[Event], state: CoachState, timestamp_ms: int) -> Line | None:
        for event in events:
            line = event_line(event, state)
            if line is not None:
                self._wait(line)
        if self._time_left_now(state):
            self._wait(Line(f"{LEFT_S:.0f} seconds left", Priority.STEP, timestamp_ms))
        correction = self._settled_cue(state, timestamp_ms)
        busy = timestamp_ms < self._busy_until_ms
        waiting = self._waiting
        if waiting is not None and timestamp_ms - waiting.timestamp_ms > STALE_S * 1000:
            waiting = self._waiting = None
        if waiting is not None and (not busy or waiting.priority > self._saying):
            self._waiting = None
            return self._say(waiting, timestamp_ms)
        if busy:
            return None
        if correction is not None:
            last = self._last_said_ms.get(correction)
            if last is None or timestamp_ms - last >= self.repeat_s * 1000:
                self._last_said_ms[correction] = timestamp_ms
                return self._say(Line(correction, Priority.CORRECTION, timestamp_ms), timestamp_ms)
        return None

    def _wait(self, line: Line) -> None:
        if self._waiting is None or line.priority >= self._waiting.priority:
            self._waiting = line

    def _say(self, line: Line, timestamp_ms: int) -> Line:
        self._busy_until_ms = timestamp_ms + round(spoken_s(line.text, self.rate_wpm) * 1000)
        self._saying = line.priority
        return line

    def _time_left_now(self, state: CoachState) -> bool:
        """True on the first frame of a long enough hold with `LEFT_S` or less to go."""
        if state.phase != Phase.HOLDING or state.target_s < MIN_HOLD_FOR_LEFT_S:
            return False
        if state.target_s - state.held_s > LEFT_S or self._left_said_rep == state.rep:
            return False
        self._left_said_rep = state.rep
        return True

    def _settled_cue(self, state: CoachState, timestamp_ms: int) -> str | None:
        """The correction on screen, once it has been there for `SETTLE_S`."""
        cue = state.cue if state.phase in _CORRECTING else None
        if cue != self._cue:
            self._cue, self._cue_since_ms = cue, timestamp_ms
        if cue is None or timestamp_ms - self._cue_since_ms < SETTLE_S * 1000:
            return None
        return cue
