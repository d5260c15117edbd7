"""Text to speech, offline, as samples: the platform's speech engine, or a tone.

Every engine turns a line into a `Clip` (mono int16 samples at a rate), never
plays it: the same samples go to the loudspeaker (`io/sound.py`) and into the
``--out`` video's audio track, so the file holds what the person heard.

- Linux (or wherever it is installed): the espeak-ng program, which writes a
  WAV to its standard output. pyttsx3's own Linux driver is espeak-ng too, but
  it plays through ``aplay`` itself and prints to the terminal; calling the
  program gives us the samples with no extra library.
- macOS: the system voice through the ``say`` command, writing a WAV file.
- Windows: SAPI 5 through pyttsx3 (``save_to_file``), when it is installed.

`find_engine` picks the first that exists; None means no engine, and the
caller uses a `tone` instead.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16]

# espeak-ng's and macOS's default rate is about 175-180 words a minute; slower
# is easier to follow while stretching, faster is for people who know the cues.
MIN_RATE_WPM, MAX_RATE_WPM = 80, 400
# A synthesis that takes longer than this has hung (one line takes ~10-50 ms).
_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Clip:
    """Mono int16 samples at ``rate_hz``."""

    samples: Samples
    rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz

    def scaled(self, volume: float) -> Clip:
        """The clip at ``volume`` (0-1) of its loudness."""
        if volume >= 1.0:
            return self
        quieter = (self.samples.astype(np.float32) * max(0.0, volume)).astype(np.int16)
        return Clip(quieter, self.rate_hz)

    def resampled(self, rate_hz: int) -> Clip:
        """The clip at another sample rate (linear interpolation: enough for speech)."""
        if rate_hz == self.rate_hz or len(self.samples) == 0:
            return Clip(self.samples, rate_hz)
        n = max(1, round(len(self.samples) * rate_hz / self.rate_hz))
        positions = np.arange(n) * (self.rate_hz / rate_hz)
        values = np.interp(positions, np.arange(len(self.samples)), self.samples)
        return Clip(values.astype(np.int16), rate_hz)


class SpeechError(Exception):
    """The speech engine failed on a line (the caller falls back to a tone)."""


def read_wav(data: bytes) -> Clip:
    """A 16-bit PCM WAV (mono or not) as a mono clip."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise SpeechError(f"the speech engine wrote no usable WAV ({error})") from None
    if width != 2:
        raise SpeechError(f"the speech engine wrote {8 * width}-bit samples, not 16-bit")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.int16)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return Clip(samples, rate)


def tone(
    frequency_hz: float = 880.0, duration_s: float = 0.25, rate_hz: int = 22050, level: float = 0.4
) -> Clip:
    """A short beep with soft edges (no click), standing in for a spoken line."""
    n = round(duration_s * rate_hz)
    t = np.arange(n) / rate_hz
    fade = np.minimum(1.0, np.minimum(t, duration_s - t) / 0.02)
    wave_ = np.sin(2 * math.pi * frequency_hz * t) * fade * level * 32767
    return Clip(wave_.astype(np.int16), rate_hz)


class SpeechEngine(Protocol):
    """Turns one line into samples. ``name`` says which engine, for the user."""

    name: str

    def synthesize(self, text: str) -> Clip: ...


def _run(command: list[str], text_in: str | None = None) -> bytes:
    try:
        done = subprocess.run(
            command,
            input=None if text_in is None else text_in.encode(),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SpeechError(f"{command[0]} failed: {error}") from None
    return done.stdout


class EspeakNg:
    """The espeak-ng program: the text on its standard input, a WAV on its output."""

    name = "espeak-ng"

    def __init__(self, program: str, rate_wpm: int) -> None:
        self.program, self.rate_wpm = program, rate_wpm

    def synthesize(self, text: str) -> Clip:
        # --stdout: the WAV to standard output; the text comes on standard
        # input so that no line is ever read as an option.
        return read_wav(_run([self.program, "--stdout", "-s", str(self.rate_wpm)], text))


class MacSay:
    """macOS's ``say``, writing 16-bit little-endian WAV to a temporary file."""

    name = "macOS say"

    def __init__(self, program: str, rate_wpm: int) -> None:
        self.program, self.rate_wpm = program, rate_wpm

    def synthesize(self, text: str) -> Clip:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "line.wav"
            command = [self.program, "-r", str(self.rate_wpm), "-o", str(path)]
            _run([*command, "--file-format=WAVE", "--data-format=LEI16@22050", "-f", "-"], text)
            return read_wav(path.read_bytes())


class Pyttsx3Engine:
    """pyttsx3 (SAPI 5 on Windows): ``save_to_file`` into a temporary WAV.

    The engine is made on first use, in the thread that speaks: SAPI's COM
    objects belong to the thread that made them.
    """

    name = "pyttsx3"

    def __init__(self, rate_wpm: int) -> None:
        self.rate_wpm = rate_wpm
        self._engine: Any = None

    def synthesize(self, text: str) -> Clip:
        try:
            if self._engine is None:
                if sys.platform == "win32":  # a thread of our own: COM is not set up in it
                    import comtypes

                    comtypes.CoInitialize()
                import pyttsx3

                self._engine = pyttsx3.init()
                self._engine.setProperty("rate", self.rate_wpm)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "line.wav"
                self._engine.save_to_file(text, str(path))
                self._engine.runAndWait()
                return read_wav(path.read_bytes())
        except SpeechError:
            raise
        except Exception as error:  # a driver's own failure, whatever its type
            raise SpeechError(f"pyttsx3 failed: {error}") from None


def _pyttsx3_installed() -> bool:
    try:
        import pyttsx3  # noqa: F401
    except ImportError:
        return False
    return True


def find_engine(rate_wpm: int = 175) -> SpeechEngine | None:
    """The platform's offline speech engine, or None when there is none."""
    if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
        raise ValueError(f"rate_wpm must be {MIN_RATE_WPM} to {MAX_RATE_WPM} (got {rate_wpm})")
    program = shutil.which("espeak-ng")
    if program is not None:
        return EspeakNg(program, rate_wpm)
    if sys.platform == "darwin" and (say := shutil.which("say")) is not None:
        return MacSay(say, rate_wpm)
    if _pyttsx3_installed():
        return Pyttsx3Engine(rate_wpm)
    return None
