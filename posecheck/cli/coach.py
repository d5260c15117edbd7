"""`posecheck live` and `posecheck demo`: a coached session in a window or an mp4."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from posecheck import resources
from posecheck.catalog.reference import Reference
from posecheck.cli.app import (
    EXIT_SETUP,
    EXIT_USAGE,
    HoldOption,
    OutOption,
    RefsOption,
    StretchOption,
    _error,
    _fail_on,
    _reference,
    _references,
    _rep_lines,
    _reported,
    app,
)
from posecheck.coaching.session import Event, EventKind, SessionConfig
from posecheck.errors import InputError
from posecheck.io import outputs, recording, sources, video
from posecheck.io.window import Window, display_works
from posecheck.run import live as live_session
from posecheck.run.auto import AUTO, run_auto_session

EVENT_TEXT = {
    EventKind.IN_POSITION: "in position, checking alignment",
    EventKind.HOLD_STARTED: "hold started",
    EventKind.HOLD_PAUSED: "hold paused",
    EventKind.HOLD_RESUMED: "hold resumed",
    EventKind.REP_COMPLETED: "rep completed",
    EventKind.SWITCH_SIDE: "switch sides",
    EventKind.REST_STARTED: "rest",
    EventKind.SESSION_DONE: "all reps done",
}


def _print_event(event: Event, reps_total: int) -> None:
    side = f", {event.side}" if event.side else ""
    detail = f": {event.detail}" if event.detail else ""
    typer.echo(
        f"{event.timestamp_ms / 1000:7.1f} s  {EVENT_TEXT[event.kind]}"
        f" (rep {event.rep} of {reps_total}{side}){detail}"
    )


def _coach(
    reference: Reference,
    config: SessionConfig,
    source: sources.Source,
    *,
    mirror: bool,
    record: Path | None,
    out: Path | None,
) -> None:
    """Run a coached session from a source to a window (out is None) or an mp4."""
    with _reported(), ExitStack() as stack:
        sink: live_session.FrameSink
        writer: video.VideoWriter | None = None
        if out is None:
            window = stack.enter_context(Window(f"posecheck: {reference.name}"))
            sink = live_session.WindowSink(window, paced=source.kind != "camera")
        else:
            writer = stack.enter_context(video.VideoWriter(out, source.fps))
            sink = live_session.VideoSink(writer)
        result = live_session.run_session(
            source,
            reference,
            config,
            sinks=[sink],
            on_event=_print_event,
            mirror=mirror,
            record=record,
        )
    if result.interrupted:
        typer.echo("stopped")
    for line in _rep_lines(result.reps, result.reps_total):
        typer.echo(line)
    if out is not None:
        if writer is not None and writer.frames > 0:
            typer.echo(f"overlay video: {out}")
        else:
            typer.echo(f"no frames were shown, so no overlay video was written to {out}")
    if record is not None:
        if result.recorded_frames:
            typer.echo(f"landmarks recorded: {record}")
        else:
            typer.echo(f"no frames were seen, so no recording was written to {record}")


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
) -> None:
    """`live --stretch auto`: name the stretch the user does, and coach it once settled."""
    names = {k: r.name for k, r in references.items()}
    with _reported(), ExitStack() as stack:
        sink: live_session.FrameSink
        writer: video.VideoWriter | None = None
        if out is None:
            window = stack.enter_context(Window("posecheck: any stretch"))
            sink = live_session.WindowSink(window, paced=source.kind != "camera")
        else:
            writer = stack.enter_context(video.VideoWriter(out, source.fps))
            sink = live_session.VideoSink(writer)
        result = run_auto_session(
            source,
            references,
            config,
            sinks=[sink],
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
        total = segment.coach.session.reps_total
        for line in _rep_lines(segment.reps, total):
            typer.echo(f"  {line}")
    _say_outputs(writer, out, record, result.recorded_frames)


def _say_outputs(
    writer: video.VideoWriter | None, out: Path | None, record: Path | None, recorded: int | None
) -> None:
    if out is not None:
        if writer is not None and writer.frames > 0:
            typer.echo(f"overlay video: {out}")
        else:
            typer.echo(f"no frames were shown, so no overlay video was written to {out}")
    if record is not None:
        if recorded:
            typer.echo(f"landmarks recorded: {record}")
        else:
            typer.echo(f"no frames were seen, so no recording was written to {record}")


def _check_session_outputs(source: Path | int, out: Path | None, record: Path | None) -> None:
    """--out and --record must not overwrite the source or each other, and must be writable."""
    named = {option: path for option, path in (("--out", out), ("--record", record)) if path}
    _fail_on(outputs.check_outputs([source] if isinstance(source, Path) else [], named))


def _output_for(out: Path | None, default_name: str) -> Path | None:
    """None for a window; a file when asked for, or when there is no display."""
    if out is not None:
        return out
    if display_works():
        return None
    path = Path(default_name)
    display = os.environ.get("DISPLAY")
    reason = f"the display {display} cannot be used" if display else "no display found"
    typer.echo(f"{reason}: writing the overlay video to {path} instead of a window")
    return path


@app.command()
def live(
    stretch: StretchOption,
    camera: Annotated[int, typer.Option("--camera", help="Camera index.")] = 0,
    source: Annotated[
        Path | None,
        typer.Option(
            "--source",
            help="Play a video file or a landmark recording (.jsonl) "
            "instead of the camera, in real time.",
            dir_okay=False,
        ),
    ] = None,
    side: Annotated[
        str | None,
        typer.Option(
            "--side", help="Start on this side: left or right (default: the side you take)."
        ),
    ] = None,
    hold: HoldOption = None,
    no_mirror: Annotated[
        bool, typer.Option("--no-mirror", help="Do not mirror the camera picture.")
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record", help="Save the session's landmarks to this .jsonl file.", dir_okay=False
        ),
    ] = None,
    out: OutOption = None,
    refs: RefsOption = None,
) -> None:
    """Coach a stretch live from the webcam (or a file played as if it were one);
    with `--stretch auto`, the stretch it recognises."""
    if side not in (None, "left", "right"):
        _error(f"--side must be left or right (got {side!r})")
        raise typer.Exit(EXIT_USAGE)
    if source is None and not 0 <= camera <= video.MAX_CAMERA_INDEX:
        _error(f"--camera must be 0 to {video.MAX_CAMERA_INDEX} (got {camera})")
        raise typer.Exit(EXIT_USAGE)
    auto = stretch == AUTO
    references = _references(refs) if auto else {}
    reference = None if auto else _reference(refs, stretch)
    src: Path | int = source if source is not None else camera
    with _reported():
        opened = sources.open_source(src)  # once: its kind and rate serve the whole session
    config = SessionConfig(hold_s=hold, first_side=side)
    target = _output_for(out, "posecheck-live.mp4")
    _check_session_outputs(src, target, record)
    mirror = source is None and not no_mirror
    if reference is None:
        _coach_auto(references, config, opened, mirror=mirror, record=record, out=target)
        return
    _coach(reference, config, opened, mirror=mirror, record=record, out=target)


DEMO_SAMPLE = "bridge_from_stills.jsonl"


def _demo_sample() -> Path:
    return resources.find("samples", DEMO_SAMPLE)


@app.command()
def demo(
    out: OutOption = None,
) -> None:
    """Watch posecheck coach a bridge hold, with no webcam: a bundled recorded session."""
    sample = _demo_sample()
    try:
        header = recording.read_header(sample)
    except InputError as error:
        _error(f"{error}; reinstall posecheck-stretch to restore the demo sample")
        raise typer.Exit(EXIT_SETUP) from None
    reference = _reference(None, header.stretch or "bridge")
    hold_s = header.hold_s
    length = f"a {hold_s:g} s hold" if hold_s else "a hold"
    typer.echo(
        f"Demo: {reference.name}, {length}, from a session recorded as landmarks "
        f"({header.source or sample.name})."
    )
    config = SessionConfig(hold_s=hold_s)
    target = _output_for(out, "posecheck-demo.mp4")
    _check_session_outputs(sample, target, None)
    with _reported():
        opened = sources.open_source(sample)
    _coach(reference, config, opened, mirror=False, record=None, out=target)
