"""Session reports: what a scored recording comes to, and its JSON and CSV forms.

`ReportBuilder` takes the coached frames of a recording one by one (it keeps
per-frame numbers, never pictures, so memory stays small as the video grows)
and `build` turns them and the session's rep summaries into a `ScoreReport`.

The session score (0-100), as the README defines it: each prescribed rep
scores its completion (seconds held over the target, at most 1) times its
form (the mean form score of the frames while it was held); the session
score is the mean over the prescribed reps, a rep never started scoring 0.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from posecheck import atomic
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.session import TIMED_PHASES, RepSummary, rep_plan
from posecheck.form.checks import target_text
from posecheck.io.info import SourceInfo


def form_pct(rep: RepSummary) -> float:
    """The share of a rep's held time spent in form, 0-100."""
    if rep.held_s <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * rep.in_form_s / rep.held_s)), 1)


@dataclass
class Series:
    """One check's value over the recording, for the plots (None where unmeasured)."""

    check_id: str
    label: str
    kind: str
    target: str
    low: float | None
    high: float | None
    times_s: list[float] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    """One of the worst moments, as a JPEG of the frame with the overlay."""

    time_s: float
    caption: str
    jpeg: bytes


@dataclass(frozen=True)
class ScoreReport:
    video: SourceInfo
    stretch: str
    stretch_name: str
    prescription: dict[str, Any]
    reps: list[RepSummary]
    reps_prescribed: int
    score: int
    time_in_form_s: float
    person_visible_pct: float
    processing_s: float
    series: list[Series]
    snapshots: list[Snapshot]
    position_reached: bool
    # Problems with the file that did not stop scoring (e.g. a truncated video).
    warnings: list[str] = field(default_factory=list)

    @property
    def reps_completed(self) -> int:
        return sum(r.completed for r in self.reps)

    @property
    def realtime_factor(self) -> float:
        """How many times faster than real time the recording was scored."""
        return self.video.duration_s / self.processing_s if self.processing_s > 0 else 0.0

    def verdict_text(self) -> str:
        """One line a person reads first."""
        if self.person_visible_pct == 0:
            return "No person was found anywhere in the recording."
        if not self.position_reached:
            return f"The {self.stretch_name} position was never reached."
        noun = "rep" if self.reps_prescribed == 1 else "reps"
        return (
            f"{self.reps_completed} of {self.reps_prescribed} {noun} completed; score {self.score}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "video": {
                "path": self.video.path,
                "frames": self.video.frames,
                "fps": round(self.video.fps, 3),
                "duration_s": round(self.video.duration_s, 3),
                "width": self.video.width,
                "height": self.video.height,
                "rotation_deg": self.video.rotation_deg,
            },
            "stretch": self.stretch,
            "prescription": self.prescription,
            "reps": [
                {
                    "rep": r.rep,
                    "side": r.side,
                    "start_s": round(r.start_s, 3),
                    "end_s": round(r.end_s, 3),
                    "held_s": round(r.held_s, 3),
                    "target_s": r.target_s,
                    "completed": r.completed,
                    "form_pct": form_pct(r),
                    "pass_rate": {k: round(v, 3) for k, v in r.pass_rate.items()},
                    "main_fault": r.main_fault,
                    "faults": [
                        {
                            "check": f.check_id,
                            "cue": f.cue,
                            "start_s": round(r.start_s + f.start_s, 3),
                            "end_s": round(r.start_s + f.end_s, 3),
                        }
                        for f in r.faults
                    ],
                }
                for r in self.reps
            ],
            "summary": {
                "verdict": self.verdict_text(),
                "score": self.score,
                "reps_completed": self.reps_completed,
                "reps_prescribed": self.reps_prescribed,
                "time_in_form_s": round(self.time_in_form_s, 3),
                "person_visible_pct": round(self.person_visible_pct, 1),
                "position_reached": self.position_reached,
            },
            "timing": {
                "processing_s": round(self.processing_s, 3),
                "realtime_factor": round(self.realtime_factor, 2),
            },
            "warnings": list(self.warnings),
        }


class ReportBuilder:
    """Collects what a report needs from each coached frame of one recording."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.frames = 0
        self._visible = 0
        self._reached = False
        self._rep_scores: dict[int, list[int]] = {}
        self.series = [
            Series(c.id, c.label, c.kind.value, target_text(c), c.limits.low, c.limits.high)
            for c in reference.checks
        ]
        self._by_id = {s.check_id: s for s in self.series}

    def add(self, result: CoachFrame) -> None:
        self.frames += 1
        verdict = result.verdict
        self._visible += verdict.person
        self._reached = self._reached or (verdict.person and verdict.gates_passed)
        t = result.detection.timestamp_ms / 1000.0
        for r in verdict.results:
            series = self._by_id.get(r.check.id)
            if series is None:
                continue
            series.times_s.append(t)
            series.values.append(None if r.value is None else round(r.value, 3))
            series.statuses.append(str(r.status))
        if result.state.phase in TIMED_PHASES:
            # A form score is 0-100 whatever produced it.
            score = min(100, max(0, verdict.score))
            self._rep_scores.setdefault(result.state.rep, []).append(score)

    def build(
        self,
        video: SourceInfo,
        reps: list[RepSummary],
        processing_s: float,
        snapshots: list[Snapshot] | None = None,
    ) -> ScoreReport:
        p = self.reference.prescription
        total = len(rep_plan(p))
        rep_points = []
        for r in reps:
            frames = self._rep_scores.get(r.rep, [])
            form = sum(frames) / len(frames) / 100 if frames else 0.0
            rep_points.append(min(1.0, r.held_s / r.target_s) * form)
        score = round(100 * sum(rep_points) / total) if total else 0
        return ScoreReport(
            video=video,
            stretch=self.reference.id,
            stretch_name=self.reference.name,
            prescription={
                "hold_s": reps[0].target_s if reps else p.hold_s,
                "reps": p.reps,
                "sides": p.sides,
                "alternate": p.alternate,
            },
            reps=reps,
            reps_prescribed=total,
            score=score,
            time_in_form_s=sum(r.in_form_s for r in reps),
            person_visible_pct=100.0 * self._visible / self.frames if self.frames else 0.0,
            processing_s=processing_s,
            series=self.series,
            snapshots=snapshots or [],
            position_reached=self._reached,
        )


class CsvWriter:
    """One row per frame, streamed to a temporary file and renamed into place when
    the recording is done, so memory stays flat and no half-written CSV is left."""

    def __init__(self, path: Path, reference: Reference) -> None:
        self._partial = atomic.Partial(path, option="--csv")
        self.path = path
        self._ids = [c.id for c in reference.checks]
        try:
            self._file = self._partial.temp.open("w", newline="", encoding="utf-8")
        except OSError as error:
            raise self._partial.error(error) from None
        self._csv = csv.writer(self._file)
        header = ["timestamp_ms", "person", "phase", "rep", "side", "held_s", "score"]
        for check_id in self._ids:
            header += [f"{check_id}_value", f"{check_id}_status"]
        self._csv.writerow(header)

    def add(self, result: CoachFrame) -> None:
        verdict, state = result.verdict, result.state
        by_id = {r.check.id: r for r in verdict.results}
        row: list[object] = [
            result.detection.timestamp_ms,
            int(verdict.person),
            str(state.phase),
            state.rep,
            state.side or "",
            round(state.held_s, 3),
            verdict.score,
        ]
        for check_id in self._ids:
            r = by_id.get(check_id)
            value = "" if r is None or r.value is None or math.isnan(r.value) else round(r.value, 3)
            row += [value, "" if r is None else str(r.status)]
        self._csv.writerow(row)

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        self._partial.__exit__(exc_type, exc, tb)
