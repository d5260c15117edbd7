"""The coach: detections in, coached frames out (smoothing -> windowed checks -> session).

Pure and deterministic: time comes from each detection's timestamp, so a
recording coaches the same on every run and every machine. No camera, no
window, no printing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import Detection, Pose
from posecheck.body.smoothing import PoseSmoother
from posecheck.catalog.reference import Reference
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.session import CoachState, Event, Session, SessionConfig
from posecheck.form.checks import Verdict
from posecheck.form.temporal import SteadyJudge


@dataclass(frozen=True)
class CoachFrame:
    """One frame of a coached session: what was found, judged and decided.

    ``frame`` is the BGR picture (None when replaying a landmark recording);
    ``pose`` the smoothed pose the checks judged.
    """

    frame: npt.NDArray[np.uint8] | None
    detection: Detection
    pose: Pose | None
    verdict: Verdict
    events: tuple[Event, ...]
    state: CoachState


class Coach:
    """Detections in, coached frames out: smoothing -> windowed checks -> session.

    Each check is judged on a short window of frames (`temporal.SteadyJudge`),
    not on the frame alone, so one bad frame does not flip a verdict.
    Pure and deterministic: time comes from each detection's timestamp.
    """

    def __init__(self, reference: Reference, config: SessionConfig | None = None) -> None:
        self.reference = reference
        self.session = Session(reference, config)
        self._smoother = PoseSmoother()
        self._judge = SteadyJudge(reference)

    def step(self, detection: Detection, frame: npt.NDArray[np.uint8] | None = None) -> CoachFrame:
        t = detection.timestamp_ms
        pose = self._smoother.update(detection.pose, t)
        verdict = self.session.judged(self._judge.update(pose, t))
        events = tuple(self.session.update(verdict, t))
        return CoachFrame(frame, detection, pose, verdict, events, self.session.state(verdict, t))

    def watch(self, detection: Detection, frame: npt.NDArray[np.uint8] | None = None) -> CoachFrame:
        """Judge a frame without advancing the session: a routine shows the next
        stretch's verdict while the person rests, and the window is warm when
        the step begins."""
        t = detection.timestamp_ms
        pose = self._smoother.update(detection.pose, t)
        verdict = self._judge.update(pose, t)
        return CoachFrame(frame, detection, pose, verdict, (), self.session.state(verdict, t))

    @property
    def reps_total(self) -> int:
        return self.session.reps_total

    def finish(self, timestamp_ms: int) -> list[RepSummary]:
        return self.session.finish(timestamp_ms)
