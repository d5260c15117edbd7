"""The report of a recorded routine: the stretch report of each step, grouped.

Each step is scored as its own stretch would be (`ScoreReport`, from the frames
while that step was under way), so a step's JSON, table and plots read like a
one-stretch report. The routine adds the steps' order, their status (done,
skipped, stopped, not started) and where each begins and ends in the
recording. The JSON calls the steps ``segments``, the shape `score --stretch
auto` uses for the stretches it finds, with ``step`` and ``status`` added.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from html import escape
from pathlib import Path, PurePath
from types import TracebackType
from typing import Any

from posecheck import atomic
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.routine import StepStatus
from posecheck.io.info import SourceInfo
from posecheck.report import html, svg
from posecheck.report.summary import ScoreReport

_STATUS_TEXT = {
    StepStatus.DONE: "done",
    StepStatus.SKIPPED: "skipped",
    StepStatus.STOPPED: "stopped before the end",
    StepStatus.NOT_STARTED: "not started",
}


@dataclass(frozen=True)
class StepReport:
    """One step of the routine: where it lies in the recording, and its stretch report."""

    step: int
    status: StepStatus
    start_s: float | None
    end_s: float | None
    report: ScoreReport

    def to_json(self) -> dict[str, Any]:
        own = self.report.to_json()
        return {
            "step": self.step,
            "stretch": own["stretch"],
            "stretch_label": self.report.stretch_name,
            "status": self.status.value,
            "start_s": None if self.start_s is None else round(self.start_s, 3),
            "end_s": None if self.end_s is None else round(self.end_s, 3),
            "prescription": own["prescription"],
            "reps": own["reps"],
            "summary": own["summary"],
        }


@dataclass(frozen=True)
class RoutineReport:
    video: SourceInfo
    routine: str
    routine_name: str
    steps: list[StepReport]
    processing_s: float
    warnings: list[str] = field(default_factory=list)

    @property
    def steps_done(self) -> int:
        return sum(s.status is StepStatus.DONE for s in self.steps)

    @property
    def score(self) -> int:
        """The mean of the steps' scores: a step skipped or never started counts
        for what it reached, 0 if nothing."""
        if not self.steps:
            return 0
        return round(sum(s.report.score for s in self.steps) / len(self.steps))

    @property
    def time_in_form_s(self) -> float:
        return sum(s.report.time_in_form_s for s in self.steps)

    @property
    def realtime_factor(self) -> float:
        return self.video.duration_s / self.processing_s if self.processing_s > 0 else 0.0

    def verdict_text(self) -> str:
        return f"{self.steps_done} of {len(self.steps)} steps done; score {self.score}."

    def to_json(self) -> dict[str, Any]:
        first = self.steps[0].report.to_json() if self.steps else {}
        return {
            "video": first.get("video"),
            "context": first.get("context"),
            "routine": self.routine,
            "routine_label": self.routine_name,
            "segments": [s.to_json() for s in self.steps],
            "summary": {
                "verdict": self.verdict_text(),
                "score_pct": self.score,
                "steps_done": self.steps_done,
                "steps_total": len(self.steps),
                "time_in_form_s": round(self.time_in_form_s, 3),
            },
            "timing": {
                "processing_s": round(self.processing_s, 3),
                "realtime_factor": round(self.realtime_factor, 2),
            },
            "warnings": list(self.warnings),
        }


def status_text(status: StepStatus) -> str:
    return _STATUS_TEXT[status]


# --- HTML ----------------------------------------------------------------------


def render_html(report: RoutineReport) -> str:
    """The routine as one HTML document: an overview of the steps, then each step
    as its own stretch report (summary, reps, plots)."""
    title = f"{report.routine_name}: {PurePath(report.video.path).name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} - posecheck report</title>",
        f"<style>{html.CSS}</style>",
        "</head>",
        "<body>",
        _overview(report),
        *(_step_section(step) for step in report.steps),
        html._footer(report.steps[0].report) if report.steps else "",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def write_html(report: RoutineReport, path: Path) -> None:
    atomic.write(path, render_html(report))


def _overview(report: RoutineReport) -> str:
    rows = "".join(
        f'<tr class="step-row" data-step="{s.step}">'
        f'<td class="num">{s.step}</td>'
        f'<td><a href="#step-{s.step}">{escape(s.report.stretch_name)}</a></td>'
        f"<td>{escape(status_text(s.status))}</td>"
        f'<td class="num">{_span(s)}</td>'
        f'<td class="num">{s.report.reps_completed} / {s.report.reps_prescribed}</td>'
        f'<td class="num">{s.report.time_in_form_s:.1f} s</td>'
        f'<td class="num">{s.report.score}</td></tr>'
        for s in report.steps
    )
    head = "".join(
        f'<th class="tight">{name}</th>'
        for name in ("Step", "Stretch", "Status", "Start&ndash;end", "Reps", "In form", "Score")
    )
    return (
        "<header>"
        f"<h1>{escape(report.routine_name)} <code>{escape(report.routine)}</code></h1>"
        f'<p class="meta"><span>Video <strong>{escape(PurePath(report.video.path).name)}'
        f"</strong></span><span>{report.video.duration_s:.1f} s</span></p>"
        f'<p class="verdict partial" id="verdict">{escape(report.verdict_text())}</p>'
        "</header>"
        '<section id="steps"><h2>Steps</h2>'
        f'<table class="rep-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        '<p class="muted">A step ends when its prescription is done, or when the person '
        "has left its stretch and holds a later step's stretch in position for 2 s; "
        "the steps passed over count as skipped.</p></section>"
    )


def _span(step: StepReport) -> str:
    if step.start_s is None or step.end_s is None:
        return "&mdash;"
    return f"{step.start_s:.1f}&ndash;{step.end_s:.1f} s"


def _step_section(step: StepReport) -> str:
    labels = {s.check_id: s.label for s in step.report.series}
    return (
        f'<section class="step" id="step-{step.step}">'
        f"<h2>Step {step.step}: {escape(step.report.stretch_name)} "
        f'<span class="muted">({escape(status_text(step.status))}, {_span(step)})</span></h2>'
        f"{html._header(step.report)}"
        f"{html._reps_section(step.report, labels)}"
        f"{svg.plots_section(step.report)}"
        "</section>"
    )


# --- CSV -----------------------------------------------------------------------


class RoutineCsvWriter:
    """One row per frame with the step it belonged to; a column pair (value,
    status) per check of every step's stretch, empty on other steps' rows.
    Written to a temporary file and renamed into place when complete."""

    def __init__(self, path: Path, references: list[Reference]) -> None:
        self._partial = atomic.Partial(path, option="--csv")
        self.path = path
        self._columns = list(
            dict.fromkeys((ref.id, c.id) for ref in references for c in ref.checks)
        )
        units = {(ref.id, c.id): c.kind.unit.value for ref in references for c in ref.checks}
        try:
            self._file = self._partial.temp.open("w", newline="", encoding="utf-8")
        except OSError as error:
            raise self._partial.error(error) from None
        self._csv = csv.writer(self._file)
        header = [
            "timestamp_ms",
            "step",
            "stretch",
            "person_visible",
            "phase",
            "rep",
            "side",
            "held_s",
            "form_score_pct",
        ]
        for key in self._columns:
            stretch_id, check_id = key
            header += [
                f"{stretch_id}.{check_id}_value_{units[key]}",
                f"{stretch_id}.{check_id}_status",
            ]
        self._csv.writerow(header)

    def add(self, step: int, result: CoachFrame) -> None:
        verdict, state = result.verdict, result.state
        by_key = {(verdict.stretch, r.check.id): r for r in verdict.results}
        row: list[object] = [
            result.detection.timestamp_ms,
            step,
            verdict.stretch,
            int(verdict.person),
            str(state.phase),
            state.rep,
            state.side or "",
            round(state.held_s, 3),
            verdict.score,
        ]
        for key in self._columns:
            r = by_key.get(key)
            value = "" if r is None or r.value is None or math.isnan(r.value) else round(r.value, 3)
            row += [value, "" if r is None else str(r.status)]
        self._csv.writerow(row)

    def __enter__(self) -> RoutineCsvWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()
        self._partial.__exit__(exc_type, exc, tb)
