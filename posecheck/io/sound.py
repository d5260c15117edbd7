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

from typing import Any

from posecheck.io.speech import Clip


def _sounddevice() -> Any:
    """The sounddevice module, or None when it or PortAudio cannot be loaded."""
    try:
        import sounddevice  # loads PortAudio: only when sound is wanted
    except (ImportError, OSError):
        return None
    return sounddevice


class Speaker:
    """Plays clips on the default output device, one after the other."""

    def __init__(self, sd: Any, name: str) -> None:
        self._sd = sd
        self.name = name

    def play(self, clip: Clip) -> None:
        """Play ``clip`` and return when it has been heard (call it from a worker thread)."""
        self._sd.play(clip.samples, clip.rate_hz, blocking=True)

    def stop(self) -> None:
        """Cut what is playing short."""
        self._sd.stop()


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
