"""`posecheck live` and `posecheck demo`: a coached session in a window, an mp4, or both."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from posecheck import resources
from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import DEFAULT_REST_S
from posecheck.cli.app import (
    EXIT_SETUP,
    EXIT_USAGE,
    DbOption,
    HoldOption,
    NoHistoryOption,
    OutOption,
    RefsOption,
    StretchOrRoutineOption,
    _error,
    _fail_on,
    _one_target,
    _reference,
    _references,
    _rep_lines,
    _reported,
    _routine,
    app,
)
from posecheck.cli.guided import _coach_auto, _coach_routine
from posecheck.cli.practice import finish_log, hold_keeper, open_log
from posecheck.cli.sinks import _print_event, _say_outputs, _sinks
from posecheck.cli.voice import (
    COUNTDOWN_S,
    RestOption,
    VoiceChoice,
    VoiceOption,
    VoiceRateOption,
    VolumeOption,
)
from posecheck.coaching.cues import DEFAULT_RATE_WPM
from posecheck.coaching.session import SessionConfig
from posecheck.draw import overlay
from posecheck.errors import InputError
from posecheck.history.log import SessionLog
from posecheck.io import outputs, recording, sources, video
from posecheck.io.window import display_works
from posecheck.run import live as live_session
from posecheck.run.auto import AUTO


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
    _say_outputs(writer, out, record, result.recorded_frames)


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
    stretch: StretchOrRoutineOption = None,
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
    as if it were one); with `--stretch auto`, the stretch it recognises."""
    _one_target(stretch, routine)
    if side not in (None, "left", "right"):
        _error(f"--side must be left or right (got {side!r})")
        raise typer.Exit(EXIT_USAGE)
    if source is None and not 0 <= camera <= video.MAX_CAMERA_INDEX:
        _error(f"--camera must be 0 to {video.MAX_CAMERA_INDEX} (got {camera})")
        raise typer.Exit(EXIT_USAGE)
    size_wh = _camera_size(camera_size)
    chosen = _routine(refs, routine) if routine is not None else None
    auto = stretch == AUTO
    references = _references(refs) if auto else {}
    reference = _reference(refs, stretch) if stretch is not None and not auto else None
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
    elif auto:
        _coach_auto(
            references,
            config,
            opened,
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
