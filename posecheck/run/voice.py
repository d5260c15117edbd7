"""The coach's voice: what the cue scheduler decides, said aloud without holding up the frames.

`Voice` is a frame sink like the window and the video file: the live loop
hands it every coached frame, and it returns at once. The scheduler
(`coaching/cues.py`) decides in the loop's thread; a worker thread turns each
line into samples (the speech engine, or a tone when there is none) and
plays them. Lines are played one at a time; a line of a higher priority cuts
the one playing short, and a line still waiting when a newer one of the same
or higher priority arrives is not played (the newest important line wins).
Every line is also kept, at the video time of the frame it was decided on,
for the ``--out`` video's audio track, so a physiotherapist watching the
file hears what the person heard.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

import numpy as np

from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.cues import CueScheduler, Line, Priority
from posecheck.io.sound import SoundError, Speaker
from posecheck.io.speech import Clip, Samples, SpeechEngine, SpeechError, tone

# The rate of the audio track written into an --out video: espeak-ng's own.
TRACK_RATE_HZ = 22050
# A tone standing in for a line: higher for an announcement than a correction.
_STEP_TONE_HZ, _CORRECTION_TONE_HZ = 880.0, 520.0


class AudioTrack(Protocol):
    """Where the spoken lines are mixed in: `io.video.VideoWriter` with an audio rate."""

    def write_audio(self, samples: Samples, at_s: float) -> None: ...


@dataclass(frozen=True)
class Spoken:
    """A line as heard: its words, its samples, and when in the session it started."""

    line: Line
    clip: Clip
    at_s: float


def place(spoken: list[Spoken]) -> list[Spoken]:
    """The lines one after another, as the worker plays them: a line of a higher
    priority cuts the one playing short; any other that would start while one is
    still playing starts when it ends."""
    placed: list[Spoken] = []
    end_s = 0.0
    for s in sorted(spoken, key=lambda s: s.at_s):
        at_s = s.at_s
        if placed and at_s < end_s:
            before = placed[-1]
            if s.line.priority > before.line.priority:
                keep = round((at_s - before.at_s) * before.clip.rate_hz)
                cut = Clip(before.clip.samples[:keep], before.clip.rate_hz)
                placed[-1] = Spoken(before.line, cut, before.at_s)
            else:
                at_s = end_s
        placed.append(Spoken(s.line, s.clip, at_s))
        end_s = at_s + s.clip.duration_s
    return placed


class Voice:
    """Speaks a coached session; a ``with`` block around the frame loop.

    ``engine`` is None when there is no speech engine: each line is a short
    tone instead. ``speaker`` is None when there is no audio device: nothing
    is played (the lines are still kept for the track), and with no engine
    either, ``bell`` rings instead. A device that fails is warned about once
    and not used again. ``fps`` times the track by frames, as the
    video file is; without it, by the frames' own times. ``on_warning`` gets
    one line the first time the engine fails (it then falls back to tones).
    """

    def __init__(
        self,
        engine: SpeechEngine | None,
        speaker: Speaker | None,
        *,
        scheduler: CueScheduler | None = None,
        volume: float = 1.0,
        fps: float | None = None,
        bell: Callable[[], None] | None = None,
        on_warning: Callable[[str], None] = lambda text: None,
    ) -> None:
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume must be 0 to 1 (got {volume})")
        self.engine, self.speaker = engine, speaker
        self.scheduler = scheduler or CueScheduler()
        self.volume, self.fps = volume, fps
        self._bell, self._on_warning = bell, on_warning
        self._frames = 0
        self._first_ms: int | None = None
        self._last_ms = 0
        self._jobs: deque[tuple[Line, float] | None] = deque()
        self._ready = threading.Condition()
        self._closing = False
        self._playing: Priority | None = None  # the priority of the line playing
        self._cut = threading.Event()  # set to cut the line playing short
        self._spoken: list[Spoken] = []
        self._thread = threading.Thread(target=self._work, name="posecheck-voice", daemon=True)
        self._thread.start()

    # --- the loop's side: never waits ---------------------------------------

    def show(self, drawn: object, result: CoachFrame) -> bool:
        """As a frame sink: hear the frame (the picture is not needed)."""
        self.hear(result)
        return True

    def hear(self, result: CoachFrame) -> None:
        """Take one coached frame; queue the line to say, if any."""
        t = result.detection.timestamp_ms
        self._first_ms = t if self._first_ms is None else self._first_ms
        self._last_ms = t
        at_s = self._frames / self.fps if self.fps else (t - self._first_ms) / 1000.0
        self._frames += 1
        line = self.scheduler.update(result.events, result.state, t)
        if line is not None:
            self._put((line, at_s))

    def announce(self, text: str) -> None:
        """Say ``text`` next, before any correction (a routine's "Next: ...")."""
        self.scheduler.announce(text, self._last_ms)

    def _put(self, job: tuple[Line, float] | None) -> None:
        with self._ready:
            self._jobs.append(job)
            self._ready.notify()
            playing = self._playing
            if job is not None and playing is not None and job[0].priority > playing:
                self._cut.set()

    # --- the worker's side ----------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
                job = self._jobs.popleft()
                superseded = job is not None and any(
                    j is not None and j[0].priority >= job[0].priority for j in self._jobs
                )
                if job is not None and not superseded:
                    # From here a line of a higher priority cuts this one, even
                    # while it is still being synthesized.
                    self._cut.clear()
                    self._playing = job[0].priority
            if job is None:
                return
            line, at_s = job
            clip = self._clip(line)
            self._spoken.append(Spoken(line, clip, at_s))
            if not superseded and not self._closing and not self._cut.is_set():
                self._play(clip)
            self._playing = None

    def _clip(self, line: Line) -> Clip:
        if self.engine is not None:
            try:
                return self.engine.synthesize(line.text).scaled(self.volume)
            except SpeechError as error:
                self._on_warning(f"{error}; a tone stands in for the voice from now on")
                self.engine = None
        pitch = _CORRECTION_TONE_HZ if line.priority == Priority.CORRECTION else _STEP_TONE_HZ
        return tone(pitch, rate_hz=TRACK_RATE_HZ).scaled(self.volume)

    def _play(self, clip: Clip) -> None:
        if self.speaker is not None:
            try:
                self.speaker.play(clip, self._cut)
            except SoundError as error:
                self._on_warning(f"{error}; the cues are no longer played")
                self.speaker = None
        elif self.engine is None and self._bell is not None:
            self._bell()

    # --- the end --------------------------------------------------------------

    def __enter__(self) -> Voice:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop playing, finish turning the queued lines into samples, end the worker."""
        if not self._thread.is_alive():
            return
        self._closing = True
        self._cut.set()
        self._put(None)
        self._thread.join()

    def spoken(self) -> list[Spoken]:
        """Every line so far, placed one after another as they were played."""
        return place(list(self._spoken))

    def write_track(self, track: AudioTrack) -> int:
        """Mix every spoken line into ``track`` at its time; returns how many."""
        self.close()
        placed = self.spoken()
        for s in placed:
            samples = s.clip.resampled(TRACK_RATE_HZ).samples
            track.write_audio(np.ascontiguousarray(samples, dtype=np.int16), s.at_s)
        return len(placed)
