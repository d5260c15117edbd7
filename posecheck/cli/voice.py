"""The voice and pacing options of `live` and `demo`, and the voice they ask for."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from posecheck.coaching.cues import CueScheduler
from posecheck.io import sound, speech
from posecheck.io.speech import MAX_RATE_WPM, MIN_RATE_WPM
from posecheck.run.voice import Voice

# Live coaching counts down "3, 2, 1" between the confirmed position and the hold.
COUNTDOWN_S = 3


class VoiceChoice(NamedTuple):
    """The voice options: on, off or by device (None); words a minute; volume in %."""

    on: bool | None
    rate_wpm: int
    volume_pct: int


VoiceOption = Annotated[
    bool | None,
    typer.Option(
        "--voice/--no-voice",
        help="Speak the cues (default: on when there is an audio device).",
        show_default=False,
    ),
]
VoiceRateOption = Annotated[
    int,
    typer.Option(
        "--voice-rate",
        min=MIN_RATE_WPM,
        max=MAX_RATE_WPM,
        help="Speaking rate in words per minute.",
    ),
]
VolumeOption = Annotated[
    int, typer.Option("--volume", min=0, max=100, help="Voice volume, 0-100 %.")
]
RestOption = Annotated[
    float,
    typer.Option("--rest", min=0, max=600, help="Seconds of rest between reps on the same side."),
]


def _warn(message: str) -> None:
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


def _bell() -> None:
    typer.echo("\a", nl=False, err=True)


def open_voice(
    choice: VoiceChoice, fps: float | None, out: Path | None, *, realtime: bool
) -> Voice | None:
    """The coach's voice as asked, or None; one warning line for what is missing.

    ``realtime`` is a session someone follows as it happens (a window, or a
    camera). Only then is anything played, and only then is the voice on
    by default (when there is an audio device to play on); a file replayed
    into a video as fast as it goes gets its lines in the sound track alone.
    ``fps`` times the lines by frame count, as a video written frame by frame
    is; None times them by the frames' own times.
    """
    if choice.on is False:
        return None
    speaker = sound.find_speaker() if realtime else None
    if choice.on is None and speaker is None:
        return None
    engine = speech.find_engine(choice.rate_wpm)
    if engine is None:
        _warn(
            "no speech engine found (on Linux: install espeak-ng): a short tone stands in "
            "for each spoken cue"
        )
    if speaker is None and realtime:
        kept = "; they are in the video's sound track" if out is not None else ""
        _warn(f"no audio device found, so the cues are not played{kept}")
    return Voice(
        engine,
        speaker,
        scheduler=CueScheduler(rate_wpm=choice.rate_wpm),
        volume=choice.volume_pct / 100,
        fps=fps,
        bell=_bell if realtime else None,
        on_warning=_warn,
    )
