"""`posecheck batch`: every recording under a folder scored, on this machine or on Ray."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from posecheck.cli.app import (
    DEFAULT_WORKERS,
    EXIT_DATA,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SETUP,
    EXIT_USAGE,
    HoldOption,
    RefsOption,
    StretchOrRoutineOption,
    _error,
    _one_target,
    _reference,
    _references,
    _routine,
    app,
)
from posecheck.coaching.session import SessionConfig
from posecheck.run import batch_ray
from posecheck.run.auto import AUTO
from posecheck.run.batch import (
    DONE,
    DUPLICATE,
    ERROR,
    PENDING,
    SCORED,
    SUMMARY_CSV,
    SUMMARY_JSON,
    Engine,
    Outcome,
    Summary,
    Target,
    plan_batch,
    run_batch,
)
from posecheck.run.batch_local import LocalEngine
from posecheck.run.scoring import ScoreOptions

ENGINES = ("local", "ray")


@app.command()
def batch(
    input_dir: Annotated[
        Path,
        typer.Argument(
            help="A folder: every video and landmark recording (.jsonl) under it is scored.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The folder for the reports (mirroring INPUT_DIR) and summary.csv/.json.",
            file_okay=False,
            show_default=False,
        ),
    ],
    stretch: StretchOrRoutineOption = None,
    routine: Annotated[
        str | None,
        typer.Option(
            "--routine",
            help="Score recordings of a whole routine, split per step "
            "(see `posecheck routines`); instead of --stretch.",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (a process pool here) or ray.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="With --engine ray: an existing cluster (auto, or ray://HOST:10001); "
            "without it a local Ray is started.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", help="Inputs scored at once (local engine, local Ray).", min=1),
    ] = DEFAULT_WORKERS,
    html: Annotated[
        bool, typer.Option("--html", help="Also write each input's HTML report.")
    ] = False,
    sample_fps: Annotated[
        float | None,
        typer.Option(
            "--sample-fps",
            help="Score only this many frames per second (faster; 1-240).",
            min=1,
            max=240,
        ),
    ] = None,
    hold: HoldOption = None,
    refs: RefsOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Score every input again, even those already done.")
    ] = False,
) -> None:
    """Score every recording under a folder: one report each, one summary, resumable.

    A re-run skips the inputs already done (same contents, reference and options).
    """
    _one_target(stretch, routine, "--stretch ID (or auto) or --routine ID")
    if stretch == AUTO and html:
        _error(
            "--html takes one stretch or a routine: with --stretch auto the JSON reports "
            "and the summary are written; score a segment with its own --stretch for HTML"
        )
        raise typer.Exit(EXIT_USAGE)
    if engine not in ENGINES:
        _error(f"--engine {engine}: choose local or ray")
        raise typer.Exit(EXIT_USAGE)
    if address is not None and engine != "ray":
        _error("--address is for --engine ray")
        raise typer.Exit(EXIT_USAGE)
    if not input_dir.is_dir():
        _error(f"{input_dir}: not a folder; give the folder that holds the recordings")
        raise typer.Exit(EXIT_DATA)
    if engine == "ray" and not batch_ray.available():
        _error(batch_ray.INSTALL_HINT)
        raise typer.Exit(EXIT_SETUP)
    target = _target(refs, stretch, routine)
    options = ScoreOptions(sample_fps=sample_fps, workers=1, config=SessionConfig(hold_s=hold))
    plan = plan_batch(input_dir, out, target, options, html=html, force=force)
    if not plan.inputs:
        _error(f"{input_dir}: no videos or landmark recordings (.jsonl) in it")
        raise typer.Exit(EXIT_DATA)
    total = len(plan.inputs)
    try:
        with _engine(engine, address, workers) as running, _progress(total) as progress:
            outcome = run_batch(plan, running, progress)
    except batch_ray.ClusterError as error:
        _error(str(error))
        raise typer.Exit(EXIT_SETUP) from None
    except KeyboardInterrupt:
        _error(f"interrupted; finished inputs are kept in {out}, run again to go on")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _report(outcome, out)
    if outcome.setup_error is not None:
        _error(outcome.setup_error)
        raise typer.Exit(EXIT_SETUP)
    raise typer.Exit(EXIT_DATA if outcome.summary.counts()[ERROR] else EXIT_OK)


def _target(refs: list[Path] | None, stretch: str | None, routine: str | None) -> Target:
    """What to score against, resolved as `score` does (an unknown id: exit 2)."""
    if routine is not None:
        chosen, references = _routine(refs, routine)
        return Target.of_routine(chosen, references)
    if stretch == AUTO:
        return Target.auto(_references(refs))
    assert stretch is not None  # one of the two, checked by the caller
    return Target.stretch(_reference(refs, stretch))


@contextmanager
def _engine(name: str, address: str | None, workers: int) -> Iterator[Engine]:
    if name == "local":
        yield LocalEngine(workers)
        return
    ray_engine = batch_ray.RayEngine(address, workers)
    try:
        yield ray_engine
    finally:
        ray_engine.close()


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Summary], None] | None]:
    """A bar with done, failed, remaining and an ETA on a terminal; nothing when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("scoring"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: list[TaskID] = []

        def update(summary: Summary) -> None:
            counts = summary.counts()
            finished = total - counts[PENDING]
            text = (
                f"{finished - counts[ERROR]} done, {counts[ERROR]} failed, "
                f"{counts[PENDING]} remaining"
            )
            if not tasks:  # what earlier runs finished is not counted in the ETA
                tasks.append(bar.add_task("batch", total=total, completed=finished, counts=text))
            bar.update(tasks[0], completed=finished, counts=text)

        yield update


def _report(outcome: Outcome, out: Path) -> None:
    counts = outcome.summary.counts()
    total = sum(counts.values())
    typer.echo(
        f"{total} inputs: {counts[SCORED]} scored, {counts[DONE]} already done, "
        f"{counts[DUPLICATE]} duplicates, {counts[ERROR]} failed"
        + (f", {counts[PENDING]} not finished" if counts[PENDING] else "")
    )
    for row in outcome.summary.rows.values():
        if row["status"] == ERROR:
            typer.secho(f"  failed: {row['error']}", fg=typer.colors.RED, err=True)
    if outcome.video_s > 0:
        typer.echo(
            f"throughput: {outcome.video_s:.1f} s of video in {outcome.wall_s:.1f} s, "
            f"{outcome.per_wall_s:.2f} video-s per wall-s, {outcome.per_core:.2f} per core "
            f"({outcome.cores} cores)"
        )
    typer.echo(f"summary: {out / SUMMARY_CSV}, {out / SUMMARY_JSON}")
