"""Session reports: what a scored recording comes to, and its JSON and CSV forms.

`ReportBuilder` takes the coached frames of a recording one by one (it keeps
per-frame numbers, never pictures, so memory stays small as the video grows)
and `build` turns them and the session's rep summaries into a `ScoreReport`.

The session score is defined once, here (`session_score_pct`), and the README
and the report (above its rep table) say the same in words: the seconds held in form,
summed over the prescribed reps, as a percentage of the prescribed hold time
(the hold times the number of holds). "In form" is time counted toward the
hold with every blocking check passing; a borderline value (outside the
target by less than the model's measurement error) counts as passing, an
advice check never counts. A rep never started adds 0 s. Every number that
goes into it (held, in form, target, per rep) is in the report.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from posecheck import atomic
from posecheck.catalog.reference import Reference
from posecheck.catalog.schema import Check, Unit
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.session import rep_plan
from posecheck.form.checks import target_text
from posecheck.io.info import SourceInfo


def form_pct(rep: RepSummary) -> float:
    """The share of a rep's held time spent in form, 0-100."""
    if rep.held_s <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * rep.in_form_s / rep.held_s)), 1)


def rep_score_pct(rep: RepSummary) -> float:
    """A rep's seconds in form as a percentage of its target, 0-100."""
    if rep.target_s <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * rep.in_form_s / rep.target_s)), 1)


def session_score_pct(reps: Sequence[RepSummary], hold_s: float, prescribed: int) -> int:
    """THE session score, 0-100: seconds in form over the reps (at most the target
    each) as a percentage of ``hold_s`` x ``prescribed``; 0 when nothing is prescribed."""
    due = hold_s * prescribed
    if due <= 0:
        return 0
    in_form = sum(min(r.in_form_s, r.target_s) for r in reps[:prescribed])
    return round(min(100.0, max(0.0, 100.0 * in_form / due)))


def paused_s(rep: RepSummary) -> float:
    """Time of a rep not counted toward its hold: pauses and slips past the grace period."""
    return round(max(0.0, rep.end_s - rep.start_s - rep.held_s), 3)


def axis_words(check: Check) -> str:
    """What a check's values mean, for an axis: the unit, and what 1.0 of it is."""
    unit = check.kind.unit
    if unit is Unit.DEG:
        return "degrees"
    if unit is Unit.LEN and check.unit is not None:
        a, b = (p.part for p in check.unit)
        if a == b:
            return f"{a} widths (1.0 = {a} to {a})".replace("_", " ")
        name = _SEGMENTS.get(frozenset((a, b)), f"{a}-to-{b}")
        return f"{name} lengths (1.0 = {a} to {b})".replace("_", " ")
    if unit is Unit.RATIO and len(check.points) == 4:
        p1, p2, p3, p4 = check.points
        if p1.part == p2.part and p3.part == p4.part:
            return f"ratio (1.0 = {p1.part} gap = {p3.part} gap)".replace("_", " ")
        return "ratio (1.0 = the two distances equal)"
    return unit.words


_SEGMENTS = {
    frozenset(("knee", "ankle")): "shin",
    frozenset(("hip", "knee")): "thigh",
    frozenset(("shoulder", "hip")): "torso",
    frozenset(("shoulder", "elbow")): "upper-arm",
}


@dataclass(frozen=True)
class ReferenceFile:
    """A reference file a report was scored against, for the record."""

    stretch: str
    file: str
    sha256_12: str  # the first 12 hex digits of the file's SHA-256


@dataclass(frozen=True)
class ReportContext:
    """Who and what a report is about, and what produced it."""

    name: str | None = None
    note: str | None = None
    recorded_at: str | None = None  # ISO 8601
    recorded_at_from: str | None = None  # "file metadata" or "file modification time"
    scored_at: str | None = None  # ISO 8601
    posecheck_version: str = ""
    references: tuple[ReferenceFile, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "note": self.note,
            "recorded_at": self.recorded_at,
            "recorded_at_from": self.recorded_at_from,
            "scored_at": self.scored_at,
            "posecheck_version": self.posecheck_version,
            "references": [
                {"stretch": r.stretch, "file": r.file, "sha256_12": r.sha256_12}
                for r in self.references
            ],
        }


@dataclass
class Series:
    """One check's value over the recording, for the plots (None where unmeasured)."""

    check_id: str
    label: str
    kind: str
    target: str
    low: float | None
    high: float | None
    axis: str = ""  # the unit in words and what 1.0 means
    advice: bool = False
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
    context: ReportContext = field(default_factory=ReportContext)
    # The per-frame form score (0-100, None where no person was judged), for its plot.
    form_times_s: list[float] = field(default_factory=list)
    form_scores: list[int | None] = field(default_factory=list)

    @property
    def labels(self) -> dict[str, str]:
        return {s.check_id: s.label for s in self.series}

    @property
    def advice_ids(self) -> frozenset[str]:
        return frozenset(s.check_id for s in self.series if s.advice)

    def main_fault(self, rep: RepSummary) -> str | None:
        """The blocking check that failed longest in a rep (advice checks are tips)."""
        totals: dict[str, float] = {}
        for f in rep.faults:
            if f.check_id not in self.advice_ids:
                totals[f.check_id] = totals.get(f.check_id, 0.0) + f.end_s - f.start_s
        return max(totals, key=lambda k: totals[k]) if totals else None

    def label(self, check_id: str | None) -> str | None:
        return None if check_id is None else self.labels.get(check_id, check_id)

    @property
    def held_s(self) -> float:
        return round(sum(r.held_s for r in self.reps), 3)

    @property
    def prescribed_s(self) -> float:
        hold = self.prescription.get("hold_s", 0)
        return float(hold) * self.reps_prescribed if isinstance(hold, int | float) else 0.0

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
            f"{self.reps_completed} of {self.reps_prescribed} {noun} completed; "
            f"score {self.score}% ({self.time_in_form_s:.1f} s in form of "
            f"{self.prescribed_s:g} s)."
        )

    def to_json(self) -> dict[str, Any]:
        v = self.video
        return {
            "video": {
                "path": v.path,
                "frames": v.frames,
                "fps": round(v.fps, 3),
                "duration_s": round(v.duration_s, 3),
                "width_px": v.width,
                "height_px": v.height,
                "rotation_deg": v.rotation_deg,
            },
            "context": self.context.to_json(),
            "stretch": self.stretch,
            "stretch_label": self.stretch_name,
            "prescription": self.prescription,
            "reps": [self._rep_json(r) for r in self.reps],
            "summary": {
                "verdict": self.verdict_text(),
                "score_pct": self.score,
                "reps_completed": self.reps_completed,
                "reps_prescribed": self.reps_prescribed,
                "prescribed_s": round(self.prescribed_s, 3),
                "held_s": self.held_s,
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

    def _rep_json(self, r: RepSummary) -> dict[str, Any]:
        main = self.main_fault(r)
        return {
            "rep": r.rep,
            "side": r.side,
            "start_s": round(r.start_s, 3),
            "end_s": round(r.end_s, 3),
            "held_s": round(r.held_s, 3),
            "target_s": r.target_s,
            "paused_s": paused_s(r),
            "in_form_s": round(r.in_form_s, 3),
            "in_form_pct": form_pct(r),
            "score_pct": rep_score_pct(r),
            "completed": r.completed,
            "pass_pct": {k: round(100 * v, 1) for k, v in r.pass_rate.items()},
            "main_fault": main,
            "main_fault_label": self.label(main),
            "faults": [
                {
                    "check": f.check_id,
                    "label": self.label(f.check_id),
                    "advice": f.check_id in self.advice_ids,
                    "cue": f.cue,
                    "start_s": round(r.start_s + f.start_s, 3),
                    "end_s": round(r.start_s + f.end_s, 3),
                }
                for f in r.faults
            ],
        }


class ReportBuilder:
    """Collects what a report needs from each coached frame of one recording."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.frames = 0
        self._visible = 0
        self._reached = False
        self._times: list[float] = []
        self._scores: list[int | None] = []
        self.series = [
            Series(
                c.id,
                c.label,
                c.kind.value,
                target_text(c),
                c.limits.low,
                c.limits.high,
                axis=axis_words(c),
                advice=c.advice,
            )
            for c in reference.checks
        ]
        self._by_id = {s.check_id: s for s in self.series}

    def add(self, result: CoachFrame) -> None:
        self.frames += 1
        verdict = result.verdict
        self._visible += verdict.person
        self._reached = self._reached or (verdict.person and verdict.gates_passed)
        t = result.detection.timestamp_ms / 1000.0
        # Every series gets a point every frame, None where its check was not
        # measured, so a plot breaks there instead of bridging the gap.
        by_id = {r.check.id: r for r in verdict.results}
        for series in self.series:
            r = by_id.get(series.check_id)
            value = None if r is None or r.value is None else round(r.value, 3)
            series.times_s.append(t)
            series.values.append(value)
            series.statuses.append("unknown" if r is None else str(r.status))
        self._times.append(t)
        # A form score is 0-100 whatever produced it; none without a judged person.
        judged = verdict.person and any(r.value is not None for r in verdict.results)
        self._scores.append(min(100, max(0, verdict.score)) if judged else None)

    def build(
        self,
        video: SourceInfo,
        reps: list[RepSummary],
        processing_s: float,
        snapshots: list[Snapshot] | None = None,
    ) -> ScoreReport:
        p = self.reference.prescription
        total = len(rep_plan(p))
        hold_s = reps[0].target_s if reps else p.hold_s
        return ScoreReport(
            video=video,
            stretch=self.reference.id,
            stretch_name=self.reference.name,
            prescription={
                "hold_s": hold_s,
                "reps": p.reps,
                "sides": p.sides,
                "alternate": p.alternate,
            },
            reps=reps,
            reps_prescribed=total,
            score=session_score_pct(reps, hold_s, total),
            time_in_form_s=round(sum(r.in_form_s for r in reps[:total]), 3),
            person_visible_pct=100.0 * self._visible / self.frames if self.frames else 0.0,
            processing_s=processing_s,
            series=self.series,
            snapshots=snapshots or [],
            position_reached=self._reached,
            form_times_s=self._times,
            form_scores=self._scores,
        )


class CsvWriter:
    """One row per frame, streamed to a temporary file and renamed into place when
    the recording is done, so memory stays flat and no half-written CSV is left."""

    def __init__(self, path: Path, reference: Reference) -> None:
        self._partial = atomic.Partial(path, option="--csv")
        self.path = path
        self._ids = [c.id for c in reference.checks]
        units = {c.id: c.kind.unit.value for c in reference.checks}
        try:
            self._file = self._partial.temp.open("w", newline="", encoding="utf-8")
        except OSError as error:
            raise self._partial.error(error) from None
        self._csv = csv.writer(self._file)
        header = [
            "timestamp_ms",
            "person_visible",
            "phase",
            "rep",
            "side",
            "held_s",
            "form_score_pct",
        ]
        for check_id in self._ids:
            header += [f"{check_id}_value_{units[check_id]}", f"{check_id}_status"]
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
