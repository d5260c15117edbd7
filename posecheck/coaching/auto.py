"""Coaching whatever stretch the user is doing: recognition, then the coach of that stretch.

Frame by frame, with time passed in: the pose is smoothed, every stretch
judges it (`form.recognize`, a few times a second: the answer only needs to
settle within a second, and judging every stretch costs more than one), and
`StableGuess` settles on one. When a stretch settles, a segment begins: a
fresh `Coach` for that stretch, fed first with the frames since the stretch
was first recognised (kept in a short buffer), so its hold counts from the
moment the user got there and not a second later. The segment's coach then
gets every frame until another stretch settles; "none" (standing up, moving
between stretches) does not end it, since its session pauses by itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import Detection, Pose
from posecheck.body.smoothing import PoseSmoother
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import Coach, CoachFrame
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.session import SessionConfig
from posecheck.form.recognize import STABLE_S, Recognition, StableGuess, recognize

# How often every stretch judges the pose. Five times a second is plenty for
# an answer that must last `STABLE_S` before it counts.
RECOGNIZE_EVERY_MS = 200
# Frames kept to replay to a new segment's coach: the settling time and a margin.
BUFFER_MS = round(STABLE_S * 1000) + 1000


@dataclass
class Segment:
    """One stretch, from when it was first recognised to the last time it was seen."""

    stretch: str
    start_ms: int
    end_ms: int
    coach: Coach
    reps: list[RepSummary] = field(default_factory=list)
    fed_ms: int = 0  # the time of the last frame its coach was given


@dataclass(frozen=True)
class AutoFrame:
    """One frame of auto coaching.

    ``recognition`` is the latest ranking (it is refreshed every
    `RECOGNIZE_EVERY_MS`); ``guess`` the stretch it names for now, settled or
    not; ``segment`` the index of the segment being coached (None before the
    first); ``coached`` every frame the segment's coach produced in this step,
    oldest first (more than one when a new segment replays its first frames).
    """

    detection: Detection
    pose: Pose | None
    recognition: Recognition
    guess: str | None
    settled: str | None
    segment: int | None
    coached: tuple[CoachFrame, ...]

    @property
    def current(self) -> CoachFrame | None:
        """The coach's frame for this very frame, if a stretch is being coached."""
        return self.coached[-1] if self.coached else None


class AutoCoach:
    """Detections in, the recognised stretch coached: see the module docstring."""

    def __init__(
        self, references: Mapping[str, Reference], config: SessionConfig | None = None
    ) -> None:
        self.references = dict(references)
        self.config = config
        self.segments: list[Segment] = []
        self._smoother = PoseSmoother()
        self._guess = StableGuess()
        self._recognition: Recognition | None = None
        self._recognised_ms: int | None = None
        self._buffer: deque[Detection] = deque()

    @property
    def current(self) -> Segment | None:
        return self.segments[-1] if self.segments else None

    def _recognise(self, pose: Pose | None, timestamp_ms: int) -> Recognition:
        recognition, last_ms = self._recognition, self._recognised_ms
        if (
            recognition is None
            or last_ms is None
            or not 0 <= timestamp_ms - last_ms < RECOGNIZE_EVERY_MS
        ):
            recognition = recognize(pose, self.references, self._guess.settled)
            self._recognition, self._recognised_ms = recognition, timestamp_ms
        return recognition

    def step(self, detection: Detection, frame: npt.NDArray[np.uint8] | None = None) -> AutoFrame:
        t = detection.timestamp_ms
        pose = self._smoother.update(detection.pose, t)
        recognition = self._recognise(pose, t)
        guess = recognition.stretch
        before = self._guess.settled
        settled = self._guess.update(guess, t)
        coached: list[CoachFrame] = []
        if settled is not None and settled != before and self._guess.since_ms is not None:
            coached += self._begin(settled, self._guess.since_ms, t)
        segment = self.current
        if segment is not None:
            coached.append(segment.coach.step(detection, frame))
            segment.fed_ms = t
            if guess == segment.stretch:
                segment.end_ms = t
        self._buffer.append(detection)
        while self._buffer and t - self._buffer[0].timestamp_ms > BUFFER_MS:
            self._buffer.popleft()
        index = len(self.segments) - 1 if self.segments else None
        return AutoFrame(detection, pose, recognition, guess, settled, index, tuple(coached))

    def _begin(self, stretch: str, since_ms: int, now_ms: int) -> list[CoachFrame]:
        """End the current segment and start one for ``stretch``, replaying its first frames."""
        last = self.current
        if last is not None and last.stretch == stretch:
            return []  # the same stretch again after a pause: its coach goes on
        if last is not None:
            last.reps = last.coach.finish(last.fed_ms)
        coach = Coach(self.references[stretch], self.config)
        self.segments.append(Segment(stretch, since_ms, now_ms, coach, fed_ms=now_ms))
        return [coach.step(d) for d in self._buffer if since_ms <= d.timestamp_ms < now_ms]

    def finish(self, timestamp_ms: int) -> list[Segment]:
        """Every segment, the last one finished at ``timestamp_ms``."""
        last = self.current
        if last is not None:
            last.reps = last.coach.finish(max(last.fed_ms, timestamp_ms))
        return list(self.segments)
