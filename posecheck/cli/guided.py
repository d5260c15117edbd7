"""`live --routine` and `live --stretch auto`: sessions that move from one
stretch to another, through the same sinks as one stretch's session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path

import typer

from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import Routine, prescription_text
from posecheck.cli.app import (
    _rep_lines,
    _reported,
)
from posecheck.cli.sinks import _print_event, _say_outputs, _sinks
from posecheck.cli.voice import (
    VoiceChoice,
)
from posecheck.coaching.routine import RoutineEvent, RoutineEventKind, StepResult, StepStatus
from posecheck.coaching.session import SessionConfig
from posecheck.draw import overlay
from posecheck.io import sources
from posecheck.run import routine as live_routine
from posecheck.run.auto import run_auto_session


def _print_stretch(names: Mapping[str, str]) -> Callable[[str, int], None]:
    def say(stretch: str, timestamp_ms: int) -> None:
        typer.echo(f"{timestamp_ms / 1000:7.1f} s  recognised: {names[stretch]}")

    return say


def _coach_auto(
    references: Mapping[str, Reference],
    config: SessionConfig,
    source: sources.Source,
    *,
    mirror: bool,
    record: Path | None,
    out: Path | None,
    window: bool,
    style: overlay.Style,
    voice_choice: VoiceChoice,
) -> None:
    """`live --stretch auto`: name the stretch the user does, and coach it once settled."""
    names = {k: r.name for k, r in references.items()}
    with _reported(), ExitStack() as stack:
        sinks, writer = _sinks(
            stack,
            source,
            out=out,
            window=window,
            title="any stretch",
            style=style,
            voice_choice=voice_choice,
        )
        result = run_auto_session(
            source,
            references,
            config,
            sinks=sinks,
            on_event=_print_event,
            on_stretch=_print_stretch(names),
            mirror=mirror,
            record=record,
        )
    if result.interrupted:
        typer.echo("stopped")
    if not result.segments:
        typer.echo("No catalog stretch was recognised.")
    for segment in result.segments:
        start_s, end_s = segment.start_ms / 1000, segment.end_ms / 1000
        typer.echo(f"{names[segment.stretch]}, {start_s:.1f}-{end_s:.1f} s:")
        labels = {c.id: c.label for c in references[segment.stretch].checks}
        for line in _rep_lines(segment.reps, segment.coach.session.reps_total, labels):
            typer.echo(f"  {line}")
    _say_outputs(writer, out, record, result.recorded_frames)


def _step_title(step: int, total: int, event: RoutineEvent) -> str:
    ref = event.reference
    return f"step {step} of {total}, {ref.name} ({prescription_text(ref)})"


def _print_routine_event(event: RoutineEvent, total: int) -> None:
    at = f"{event.timestamp_ms / 1000:7.1f} s  "
    title = _step_title(event.step, total, event)
    if event.kind is RoutineEventKind.STEP_STARTED:
        where = " or ".join(str(p) for p in event.reference.positions)
        view = " or ".join(str(v) for v in event.reference.views)
        text = f"{title}: get into position ({where}, {view} view to the camera)"
    elif event.kind is RoutineEventKind.STEP_DONE:
        text = f"step {event.step} done"
    elif event.kind is RoutineEventKind.STEP_SKIPPED:
        text = f"step {event.step} skipped" + (
            f" ({event.detail})" if event.detail and event.detail != "skipped" else ""
        )
    elif event.kind is RoutineEventKind.STEP_REPEATED:
        text = f"{title}: again from the start"
    elif event.kind is RoutineEventKind.REST_STARTED:
        text = f"rest; next, {title}"
    else:
        text = "routine done"
    typer.echo(at + text)


def _step_lines(steps: list[StepResult]) -> list[str]:
    """The routine's summary: per step, its status, reps, held time and time in form."""
    done = sum(s.status is StepStatus.DONE for s in steps)
    lines = [f"Routine: {done} of {len(steps)} steps done"]
    for s in steps:
        reps = f"{s.reps_done} of {s.reps_total or len(s.reps)} reps"
        lines.append(
            f"Step {s.step}, {s.reference.name}: {s.status.value.replace('-', ' ')}; "
            f"{reps}, held {s.held_s:.1f} s, in form {s.in_form_s:.1f} s"
        )
    return lines


def _coach_routine(
    routine: Routine,
    references: list[Reference],
    config: SessionConfig,
    source: sources.Source,
    rest_s: float,
    *,
    mirror: bool,
    record: Path | None,
    out: Path | None,
    window: bool,
    style: overlay.Style,
    voice_choice: VoiceChoice,
) -> None:
    """Run a routine from a source to a window, an mp4, or both."""
    total = len(references)
    typer.echo(f"{routine.name}: {total} steps, {rest_s:g} s rest between steps")
    relay = live_routine.KeyRelay()
    with _reported(), ExitStack() as stack:
        sinks, writer = _sinks(
            stack,
            source,
            out=out,
            window=window,
            title=routine.name,
            style=style,
            voice_choice=voice_choice,
            keys=live_routine.ROUTINE_KEYS,
            on_key=relay,
        )
        result = live_routine.run_routine(
            source,
            references,
            lambda reference: _step_config(config, reference),
            rest_s=rest_s,
            sinks=sinks,
            keys=relay if window else None,
            on_event=_print_event,
            on_routine_event=lambda event: _print_routine_event(event, total),
            mirror=mirror,
            record=record,
            style=style,
        )
    if result.interrupted:
        typer.echo("stopped")
    for line in _step_lines(result.steps):
        typer.echo(line)
    _say_outputs(writer, out, record, result.recorded_frames)


def _step_config(config: SessionConfig, reference: Reference) -> SessionConfig:
    """A step's session timing: a dynamic stretch's reps are moves held a couple
    of seconds, so they get no 3-2-1 before each."""
    if reference.prescription.dynamic:
        return dataclasses.replace(config, countdown_s=0)
    return config
