"""The coach's voice: speech to samples (espeak-ng, for real), the tone fallback, the
lines of a coached recording and where they fall in time."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from posecheck.catalog.library import load_references
from posecheck.coaching.coach import Coach
from posecheck.coaching.cues import CueScheduler, Line, Priority, spoken_s
from posecheck.coaching.session import EventKind, SessionConfig
from posecheck.io.sources import open_source
from posecheck.io.speech import (
    Clip,
    EspeakNg,
    SpeechError,
    find_engine,
    read_wav,
    tone,
)
from posecheck.run.voice import TRACK_RATE_HZ, Spoken, Voice, place
from tests.helpers import SAMPLE_RECORDING, run

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)


def bursts(samples: np.ndarray, rate_hz: int, gap_s: float = 0.25) -> list[tuple[float, float]]:
    """(start_s, end_s) of each stretch of sound, split by silences longer than gap_s."""
    window = max(1, rate_hz // 100)  # 10 ms
    n = len(samples) // window
    rms = np.sqrt((samples[: n * window].astype(np.float64).reshape(n, window) ** 2).mean(axis=1))
    loud = rms > 300  # about -40 dBFS: well above silence, well below speech
    out: list[tuple[float, float]] = []
    for i in np.flatnonzero(loud):
        t = i * window / rate_hz
        if out and t - out[-1][1] <= gap_s:
            out[-1] = (out[-1][0], t + window / rate_hz)
        else:
            out.append((t, t + window / rate_hz))
    return out


def mix(spoken: list[Spoken], rate_hz: int = TRACK_RATE_HZ) -> np.ndarray:
    end_s = max(s.at_s + s.clip.duration_s for s in spoken) + 1
    track = np.zeros(round(end_s * rate_hz), dtype=np.int32)
    for s in spoken:
        samples = s.clip.resampled(rate_hz).samples
        start = round(s.at_s * rate_hz)
        track[start : start + len(samples)] += samples
    return np.clip(track, -32768, 32767).astype(np.int16)


@needs_espeak
def test_espeak_ng_speaks_a_line_into_samples():
    engine = find_engine(175)
    assert isinstance(engine, EspeakNg)
    clip = engine.synthesize("Hold for 20 seconds")
    assert clip.rate_hz == 22050
    assert 0.8 < clip.duration_s < 3.0
    assert np.abs(clip.samples).max() > 3000  # speech, not silence
    # One burst of speech (a short word gap is not silence), about as long as estimated.
    (start_s, end_s), *rest = bursts(clip.samples, clip.rate_hz)
    assert rest == []
    assert abs((end_s - start_s) - spoken_s("Hold for 20 seconds")) < 1.0
    # A faster rate says the same words in less time.
    fast = EspeakNg(ESPEAK or "", 350).synthesize("Hold for 20 seconds")
    assert fast.duration_s < clip.duration_s * 0.75


@needs_espeak
def test_a_line_is_never_read_as_an_option():
    clip = EspeakNg(ESPEAK or "", 175).synthesize("--version")
    assert clip.duration_s > 0.3 and np.abs(clip.samples).max() > 3000


def test_the_tone_stands_in_when_the_engine_is_missing_or_fails():
    rang: list[int] = []
    warnings: list[str] = []
    broken = EspeakNg("/nonexistent/espeak-ng", 175)  # e.g. uninstalled during the session
    with pytest.raises(SpeechError, match="espeak-ng failed"):
        broken.synthesize("Rest")
    voice = Voice(broken, None, bell=lambda: rang.append(1), on_warning=warnings.append)
    coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8, countdown_s=3))
    for _frame, detection in open_source(SAMPLE_RECORDING).detections():
        voice.hear(coach.step(detection))
    voice.close()
    spoken = voice.spoken()
    assert len(spoken) >= 5
    assert len(warnings) == 1 and "a tone stands in" in warnings[0]
    # No engine and no speaker: the bell, for each line not overtaken by a newer one.
    assert 0 < len(rang) <= len(spoken)
    for s in spoken:
        assert 0 < s.clip.duration_s < 0.3
        if s.clip.duration_s < 0.2:
            continue  # cut short by a line that came before its end
        assert np.abs(s.clip.samples).max() > 10_000
        # Announcements and corrections are told apart by pitch.
        crossings = np.count_nonzero(np.diff(np.sign(s.clip.samples.astype(np.int32))))
        pitch_hz = crossings / 2 / s.clip.duration_s
        expected = 520 if s.line.priority == Priority.CORRECTION else 880
        assert abs(pitch_hz - expected) < 30


def test_tone_and_clip_arithmetic():
    beep = tone(880, 0.25, 22050)
    assert len(beep.samples) == 5512 and beep.samples[0] == 0  # soft edges: no click
    assert np.abs(beep.scaled(0.5).samples).max() == pytest.approx(
        np.abs(beep.samples).max() / 2, abs=2
    )
    assert beep.resampled(44100).duration_s == pytest.approx(beep.duration_s, abs=1e-3)
    with pytest.raises(ValueError, match="rate_wpm must be 80 to 400"):
        find_engine(20)


def test_a_damaged_wav_is_a_speech_error():
    with pytest.raises(SpeechError, match="no usable WAV"):
        read_wav(b"RIFF....WAVEfmt ")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(np.array([[1000, 3000]] * 10, dtype="<i2").tobytes())
    clip = read_wav(buffer.getvalue())
    assert (clip.rate_hz, len(clip.samples), int(clip.samples[0])) == (16000, 10, 2000)


def test_lines_that_would_overlap_are_played_one_after_another_or_cut_short():
    one_s = Clip(np.ones(1000, dtype=np.int16), 1000)
    lines = [Spoken(Line(str(i), Priority.STEP, 0), one_s, at) for i, at in enumerate([0, 0.5, 3])]
    assert [s.at_s for s in place(lines)] == [0, 1.0, 3]
    fix = Spoken(Line("fix", Priority.CORRECTION, 0), one_s, 0.0)
    step = Spoken(Line("step", Priority.STEP, 400), one_s, 0.4)
    placed = place([fix, step])
    assert [(s.at_s, s.clip.duration_s) for s in placed] == [(0.0, 0.4), (0.4, 1.0)]


@needs_espeak
def test_the_spoken_session_lines_up_with_the_events():
    """The demo recording coached with a real voice: each line's speech starts when
    its event happened, and a WAV of the track has one burst per line."""
    engine = find_engine(175)
    voice = Voice(engine, None, scheduler=CueScheduler(rate_wpm=175))
    coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8, countdown_s=3))
    events = {}
    first_ms = None
    for _frame, detection in open_source(SAMPLE_RECORDING).detections():
        result = coach.step(detection)
        first_ms = detection.timestamp_ms if first_ms is None else first_ms
        for e in result.events:
            events.setdefault(e.kind, (e.timestamp_ms - first_ms) / 1000)
        voice.hear(result)
    voice.close()
    spoken = voice.spoken()
    said = {s.line.text: s.at_s for s in spoken}
    assert said["3"] == pytest.approx(events[EventKind.COUNTDOWN], abs=0.1)
    assert said["Hold for 8 seconds"] == pytest.approx(events[EventKind.HOLD_STARTED], abs=0.1)
    assert said["Done. Well done"] == pytest.approx(events[EventKind.SESSION_DONE], abs=0.1)
    # Written out and read back as a WAV file, the track has a burst where each line is.
    track = mix(spoken)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(TRACK_RATE_HZ)
        wav.writeframes(track.tobytes())
    heard = read_wav(buffer.getvalue())
    assert_lines_up(heard.samples, heard.rate_hz, spoken)


def assert_lines_up(samples: np.ndarray, rate_hz: int, spoken: list[Spoken]) -> None:
    """Sound is heard within 0.1 s of each line's time, and nowhere outside the lines."""
    found = bursts(samples, rate_hz)
    assert len(found) >= 5
    for start_s, end_s in found:
        assert any(s.at_s - 0.02 <= start_s < s.at_s + s.clip.duration_s for s in spoken), (
            f"sound from nowhere at {start_s:.2f}-{end_s:.2f} s"
        )
    for s in spoken:
        heard = samples[round(s.at_s * rate_hz) : round((s.at_s + 0.1) * rate_hz)]
        assert np.abs(heard).max() > 1000, f"{s.line.text!r} is not heard at {s.at_s} s"


def test_pyttsx3_says_a_line_into_samples():
    """The Windows engine's path (save_to_file, read back), here on pyttsx3's espeak-ng driver."""
    pytest.importorskip("pyttsx3", reason="pyttsx3 is a dependency on Windows only")
    from posecheck.io.speech import Pyttsx3Engine

    clip = Pyttsx3Engine(175).synthesize("Switch sides")
    assert 0.5 < clip.duration_s < 3.0 and np.abs(clip.samples).max() > 3000


# --- `posecheck live --voice --out`: the sound track as a physiotherapist hears it ---


def sound_track(path) -> tuple[np.ndarray, int]:
    """The video's audio track decoded with PyAV, as mono int16 samples and their rate."""
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros(0, np.int16), 0
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray()[0] for frame in container.decode(stream)]
        rate = stream.rate
    samples = np.concatenate(chunks)
    if samples.dtype.kind == "f":
        samples = np.clip(samples * 32767, -32768, 32767)
    return samples.astype(np.int16), rate


def event_times(stdout: str) -> dict[str, float]:
    """The first time each event line was printed ("    6.7 s  hold started (rep 1 of 1)")."""
    times: dict[str, float] = {}
    for line in stdout.splitlines():
        if " s  " in line:
            seconds, what = line.split(" s  ", 1)
            times.setdefault(what.split(" (")[0], float(seconds))
    return times


def live_with_voice(tmp_path, *extra: str, env: dict[str, str] | None = None):
    out = tmp_path / "coached.mp4"
    args = ["live", "-s", "bridge", "--source", str(SAMPLE_RECORDING), "--hold", "8"]
    result = run(*args, "--out", str(out), *extra, env=env)
    assert result.returncode == 0, result.stderr
    return result, out


def starts_near(found: list[tuple[float, float]], t: float) -> bool:
    # Printed times are rounded to 0.1 s; speech starts up to ~50 ms into a clip.
    return any(-0.1 <= start - t <= 0.2 for start, _end in found)


@needs_espeak
def test_live_out_has_the_spoken_cues_in_its_sound_track(tmp_path):
    result, out = live_with_voice(tmp_path, "--voice")
    samples, rate = sound_track(out)
    assert rate == TRACK_RATE_HZ
    assert np.abs(samples).max() > 10_000  # not silent
    found = bursts(samples, rate)
    loud_s = sum(end - start for start, end in found)
    assert 0.2 < loud_s / (len(samples) / rate) < 0.8  # speech, with silence between lines
    times = event_times(result.stdout)
    for event in ("get ready 2", "get ready 1", "hold started", "all reps done"):
        assert starts_near(found, times[event]), f"no speech starts at {event} ({times[event]} s)"
    # Speech, not tones: the hold-start line lasts over a second.
    hold = next(b for b in found if starts_near([b], times["hold started"]))
    assert hold[1] - hold[0] > 1.0


def test_without_a_speech_engine_a_tone_stands_in(tmp_path):
    if importlib.util.find_spec("pyttsx3") is not None:
        pytest.skip("pyttsx3 is installed: it would be found without any program on PATH")
    empty = tmp_path / "bin"
    empty.mkdir()
    result, out = live_with_voice(tmp_path, "--voice", env={"PATH": str(empty)})
    warnings = [line for line in result.stderr.splitlines() if "speech engine" in line]
    assert warnings == [
        "warning: no speech engine found (on Linux: install espeak-ng): a short tone "
        "stands in for each spoken cue"
    ]
    assert "Traceback" not in result.stderr
    samples, rate = sound_track(out)
    found = bursts(samples, rate, gap_s=0.05)
    times = event_times(result.stdout)
    for event in ("get ready 2", "get ready 1", "hold started", "all reps done"):
        assert starts_near(found, times[event]), event
    # Tones, a quarter of a second each (one cut short by the next may touch it).
    lengths = [end - start for start, end in found]
    assert max(lengths) < 0.5
    assert float(np.median(lengths)) == pytest.approx(0.25, abs=0.02)


def test_no_voice_writes_a_video_without_sound(tmp_path):
    result, out = live_with_voice(tmp_path, "--no-voice")
    assert "warning" not in result.stderr
    assert sound_track(out)[1] == 0


@pytest.mark.parametrize(
    ("option", "value"), [("--volume", "150"), ("--voice-rate", "20"), ("--rest", "-1")]
)
def test_voice_and_rest_options_out_of_range_are_usage_errors(tmp_path, option, value):
    result = run(
        "live", "-s", "bridge", "--source", str(SAMPLE_RECORDING), option, value, "--no-voice"
    )
    assert result.returncode == 2
    assert option in result.stderr


def null_device_home(tmp_path) -> dict[str, str]:
    """An environment whose ALSA default output is the null device (a sound card that
    takes every sample and plays none), for a machine without sound."""
    if not sys.platform.startswith("linux"):
        pytest.skip("ALSA's null device is Linux's")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n")
    return {**os.environ, "HOME": str(home)}


def run_python(script: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    if "no PortAudio" in done.stderr:
        pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "warning" not in done.stderr, done.stderr
    return done.stdout.splitlines()


def test_with_an_audio_device_the_voice_is_on_by_default_in_real_time_and_plays(tmp_path):
    """sounddevice finds the default output, so a session followed in real time gets
    the voice by default (a file replayed into a video does not), and every line is
    played through PortAudio from the voice's thread without a warning."""
    script = f"""
import pathlib
from posecheck.catalog.library import load_references
from posecheck.cli.voice import VoiceChoice, open_voice
from posecheck.coaching.coach import Coach
from posecheck.coaching.session import SessionConfig
from posecheck.io import sound
from posecheck.io.sources import open_source

if sound._sounddevice() is None:
    raise SystemExit("no PortAudio")
default = VoiceChoice(None, 175, 100)
print(open_voice(default, 15.0, None, realtime=False))
voice = open_voice(default, 15.0, None, realtime=True)
print(voice.speaker.name)
coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8, countdown_s=3))
with voice:
    for _frame, detection in open_source(pathlib.Path({str(SAMPLE_RECORDING)!r})).detections():
        voice.hear(coach.step(detection))
print(len(voice.spoken()))
"""
    lines = run_python(script, null_device_home(tmp_path))
    assert lines[0] == "None"  # not real time: off by default
    assert lines[1] == "default"
    assert int(lines[2]) >= 5


def test_a_device_that_fails_is_warned_about_once_and_the_session_goes_on(tmp_path):
    """A sound card unplugged after it was found: PortAudio refuses every clip. The
    voice warns once, stops playing, and still keeps every line for the track."""
    env = null_device_home(tmp_path)
    (Path(env["HOME"]) / ".asoundrc").write_text("pcm.!default {\n    type hw\n    card 9\n}\n")
    script = f"""
import pathlib
from posecheck.catalog.library import load_references
from posecheck.coaching.coach import Coach
from posecheck.coaching.session import SessionConfig
from posecheck.io import sound
from posecheck.io.sources import open_source
from posecheck.run.voice import Voice

sd = sound._sounddevice()
if sd is None:
    raise SystemExit("no PortAudio")
warnings = []
voice = Voice(None, sound.Speaker(sd, "USB headset"), on_warning=warnings.append)
coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8, countdown_s=3))
for _frame, detection in open_source(pathlib.Path({str(SAMPLE_RECORDING)!r})).detections():
    voice.hear(coach.step(detection))
voice.close()
print(len(warnings), len(voice.spoken()))
print(warnings[0] if warnings else "")
"""
    counts, warning = run_python(script, env)
    assert int(counts.split()[0]) == 1 and int(counts.split()[1]) >= 5
    assert warning.startswith("the audio device 'USB headset' failed: ")
    assert warning.endswith("; the cues are no longer played")


def test_a_step_announced_from_outside_is_said_at_the_next_frame():
    """What a routine does between stretches: "Next: ..." before any correction."""
    voice = Voice(None, None)
    coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8))
    frames = list(open_source(SAMPLE_RECORDING).detections())
    for _frame, detection in frames[:10]:
        voice.hear(coach.step(detection))
    voice.announce("Next: bridge")
    voice.hear(coach.step(frames[10][1]))
    voice.close()
    (line,) = [s for s in voice.spoken() if s.line.text == "Next: bridge"]
    assert line.line.priority == Priority.STEP
    assert line.line.timestamp_ms == frames[9][1].timestamp_ms
    assert line.at_s == pytest.approx(
        (frames[10][1].timestamp_ms - frames[0][1].timestamp_ms) / 1000
    )
