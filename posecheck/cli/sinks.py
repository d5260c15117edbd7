"""Where a live session goes: its events on the terminal, and its frames to
the voice, a window and a video file; and the files it wrote, said at the end."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import typer

from posecheck.cli.voice import (
    VoiceChoice,
    open_voice,
)
from posecheck.coaching.session import Event, EventKind
from posecheck.draw import overlay
from posecheck.io import sources, video
from posecheck.io.window import Window
from posecheck.run import live as live_session
from posecheck.run.voice import TRACK_RATE_HZ

EVENT_TEXT = {
    EventKind.IN_POSITION: "in position, checking alignment",
    EventKind.COUNTDOWN: "get ready",
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
    what, detail = EVENT_TEXT[event.kind], f": {event.detail}" if event.detail else ""
    if event.kind == EventKind.COUNTDOWN:
        what, detail = f"{what} {event.detail}", ""
    typer.echo(
        f"{event.timestamp_ms / 1000:7.1f} s  {what}"
        f" (rep {event.rep} of {reps_total}{side}){detail}"
    )


def _sinks(
    stack: ExitStack,
    source: sources.Source,
    *,
    out: Path | None,
    window: bool,
    title: str,
    style: overlay.Style,
    voice_choice: VoiceChoice,
    keys: tuple[tuple[str, str], ...] = (),
    on_key: Callable[[str], None] = lambda key: None,
) -> tuple[list[live_session.FrameSink], video.VideoWriter | None]:
    """Where a session's frames go: the voice, a window (with ``keys`` listed and
    passed to ``on_key``), a video file; each closed by ``stack``."""
    sinks: list[live_session.FrameSink] = []
    writer: video.VideoWriter | None = None
    camera = source.kind == "camera"
    # The sound track is timed as the video is: a file's frames by their
    # count, a camera's by their own times (it delivers at the model's pace).
    voice = open_voice(voice_choice, None if camera else source.fps, out, realtime=window or camera)
    if voice is not None:
        stack.enter_context(voice)
        sinks.append(voice)
    if window:
        shown = stack.enter_context(Window(f"posecheck: {title}"))
        sinks.append(
            live_session.WindowSink(
                shown,
                paced=not camera,
                keys=live_session.WINDOW_KEYS + keys,
                on_key=on_key,
                style=style,
            )
        )
    if out is not None:
        if (fallback := video.fallback_warning()) is not None:
            typer.secho(f"warning: {fallback}", fg=typer.colors.YELLOW, err=True)
        audio_hz = None if voice is None else TRACK_RATE_HZ
        writer = stack.enter_context(video.VideoWriter(out, source.fps, audio_rate_hz=audio_hz))
        # A camera's frames come as fast as the model allows: kept in real time.
        sinks.append(live_session.VideoSink(writer, source.fps if camera else None))
        if voice is not None:
            # Runs before the writer closes: the voice's worker ends, its lines go in.
            stack.callback(voice.write_track, writer)
    return sinks, writer


def _say_outputs(
    writer: video.VideoWriter | None, out: Path | None, record: Path | None, recorded: int | None
) -> None:
    """The files a session wrote, or why one was not."""
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
