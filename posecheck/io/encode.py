"""Writing videos that browsers play: H.264 in MP4, with an optional AAC audio track.

`VideoWriter` encodes with PyAV (its wheels carry FFmpeg with libx264 and the
native AAC encoder). Why H.264 and not VP9 or AV1: every browser, phone and
desktop player decodes it, in hardware where there is any, and libx264 at its
"veryfast" preset costs a few milliseconds a frame at 720p. The video is
yuv420p (the only H.264 layout browsers decode), has even dimensions (an odd
last row or column is dropped), and keeps its index at the front of the file
("faststart") so a browser starts playing before it has the whole file.

Encoding runs on a thread of its own beside the caller's loop (libx264 and the
colour conversion release the GIL), so a frame handed to `write` costs the
caller a copy, not an encode. Should PyAV or its H.264 encoder be missing, the
writer falls back to OpenCV's MPEG-4 Part 2 (``mp4v``), which browsers do not
play and which has no audio; `fallback_warning` then says so in one line.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from posecheck import atomic
from posecheck.errors import InputError

try:  # PyAV is a dependency; the fallback covers a broken or stripped install.
    import av

    _H264 = "libx264" in av.codecs_available and "aac" in av.codecs_available
    _OPEN_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError, av.FFmpegError)
except ImportError:  # pragma: no cover - depends on the installation
    av = None  # type: ignore[assignment]
    _H264 = False
    _OPEN_ERRORS = (OSError, ValueError)

Frame = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.int16]

CRF = 23  # libx264's default quality: visually clean for a coaching overlay
PRESET = "veryfast"  # about 3x faster than "medium" for a few % larger files
AUDIO_BITRATE = 96_000  # AAC, mono: plenty for speech
_QUEUE_FRAMES = 8  # frames waiting for the encoder thread; bounds memory
_MP4_SUFFIXES = frozenset({".mp4", ".m4v", ".mov"})


def fallback_warning() -> str | None:
    """One line saying videos are written as mp4v and why, or None when H.264 is used."""
    if _H264:
        return None
    return (
        "PyAV with libx264 is not installed, so videos are written as MPEG-4 Part 2 "
        "(mp4v) without sound, which browsers do not play; reinstall posecheck to fix it"
    )


class VideoWriter:
    """Write BGR uint8 (H, W, 3) frames at ``fps`` frames per second as H.264 MP4.

    ``VideoWriter(path, fps, *, audio_rate_hz=None)`` is a ``with`` block:

    - ``write(frame_bgr)`` appends one frame; every frame must have the size of
      the first. Frames are timed ``i / fps``: frame i shows from that time on.
    - ``write_drawn(draw, size_wh)`` appends the frame ``draw()`` returns, called
      on the encoder's thread, so drawing an overlay runs beside the caller's
      work. ``draw`` must not depend on anything the caller changes later.
    - ``write_audio(samples, at_s)`` (only with ``audio_rate_hz`` set) mixes a
      mono int16 clip at ``audio_rate_hz`` into the audio track, starting
      ``at_s`` seconds into the video. Clips may overlap (they add, clipped to
      the int16 range), come in any order and at any time before the block
      ends. The track is silent where no clip plays and lasts as long as the
      video; a clip's part past the last frame is cut. The track is encoded as
      AAC when the block ends; until then the clips are kept in memory
      (2 bytes a sample: about 2.9 MB a minute at 24 kHz).

    The file goes to a hidden temporary beside ``path``, renamed onto ``path``
    only when the block ends cleanly; after an exception it is deleted and
    ``path`` is untouched. A block that writes no frame leaves no file.
    ``.mp4``, ``.m4v`` and ``.mov`` get the faststart index; other suffixes
    FFmpeg knows (``.mkv``) are written as that container.
    """

    def __init__(self, path: Path, fps: float, *, audio_rate_hz: int | None = None) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number (got {fps})")
        if audio_rate_hz is not None and not 8000 <= audio_rate_hz <= 96000:
            raise ValueError(f"audio_rate_hz must be 8000-96000 (got {audio_rate_hz})")
        self._partial = atomic.Partial(path, keep_suffix=True, verb="saved")
        self.path, self.fps, self.frames = path, fps, 0
        self.audio_rate_hz = audio_rate_hz
        self.codec = "h264" if _H264 else "mp4v"
        self._size: tuple[int, int] | None = None  # of the frames given (width, height)
        self._clips: list[tuple[int, Samples]] = []  # (first sample, samples)
        self._encoder: _Encoder | _Mp4vEncoder | None = None

    def __enter__(self) -> VideoWriter:
        return self

    def write(self, frame: Frame) -> None:
        """Append one frame (BGR uint8, H x W x 3)."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"need a BGR uint8 (H, W, 3) frame, got {frame.dtype} {frame.shape}")
        self._encoder_for((int(frame.shape[1]), int(frame.shape[0]))).put(frame)
        self.frames += 1

    def write_drawn(self, draw: Callable[[], Frame], size_wh: tuple[int, int]) -> None:
        """Append the frame ``draw()`` makes, of ``size_wh``; drawn on the encoder's thread
        (on the caller's with the mp4v fallback)."""
        self._encoder_for(size_wh).put_drawn(draw, size_wh)
        self.frames += 1

    def _encoder_for(self, size_wh: tuple[int, int]) -> _Encoder | _Mp4vEncoder:
        """The encoder, opened at the first frame's size; later frames must match it."""
        if self._encoder is None:
            if size_wh[0] < 2 or size_wh[1] < 2:
                raise ValueError(f"a video frame must be at least 2x2 pixels, got {size_wh}")
            self._size = size_wh
            self._encoder = self._open(size_wh)
        elif size_wh != self._size:
            raise ValueError(f"frame size {size_wh} differs from the first frame's {self._size}")
        return self._encoder

    def write_audio(self, samples: Samples, at_s: float) -> None:
        """Mix a mono int16 clip into the audio track, starting ``at_s`` seconds in."""
        if self.audio_rate_hz is None:
            raise ValueError("this writer has no audio track; pass audio_rate_hz")
        clip = np.asarray(samples)
        if clip.dtype != np.int16 or clip.ndim != 1:
            raise ValueError(f"need mono int16 samples (n,), got {clip.dtype} {clip.shape}")
        if not (math.isfinite(at_s) and at_s >= 0):
            raise ValueError(f"at_s must be a time of 0 s or later (got {at_s})")
        if clip.size:
            self._clips.append((round(at_s * self.audio_rate_hz), clip.copy()))

    def _open(self, size: tuple[int, int]) -> _Encoder | _Mp4vEncoder:
        temp = self._partial.temp
        try:
            if _H264:
                return _Encoder(temp, self.fps, size, self.audio_rate_hz)
            return _Mp4vEncoder(temp, self.fps, size)
        except _OPEN_ERRORS:
            self._partial.discard()
            hint = "use a .mp4 name in a writable folder"
            raise InputError(f"{self.path}: cannot write a video here; {hint}") from None

    def _mixed_audio(self) -> Samples:
        """The whole audio track: the clips mixed over silence, as long as the video."""
        assert self.audio_rate_hz is not None
        length = math.ceil(self.frames / self.fps * self.audio_rate_hz)
        track = np.zeros(length, np.int32)
        for start, clip in self._clips:
            end = min(length, start + clip.size)
            if end > start:
                track[start:end] += clip[: end - start]
        return np.clip(track, -32768, 32767).astype(np.int16)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        encoder, self._encoder = self._encoder, None
        if encoder is None:
            return
        try:
            if exc is None:
                audio = self._mixed_audio() if self.audio_rate_hz is not None else None
                encoder.close(audio)
            else:
                encoder.abort()
        except BaseException:
            self._partial.discard()
            raise
        self._partial.__exit__(exc_type, exc, tb)


class _Encoder:
    """H.264 (+ AAC) into one file through PyAV, the video encoded on a worker thread."""

    def __init__(
        self, path: Path, fps: float, size: tuple[int, int], audio_rate_hz: int | None
    ) -> None:
        assert av is not None
        options = {"movflags": "+faststart"} if path.suffix.lower() in _MP4_SUFFIXES else {}
        self._container: Any = av.open(str(path), mode="w", options=options)
        try:
            rate = Fraction(fps).limit_denominator(1001)
            stream: Any = self._container.add_stream("libx264", rate=rate)
            self._size = size
            # Even sizes: yuv420p stores colour for 2x2 blocks.
            self._wh = (size[0] - size[0] % 2, size[1] - size[1] % 2)
            stream.width, stream.height = self._wh
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(CRF), "preset": PRESET}
            self._video = stream
            self._audio: Any = None
            if audio_rate_hz is not None:
                audio: Any = self._container.add_stream("aac", rate=audio_rate_hz)
                audio.layout = "mono"
                audio.bit_rate = AUDIO_BITRATE
                self._audio = audio
        except BaseException:
            self._container.close()
            raise
        self._queue: queue.Queue[Frame | Callable[[], Frame] | None] = queue.Queue(_QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="video-encoder", daemon=True)
        self._thread.start()

    def put(self, frame: Frame) -> None:
        self._raise_if_failed()
        self._queue.put(frame.copy())  # the caller may draw on its frame again

    def put_drawn(self, draw: Callable[[], Frame], size_wh: tuple[int, int]) -> None:
        del size_wh  # checked by the writer; the drawn frame is checked here
        self._raise_if_failed()
        self._queue.put(draw)

    def _run(self) -> None:
        index = 0
        width, height = self._wh
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so put() never blocks on a dead thread
            try:
                frame = item() if callable(item) else item
                if (frame.shape[1], frame.shape[0]) != self._size:
                    raise ValueError(f"a drawn frame of {frame.shape} is not {self._size}")
                picture = av.VideoFrame.from_ndarray(
                    np.ascontiguousarray(frame[:height, :width]), format="bgr24"
                )
                picture.pts = index
                index += 1
                self._container.mux(self._video.encode(picture))
            except BaseException as error:  # handed to the caller's thread
                self._error = error

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def close(self, audio: Samples | None) -> None:
        self._stop()
        try:
            self._raise_if_failed()
            self._container.mux(self._video.encode(None))
            if self._audio is not None and audio is not None:
                self._encode_audio(audio)
        finally:
            self._container.close()

    def _encode_audio(self, track: Samples) -> None:
        chunk = 1024 * 16
        for start in range(0, track.size, chunk):
            part = track[start : start + chunk].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(part, format="s16", layout="mono")
            frame.sample_rate = self._audio.rate
            frame.pts = start
            self._container.mux(self._audio.encode(frame))
        self._container.mux(self._audio.encode(None))

    def abort(self) -> None:
        self._stop()
        self._container.close()


class _Mp4vEncoder:
    """The fallback: OpenCV's MPEG-4 Part 2, on the caller's thread, no audio."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]) -> None:
        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
        self._writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, fourcc, fps, size)
        if not self._writer.isOpened():
            self._writer.release()
            raise ValueError(f"{path}: cv2 cannot open a video writer")

    def put(self, frame: Frame) -> None:
        self._writer.write(frame)

    def put_drawn(self, draw: Callable[[], Frame], size_wh: tuple[int, int]) -> None:
        frame = draw()
        if (frame.shape[1], frame.shape[0]) != size_wh:
            raise ValueError(f"a drawn frame of {frame.shape} is not {size_wh}")
        self._writer.write(frame)

    def close(self, audio: Samples | None) -> None:
        del audio  # mp4v files get no sound
        self._writer.release()

    def abort(self) -> None:
        self._writer.release()
