"""`posecheck live` and `posecheck demo`: a coached session in a window, an mp4, or both."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from posecheck import resources
from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import DEFAULT_REST_S, Routine, prescription_text
from posecheck.cli.app import (
    EXIT_SETUP,
    EXIT_USAGE,
    DbOption,
    HoldOption,
    NoHistoryOption,
    OutOption,
    RefsOption,
    _error,
    _fail_on,
    _reference,
    _rep_lines,
    _reported,
    _routine,
    app,
)
from posecheck.cli.practice import finish_log, hold_keeper, open_log
from posecheck.cli.voice import (
    COUNTDOWN_S,
    RestOption,
    VoiceChoice,
    VoiceOption,
    VoiceRateOption,
    VolumeOption,
    open_voice,
)
from posecheck.coaching.cues import DEFAULT_RATE_WPM
from posecheck.coaching.routine import RoutineEvent, RoutineEventKind, StepResult, StepStatus
from posecheck.coaching.session import Event, EventKind, SessionConfig
from posecheck.draw import overlay
from posecheck.errors import InputError
from posecheck.history.log import SessionLog
from posecheck.io import outputs, recording, sources, video
from posecheck.io.window import Window, display_works
from posecheck.run import live as live_session
from posecheck.run import routine as live_routine
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


def _coach(
    reference: Reference,
    config: SessionConfig,
    source: sources.Source,
    *,
    mirror: bool,
    record: Path | None,
    out: Path | None,
    window: bool,
    style: overlay.Style = overlay.DEFAULT_STYLE,
    log: SessionLog | None = None,
    voice_choice: VoiceChoice,
) -> None:
    """Run a coached session from a source to a window, an mp4, or both; each
    hold goes into the practice history ``log`` as it completes."""
    with _reported(), ExitStack() as stack:
        sinks, writer = _sinks(
            stack,
            source,
            out=out,
            window=window,
            title=reference.name,
            style=style,
            voice_choice=voice_choice,
        )
        result = live_session.run_session(
            source,
            reference,
            config,
            sinks=sinks,
            on_event=_print_event,
            on_rep=hold_keeper(log, reference),
            mirror=mirror,
            record=record,
            style=style,
        )
    if result.interrupted:
        typer.echo("stopped")
    labels = {c.id: c.label for c in reference.checks}
    for line in _rep_lines(result.reps, result.reps_total, labels):
        typer.echo(line)
    finish_log(log, reference, result.reps, compare=log is not None and log.source == "live")
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


def _step_config(config: SessionConfig, reference: Reference) -> SessionConfig:
    """A step's session timing: a dynamic stretch's reps are moves held a couple
    of seconds, so they get no 3-2-1 before each."""
    if reference.prescription.dynamic:
        return dataclasses.replace(config, countdown_s=0)
    return config


def _check_session_outputs(source: Path | int, out: Path | None, record: Path | None) -> None:
    """--out and --record must not overwrite the source or each other, and must be writable."""
    named = {option: path for option, path in (("--out", out), ("--record", record)) if path}
    _fail_on(outputs.check_outputs([source] if isinstance(source, Path) else [], named))


def _outputs_for(out: Path | None, default_name: str) -> tuple[bool, Path | None]:
    """Whether to show a window, and the video file to write: ``out`` when asked
    for (beside the window), or ``default_name`` when there is no display."""
    if display_works():
        return True, out
    if out is not None:
        return False, out
    path = Path(default_name)
    display = os.environ.get("DISPLAY")
    reason = f"the display {display} cannot be used" if display else "no display found"
    typer.echo(f"{reason}: writing the overlay video to {path} instead of a window")
    return False, path


def _camera_size(text: str) -> tuple[int, int]:
    """``WxH`` (e.g. 1280x720) as (width, height); a usage error otherwise."""
    w, sep, h = text.lower().partition("x")
    if sep and w.isdigit() and h.isdigit() and 16 <= int(w) <= 7680 and 16 <= int(h) <= 4320:
        return int(w), int(h)
    _error(f"--camera-size must be WIDTHxHEIGHT, e.g. 1280x720, at most 7680x4320 (got {text!r})")
    raise typer.Exit(EXIT_USAGE)


TextScaleOption = Annotated[
    float,
    typer.Option(
        "--text-scale",
        help="Make all text on the picture this many times larger (0.5-3).",
        min=0.5,
        max=3.0,
    ),
]


@app.command()
def live(
    stretch: Annotated[
        str | None,
        typer.Option(
            "--stretch",
            "-s",
            help="The stretch id (see `posecheck stretches`).",
            show_default=False,
        ),
    ] = None,
    routine: Annotated[
        str | None,
        typer.Option(
            "--routine",
            help="Coach a whole routine, step by step (see `posecheck routines`); "
            "instead of --stretch.",
            show_default=False,
        ),
    ] = None,
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
    camera_size: Annotated[
        str,
        typer.Option("--camera-size", help="The picture size to ask the camera for, WIDTHxHEIGHT."),
    ] = "1280x720",
    text_scale: TextScaleOption = 1.0,
    refs: RefsOption = None,
    no_history: NoHistoryOption = False,
    db: DbOption = None,
    voice: VoiceOption = None,
    voice_rate: VoiceRateOption = DEFAULT_RATE_WPM,
    volume: VolumeOption = 100,
    rest: Annotated[
        float | None,
        typer.Option(
            "--rest",
            min=0,
            max=600,
            help="Seconds of rest between reps on the same side (default 5), and with "
            f"--routine between steps (default {DEFAULT_REST_S:g}).",
        ),
    ] = None,
) -> None:
    """Coach a stretch, or a whole routine, live from the webcam (or a file played
    as if it were one)."""
    if (stretch is None) == (routine is None):
        _error("give one of --stretch ID or --routine ID (not both)")
        raise typer.Exit(EXIT_USAGE)
    if side not in (None, "left", "right"):
        _error(f"--side must be left or right (got {side!r})")
        raise typer.Exit(EXIT_USAGE)
    if source is None and not 0 <= camera <= video.MAX_CAMERA_INDEX:
        _error(f"--camera must be 0 to {video.MAX_CAMERA_INDEX} (got {camera})")
        raise typer.Exit(EXIT_USAGE)
    size_wh = _camera_size(camera_size)
    chosen = _routine(refs, routine) if routine is not None else None
    reference = _reference(refs, stretch) if stretch is not None else None
    src: Path | int = source if source is not None else camera
    with _reported():
        # Once: its kind and rate serve the whole session.
        opened = sources.open_source(src, camera_size=size_wh)
    rest_s = SessionConfig().rest_s if rest is None else rest
    config = SessionConfig(hold_s=hold, first_side=side, rest_s=rest_s, countdown_s=COUNTDOWN_S)
    window, target = _outputs_for(out, "posecheck-live.mp4")
    _check_session_outputs(src, target, record)
    mirror = source is None and not no_mirror
    style = overlay.styled(text_scale=text_scale)
    voice_choice = VoiceChoice(voice, voice_rate, volume)
    if chosen is not None:
        _coach_routine(
            *chosen,
            config,
            opened,
            DEFAULT_REST_S if rest is None else rest,
            mirror=mirror,
            record=record,
            out=target,
            window=window,
            style=style,
            voice_choice=voice_choice,
        )
    elif reference is not None:
        _coach(
            reference,
            config,
            opened,
            mirror=mirror,
            record=record,
            out=target,
            log=open_log(db, enabled=not no_history, source="live", stretch=reference.id),
            window=window,
            style=style,
            voice_choice=voice_choice,
        )


DEMO_SAMPLE = "bridge_from_stills.jsonl"


def _demo_sample() -> Path:
    return resources.find("samples", DEMO_SAMPLE)


@app.command()
def demo(
    out: OutOption = None,
    no_history: NoHistoryOption = False,
    db: DbOption = None,
    text_scale: TextScaleOption = 1.0,
    voice: VoiceOption = None,
    voice_rate: VoiceRateOption = DEFAULT_RATE_WPM,
    volume: VolumeOption = 100,
    rest: RestOption = 5.0,
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
    # No get-ready countdown: the sample's timeline was recorded without one, and
    # 3 s more before the hold would leave it too short to finish.
    config = SessionConfig(hold_s=hold_s, rest_s=rest)
    window, target = _outputs_for(out, "posecheck-demo.mp4")
    _check_session_outputs(sample, target, None)
    with _reported():
        opened = sources.open_source(sample)
    log = open_log(db, enabled=not no_history, source="demo", stretch=reference.id)
    style = overlay.styled(text_scale=text_scale)
    _coach(
        reference,
        config,
        opened,
        mirror=False,
        record=None,
        out=target,
        window=window,
        style=style,
        log=log,
        voice_choice=VoiceChoice(voice, voice_rate, volume),
    )
