"""`posecheck score`: recorded videos into reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from posecheck.catalog.reference import Reference
from posecheck.cli.app import (
    DEFAULT_WORKERS,
    EXIT_DATA,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SETUP,
    EXIT_USAGE,
    DbOption,
    HoldOption,
    JsonOption,
    NoHistoryOption,
    RefsOption,
    StretchOrRoutineOption,
    _error,
    _exit_code,
    _fail_on,
    _one_target,
    _reference,
    _references,
    _rep_lines,
    _routine,
    app,
)
from posecheck.cli.practice import log_scored
from posecheck.coaching.session import SessionConfig
from posecheck.errors import PosecheckError
from posecheck.io import outputs, video
from posecheck.report.html import write_html
from posecheck.report.routine import RoutineReport, status_text
from posecheck.report.routine import write_html as write_routine_html
from posecheck.report.segments import SegmentedReport
from posecheck.report.summary import ScoreReport, paused_s
from posecheck.run.auto import AUTO, score_auto
from posecheck.run.routine_scoring import score_routine
from posecheck.run.scoring import ScoreOptions, score_video

# What a mistyped command passes as a video: the name of a report it meant to
# write. Refused before any scoring, so a long batch never fails at its end.
NOT_VIDEOS = frozenset({".json", ".html", ".htm", ".csv", ".txt", ".pdf", ".md", ".svg"})


@dataclass(frozen=True)
class _VideoOutputs:
    html: Path | None
    csv: Path | None
    annotated: Path | None

    def named(self) -> dict[str, Path]:
        pairs = (
            ("--html", self.html),
            ("--csv", self.csv),
            ("--annotated", self.annotated),
        )
        return {option: path for option, path in pairs if path is not None}

    def files(self) -> list[tuple[str, Path]]:
        """(what, path) of every file this video writes."""
        pairs = (
            ("HTML report", self.html),
            ("CSV", self.csv),
            ("annotated video", self.annotated),
        )
        return [(what, path) for what, path in pairs if path is not None]


def _plan_score_outputs(
    videos: list[Path],
    html: Path | None,
    csv_path: Path | None,
    annotated: Path | None,
) -> list[_VideoOutputs]:
    """Each video's outputs; with several videos each gets its name added
    (report.html -> report-clip1.html), keeping folders where names clash.
    Every problem, including an input that is a report's name rather than a
    video, is reported before any video is scored."""
    _fail_on(
        [
            f"{path}: not a video or a landmark recording; --json prints the report "
            "(save it with > FILE), --html and --csv take a file"
            for path in videos
            if path.suffix.lower() in NOT_VIDEOS
        ]
    )
    labels = outputs.unique_labels(videos) if len(videos) > 1 else [""] * len(videos)

    def each(path: Path | None, label: str) -> Path | None:
        if path is None or not label:
            return path
        return outputs.derived(path, label)

    plan = [
        _VideoOutputs(each(html, label), each(csv_path, label), each(annotated, label))
        for label in labels
    ]
    named: dict[str, Path] = {}
    for video_path, planned in zip(videos, plan, strict=True):
        suffix = f" (for {video_path})" if len(videos) > 1 else ""
        named.update({f"{option}{suffix}": path for option, path in planned.named().items()})
    _fail_on(outputs.check_outputs(videos, named))
    return plan


def _rep_lines_of(report: ScoreReport) -> list[str]:
    """The reps in words, with the same numbers and main fault as the HTML report."""
    if not report.reps:
        return _rep_lines([], report.reps_prescribed)
    lines = []
    for r in report.reps:
        side = f" ({r.side})" if r.side else ""
        state = "completed" if r.completed else "not completed"
        main = report.label(report.main_fault(r))
        fault = f"; main fault: {main}" if main else ""
        lines.append(
            f"Rep {r.rep} of {report.reps_prescribed}{side}: held {r.held_s:.1f} / "
            f"{r.target_s:g} s, paused {paused_s(r):.1f} s, in form {r.in_form_s:.1f} s, "
            f"{state}{fault}"
        )
    return lines


def _human_report(report: ScoreReport) -> str:
    lines = [
        f"{report.video.path}: {report.stretch_name} · {report.verdict_text()}",
        f"  {report.video.duration_s:.1f} s of video, person visible "
        f"{report.person_visible_pct:.0f}%, time in form {report.time_in_form_s:.1f} s",
    ]
    lines += [f"  {line}" for line in _rep_lines_of(report)]
    lines.append(
        f"  scored in {report.processing_s:.1f} s ({report.realtime_factor:.1f}x real time)"
    )
    return "\n".join(lines)


@app.command()
def score(
    videos: Annotated[
        list[Path],
        typer.Argument(
            help="Recorded videos, or landmark recordings (.jsonl).",
            show_default=False,
            # Not click's check, which stops the whole batch with a usage error:
            # an unreadable file is reported like any bad input and the rest run.
            readable=False,
        ),
    ],
    stretch: StretchOrRoutineOption = None,
    routine: Annotated[
        str | None,
        typer.Option(
            "--routine",
            help="Score a recording of a whole routine, split per step "
            "(see `posecheck routines`); instead of --stretch.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write a self-contained HTML report here.", dir_okay=False),
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per frame here.", dir_okay=False)
    ] = None,
    annotated: Annotated[
        Path | None,
        typer.Option(
            "--annotated", help="Write the video with the overlay here (.mp4).", dir_okay=False
        ),
    ] = None,
    sample_fps: Annotated[
        float | None,
        typer.Option(
            "--sample-fps",
            help="Score only this many frames per second (faster; 1-240).",
            min=1,
            max=240,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Processes for pose estimation (default: CPU cores).", min=1
        ),
    ] = DEFAULT_WORKERS,
    hold: HoldOption = None,
    refs: RefsOption = None,
    no_history: NoHistoryOption = False,
    db: DbOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The person's name, shown on the report.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note shown on the report.")] = None,
) -> None:
    """Score recorded videos of a stretch, or of a whole routine, into a report
    (JSON, HTML, CSV, annotated video). With `--stretch auto`, each stretch
    recognised in the recording is a segment with its own report."""
    _one_target(stretch, routine)
    auto = stretch == AUTO
    if auto and (html or csv_path or annotated):
        _error(
            "--html, --csv and --annotated take one stretch: with --stretch auto, use --json "
            "or the printed report, then score a segment with its own --stretch"
        )
        raise typer.Exit(EXIT_USAGE)
    references = _references(refs) if auto else {}
    chosen = _routine(refs, routine) if routine is not None else None
    reference = _reference(refs, stretch) if stretch is not None and not auto else None
    plan = _plan_score_outputs(videos, html, csv_path, annotated)
    if annotated is not None and (fallback := video.fallback_warning()) is not None:
        typer.secho(f"warning: {fallback}", fg=typer.colors.YELLOW, err=True)
    failed = False
    written: list[tuple[str, Path]] = []
    for path, planned in zip(videos, plan, strict=True):
        options = ScoreOptions(
            sample_fps=sample_fps,
            workers=workers,
            csv_path=planned.csv,
            annotated_path=planned.annotated,
            config=SessionConfig(hold_s=hold),
            name=name,
            note=note,
        )
        try:
            if auto:
                segmented = _score_auto_one(path, references, options, show_progress=not as_json)
                _print_segments(segmented, as_json=as_json)
                continue
            if chosen is not None:
                routine_report = score_routine(
                    path, (chosen[0].id, chosen[0].name), chosen[1], options
                )
                if planned.html is not None:
                    write_routine_html(routine_report, planned.html)
                _print_routine_report(routine_report, as_json=as_json)
                written += planned.files()
                continue
            assert reference is not None  # one of the two, checked above
            report = _score_one(path, reference, options, show_progress=not as_json)
            if planned.html is not None:
                write_html(report, planned.html, planned.annotated)
        except PosecheckError as error:
            _error(str(error))
            if _exit_code(error) == EXIT_SETUP:
                raise typer.Exit(EXIT_SETUP) from None
            failed = True  # a data error: this video only, the others still run
            continue
        except KeyboardInterrupt:
            _error(f"{path}: interrupted; its unfinished outputs were removed")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        _print_report(report, as_json=as_json)
        log_scored(db, enabled=not no_history, video=path, reference=reference, report=report)
        written += planned.files()
    _list_written(written, as_json=as_json)
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


def _print_segments(report: SegmentedReport, *, as_json: bool) -> None:
    """A recording scored segment by segment: one JSON line, or each segment in words."""
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    lines = [f"{report.video.path}: {report.verdict_text()}"]
    for number, segment in enumerate(report.segments, start=1):
        r = segment.report
        lines.append(
            f"  Segment {number}: {r.stretch_name}, {segment.start_s:.1f}-{segment.end_s:.1f} s"
            f" · {r.verdict_text()}"
        )
        labels = {series.check_id: series.label for series in r.series}
        lines += [f"    {line}" for line in _rep_lines(r.reps, r.reps_prescribed, labels)]
    lines.append(
        f"  scored in {report.processing_s:.1f} s ({report.realtime_factor:.1f}x real time)"
    )
    typer.echo("\n".join(lines))


def _print_routine_report(report: RoutineReport, *, as_json: bool) -> None:
    """A routine's report: per step, its status, span in the recording and reps."""
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    lines = [
        f"{report.video.path}: {report.routine_name} · {report.verdict_text()}",
        f"  {report.video.duration_s:.1f} s of video, time in form {report.time_in_form_s:.1f} s",
    ]
    for step in report.steps:
        span = (
            f", {step.start_s:.1f}-{step.end_s:.1f} s"
            if step.start_s is not None and step.end_s is not None
            else ""
        )
        lines.append(
            f"  Step {step.step}, {step.report.stretch_name}: {status_text(step.status)}{span}"
        )
        labels = {series.check_id: series.label for series in step.report.series}
        reps = _rep_lines(step.report.reps, step.report.reps_prescribed, labels)
        lines += [f"    {line}" for line in reps]
    lines.append(
        f"  scored in {report.processing_s:.1f} s ({report.realtime_factor:.1f}x real time)"
    )
    typer.echo("\n".join(lines))


def _print_report(report: ScoreReport, *, as_json: bool) -> None:
    """Warnings on stderr; the report as one JSON line on stdout, or in words."""
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json()))
    else:
        typer.echo(_human_report(report))


def _list_written(written: list[tuple[str, Path]], *, as_json: bool) -> None:
    """Every file written, at the end; on stderr when stdout carries the JSON."""
    if not written:
        return
    typer.echo("written:", err=as_json)
    for what, path in written:
        typer.echo(f"  {what}: {path}", err=as_json)


def _score_one(
    path: Path, reference: Reference, options: ScoreOptions, *, show_progress: bool
) -> ScoreReport:
    """Score with a progress bar on a terminal; none when output is piped."""
    if not (show_progress and sys.stderr.isatty()):
        return score_video(path, reference, options)
    from rich.progress import Progress  # only needed on a terminal

    with Progress(transient=True) as bar:
        task = bar.add_task(f"scoring {path.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return score_video(path, reference, options, advance)


def _score_auto_one(
    path: Path, references: Mapping[str, Reference], options: ScoreOptions, *, show_progress: bool
) -> SegmentedReport:
    """`score --stretch auto` on one recording, with a progress bar on a terminal."""
    if not (show_progress and sys.stderr.isatty()):
        return score_auto(path, references, options)
    from rich.progress import Progress  # only needed on a terminal

    with Progress(transient=True) as bar:
        task = bar.add_task(f"recognising and scoring {path.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return score_auto(path, references, options, advance)
