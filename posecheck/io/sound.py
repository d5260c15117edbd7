"""The loudspeaker: whether there is one, and playing a clip on it.

Through sounddevice (PortAudio), which MediaPipe already installs. PortAudio
asks the platform's own sound system (ALSA, PulseAudio or PipeWire on Linux,
Core Audio on macOS, WASAPI and friends on Windows) for its default output
device, which is the honest answer to "is there anything to play on": a
machine with no sound card, or a container, has none. On Linux PortAudio is
a system library (``libportaudio2``); where it is missing, there is no
device as far as posecheck can tell.
"""

from __future__ import annotations

import threading
from typing import Any

from posecheck.io.speech import Clip

# How often the playing thread looks whether its clip is to be cut short.
_POLL_S = 0.02


def _sounddevice() -> Any:
    """The sounddevice module, or None when it or PortAudio cannot be loaded."""
    try:
        import sounddevice  # loads PortAudio: only when sound is wanted
    except (ImportError, OSError):
        return None
    return sounddevice


class SoundError(Exception):
    """The audio device refused a clip (unplugged, busy, or a rate it cannot play)."""


class Speaker:
    """Plays clips on the default output device, one after the other.

    Every call into sounddevice comes from the one thread that plays (its
    module-level stream is not safe to start from one thread and stop from
    another); another thread cuts a clip short through an event instead.
    """

    def __init__(self, sd: Any, name: str) -> None:
        self._sd = sd
        self.name = name

    def play(self, clip: Clip, cut: threading.Event) -> None:
        """Play ``clip``; return when it has been heard, or soon after ``cut`` is set."""
        try:
            self._sd.play(clip.samples, clip.rate_hz)
            stream = self._sd.get_stream()
            while stream.active and not cut.wait(_POLL_S):
                pass
            self._sd.stop()
        except self._sd.PortAudioError as error:
            raise SoundError(f"the audio device {self.name!r} failed: {error}") from None


def find_speaker() -> Speaker | None:
    """The default output device, or None when there is none."""
    sd = _sounddevice()
    if sd is None:
        return None
    try:
        device = sd.query_devices(kind="output")
    except sd.PortAudioError:
        return None  # no default output device
    if not device or device.get("max_output_channels", 0) < 1:
        return None
    return Speaker(sd, str(device.get("name", "audio output")))
