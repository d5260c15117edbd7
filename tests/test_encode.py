"""posecheck.io.encode: H.264 MP4 videos with an AAC track, checked by decoding them again
and by playing them in a real browser.

Videos are written in tmp_path from generated frames and a generated tone; the
browser tests also play what `posecheck score --annotated` and `posecheck live
--out` write from the bundled landmark recording.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from posecheck.io import encode
from posecheck.io.encode import VideoWriter
from tests.helpers import SAMPLE_RECORDING, chromium, needs_chromium, run_in

RATE_HZ = 24_000
FPS = 25.0


def moving_bar(n: int, size_wh: tuple[int, int] = (160, 120)) -> list[np.ndarray]:
    """Frames of a white bar walking across black, so that every frame differs."""
    width, height = size_wh
    frames = []
    for i in range(n):
        frame = np.zeros((height, width, 3), np.uint8)
        frame[:, (3 * i) % width] = 255
        frames.append(frame)
    return frames


def tone(seconds: float, hz: float = 440.0, amplitude: int = 8000) -> np.ndarray:
    t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def decoded_audio(path: Path) -> tuple[np.ndarray, int]:
    """The first audio stream as mono floats in -1..1, and its sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
        return np.concatenate(samples).astype(np.float64), int(stream.rate)


def loudness_per_quarter_second(samples: np.ndarray, rate: int) -> list[float]:
    step = rate // 4
    return [float(np.abs(samples[i : i + step]).max()) for i in range(0, samples.size, step)]


@pytest.mark.skipif(encode.fallback_warning() is not None, reason="PyAV without libx264")
def test_the_video_is_h264_yuv420p_with_its_index_first(tmp_path: Path):
    out = tmp_path / "odd.mp4"
    with VideoWriter(out, FPS) as writer:
        for frame in moving_bar(30, (161, 121)):  # odd sizes lose their last column and row
            writer.write(frame)
    with av.open(str(out)) as container:
        (stream,) = container.streams
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (160, 120)
        assert stream.average_rate == 25
        frames = list(container.decode(stream))
    assert len(frames) == 30
    # The decoded picture is the written one: the bar of frame 7 is at column 21.
    grey = frames[7].to_ndarray(format="gray")
    assert int(np.argmax(grey.mean(axis=0))) == 21
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart


@pytest.mark.skipif(encode.fallback_warning() is not None, reason="PyAV without libx264")
def test_audio_clips_sound_where_they_were_put_and_silence_elsewhere(tmp_path: Path):
    out = tmp_path / "tone.mp4"
    with VideoWriter(out, FPS, audio_rate_hz=RATE_HZ) as writer:
        for frame in moving_bar(100):  # 4 s of video
            writer.write(frame)
        writer.write_audio(tone(0.5), at_s=2.5)  # given out of order
        writer.write_audio(tone(0.5), at_s=0.5)
        writer.write_audio(tone(1.0), at_s=3.5)  # runs past the end: cut at 4 s
    samples, rate = decoded_audio(out)
    assert rate == RATE_HZ
    assert samples.size / rate == pytest.approx(4.0, abs=0.1)
    loud = [level > 0.1 for level in loudness_per_quarter_second(samples, rate)]
    quiet = [level < 0.01 for level in loudness_per_quarter_second(samples, rate)]
    # Quarters 2-3 (0.5-1.0 s), 10-11 (2.5-3.0 s), 14-15 (3.5-4.0 s) hold the tone;
    # the quarters touching a tone's edge may carry the encoder's ramp, so only
    # quarters a full quarter away from any tone are required to be silent.
    assert [i for i, is_loud in enumerate(loud) if is_loud] == [2, 3, 10, 11, 14, 15]
    assert all(quiet[i] for i in (0, 5, 6, 7, 8))


@pytest.mark.skipif(encode.fallback_warning() is not None, reason="PyAV without libx264")
def test_overlapping_clips_add_up_and_clip_at_full_scale(tmp_path: Path):
    out = tmp_path / "loud.mp4"
    with VideoWriter(out, FPS, audio_rate_hz=RATE_HZ) as writer:
        for frame in moving_bar(50):
            writer.write(frame)
        writer.write_audio(tone(1.0, amplitude=6000), at_s=0.5)
        writer.write_audio(tone(1.0, amplitude=6000), at_s=0.5)
    samples, rate = decoded_audio(out)
    peak = max(loudness_per_quarter_second(samples, rate))
    assert peak == pytest.approx(12000 / 32768, rel=0.15)  # the two add


def test_a_writer_without_audio_has_no_audio_track_and_refuses_clips(tmp_path: Path):
    out = tmp_path / "silent.mp4"
    with VideoWriter(out, FPS) as writer:
        writer.write(moving_bar(1)[0])
        with pytest.raises(ValueError, match="no audio track; pass audio_rate_hz"):
            writer.write_audio(tone(0.1), 0.0)
    with av.open(str(out)) as container:
        assert [s.type for s in container.streams] == ["video"]


@pytest.mark.parametrize(
    ("samples", "at_s", "message"),
    [
        (np.zeros(10, np.float32), 0.0, "mono int16"),
        (np.zeros((10, 2), np.int16), 0.0, "mono int16"),
        (np.zeros(10, np.int16), -1.0, "0 s or later"),
        (np.zeros(10, np.int16), float("nan"), "0 s or later"),
    ],
)
def test_write_audio_refuses_what_it_cannot_mix(tmp_path: Path, samples, at_s, message):
    writer = VideoWriter(tmp_path / "x.mp4", FPS, audio_rate_hz=RATE_HZ)
    with pytest.raises(ValueError, match=message):
        writer.write_audio(samples, at_s)


def test_a_writer_with_audio_leaves_nothing_after_an_exception(tmp_path: Path):
    with (
        pytest.raises(RuntimeError),
        VideoWriter(tmp_path / "x.mp4", FPS, audio_rate_hz=RATE_HZ) as w,
    ):
        for frame in moving_bar(20):
            w.write(frame)
        w.write_audio(tone(0.5), 0.0)
        raise RuntimeError("the pipeline failed")
    assert list(tmp_path.iterdir()) == []


# --- in a real browser -----------------------------------------------------------

# Plays the video muted (browsers let a muted video start by itself) and writes what
# happened into the page. Under --virtual-time-budget the page's timers run on
# virtual time while the media clock runs on real time, so each poll burns a little
# real time until the video has played past one second.
PLAYER = """<!doctype html><html><body>
<video id="v" muted src="{src}"></video><pre id="out">pending</pre>
<script>
const v = document.getElementById("v"), out = document.getElementById("out");
let done = false;
v.addEventListener("error", () => {{ out.textContent = "error " + v.error.code; done = true; }});
v.play().catch((e) => {{ out.textContent = "refused " + e.name; done = true; }});
function burn() {{ let x = 0; for (let i = 0; i < 2e6; i++) x += i % 7; return x; }}
function poll() {{
  if (done) return;
  if (v.currentTime > 1) {{
    out.textContent = "played " + v.currentTime.toFixed(1) + " of " + v.duration.toFixed(1)
      + " s at " + v.videoWidth + "x" + v.videoHeight;
    v.pause(); done = true; return;
  }}
  burn(); setTimeout(poll, 10);
}}
poll();
</script></body></html>
"""


def played_in_chromium(video_file: Path, tmp_path: Path) -> str:
    page = video_file.with_name("play.html")
    page.write_text(PLAYER.format(src=video_file.name), encoding="utf-8")
    dom = chromium(
        tmp_path,
        "--autoplay-policy=no-user-gesture-required",
        "--virtual-time-budget=60000",
        "--dump-dom",
        page.as_uri(),
    ).stdout
    start = dom.index('<pre id="out">') + len('<pre id="out">')
    return dom[start : dom.index("</pre>", start)]


@needs_chromium
def test_chromium_plays_a_written_video_with_sound(tmp_path: Path):
    out = tmp_path / "clip.mp4"
    with VideoWriter(out, FPS, audio_rate_hz=RATE_HZ) as writer:
        for frame in moving_bar(75):
            writer.write(frame)
        writer.write_audio(tone(1.0), 0.5)
    assert played_in_chromium(out, tmp_path).endswith("of 3.0 s at 160x120")


@needs_chromium
def test_chromium_plays_the_scored_annotated_video(tmp_path: Path):
    result = run_in(
        tmp_path, "score", str(SAMPLE_RECORDING), "-s", "bridge", "--annotated", "scored.mp4"
    )
    assert result.returncode == 0, result.stderr
    assert played_in_chromium(tmp_path / "scored.mp4", tmp_path).startswith("played ")


# The report page has no script of its own: a page around it plays its video.
REPORT_PLAYER = """<!doctype html><html><body>
<iframe id="f" src="{src}" width="800" height="600"></iframe><pre id="out">pending</pre>
<script>
const out = document.getElementById("out");
let done = false;
function burn() {{ let x = 0; for (let i = 0; i < 2e6; i++) x += i % 7; return x; }}
function poll() {{
  if (done) return;
  const v = document.getElementById("f").contentDocument?.querySelector("video.annotated");
  if (v && !v.dataset.started) {{
    v.dataset.started = "1"; v.muted = true;
    v.addEventListener("error", () => {{ out.textContent = "error"; done = true; }});
    v.play().catch((e) => {{ out.textContent = "refused"; done = true; }});
  }}
  if (v && v.currentTime > 1) {{ out.textContent = "played"; done = true; return; }}
  burn(); setTimeout(poll, 10);
}}
poll();
</script></body></html>
"""


@needs_chromium
def test_chromium_plays_the_video_inside_the_html_report(tmp_path: Path):
    result = run_in(
        tmp_path,
        "score",
        str(SAMPLE_RECORDING),
        "-s",
        "bridge",
        "--html",
        "report.html",
        "--annotated",
        "scored.mp4",
    )
    assert result.returncode == 0, result.stderr
    page = tmp_path / "play.html"
    page.write_text(REPORT_PLAYER.format(src="report.html"), encoding="utf-8")
    dom = chromium(
        tmp_path,
        "--allow-file-access-from-files",
        "--autoplay-policy=no-user-gesture-required",
        "--virtual-time-budget=60000",
        "--dump-dom",
        page.as_uri(),
    ).stdout
    assert '<pre id="out">played</pre>' in dom


@needs_chromium
def test_chromium_plays_the_live_overlay_video(tmp_path: Path):
    result = run_in(
        tmp_path, "live", "-s", "bridge", "--source", str(SAMPLE_RECORDING), "--out", "live.mp4"
    )
    assert result.returncode == 0, result.stderr
    assert played_in_chromium(tmp_path / "live.mp4", tmp_path).startswith("played ")


def test_frames_drawn_on_the_encoder_thread_land_in_order(tmp_path: Path):
    out = tmp_path / "drawn.mp4"
    bars = moving_bar(20)
    with VideoWriter(out, FPS) as writer:
        for bar in bars:
            writer.write_drawn(lambda bar=bar: bar.copy(), (160, 120))
    with av.open(str(out)) as container:
        columns = [
            int(np.argmax(f.to_ndarray(format="gray").mean(axis=0)))
            for f in container.decode(video=0)
        ]
    assert columns == [3 * i for i in range(20)]


def test_a_drawn_frame_of_the_wrong_size_fails_the_video(tmp_path: Path):
    out = tmp_path / "wrong.mp4"
    with pytest.raises(ValueError, match="is not"), VideoWriter(out, FPS) as writer:
        writer.write_drawn(lambda: np.zeros((120, 160, 3), np.uint8), (160, 120))
        writer.write_drawn(lambda: np.zeros((60, 80, 3), np.uint8), (160, 120))
    assert list(tmp_path.iterdir()) == []


def test_without_h264_the_writer_falls_back_to_mp4v_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(encode, "_H264", False)
    warning = encode.fallback_warning()
    assert warning is not None and "mp4v" in warning and "browsers do not play" in warning
    out = tmp_path / "old.mp4"
    with VideoWriter(out, FPS, audio_rate_hz=RATE_HZ) as writer:
        assert writer.codec == "mp4v"
        for frame in moving_bar(10):
            writer.write(frame)
        writer.write_audio(tone(0.2), 0.0)  # accepted, and dropped: mp4v files get no sound
    with av.open(str(out)) as container:
        assert [(s.type, s.codec_context.name) for s in container.streams] == [("video", "mpeg4")]
        assert len(list(container.decode(video=0))) == 10
