"""Sources of poses: a camera, a video file or a landmark recording, opened once.

`open_source` decides which of the three an input is, reads what it says about
itself (`SourceInfo`) and returns a `Source`. Everything after that asks the
source, never the path: its pictures (`frames`), its poses for scoring
(`detections`: sampled, and estimated in chunks over worker processes for a
video) or for coaching as it plays (`play`: one tracker, in time order, with
estimation on a thread of its own: see `pipeline`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from posecheck.body.landmarks import Detection
from posecheck.errors import InputError
from posecheck.io import chunks, pipeline, recording, video
from posecheck.io.estimator import PoseEstimator
from posecheck.io.info import SourceInfo

# The frame rate assumed where a source does not say (a camera, a file without it).
DEFAULT_FPS = 30.0
# The picture size a camera is asked for (it may give another; see `--camera-size`).
CAMERA_SIZE = (1280, 720)

Pairs = Iterator[tuple[video.Frame | None, Detection]]


class Source:
    """An opened input. ``kind`` is "camera", "video" or "recording".

    ``read`` says how much of a video the last `detections` pass read, which
    can be less than its header announces when the file is truncated; None for
    the other kinds, which announce no frame count.
    """

    kind = ""
    read: chunks.Reading | None = None

    @property
    def info(self) -> SourceInfo:
        raise NotImplementedError

    @property
    def fps(self) -> float:
        """The rate to play or write this source at: its own, else `DEFAULT_FPS`."""
        return self.info.fps or DEFAULT_FPS

    def frames(self) -> Iterator[tuple[video.Frame, int]]:
        """(picture, timestamp_ms) in time order; a recording has no pictures."""
        raise NotImplementedError

    def detections(self, sample_fps: float | None = None, workers: int = 1) -> Pairs:
        """(picture or None, detection) for scoring, keeping the first frame of every
        1/``sample_fps`` s (all frames when None). A video is estimated in the fixed
        chunks of `chunks.chunk_plan`, ``workers`` at a time; with more than one
        worker the pictures stay in the workers and None comes in their place."""
        raise NotImplementedError

    def play(self, *, mirror: bool = False) -> Pairs:
        """(picture or None, detection) as the source plays, one tracker throughout.

        A camera is mirrored before estimation when ``mirror`` is set, so that
        the picture, the landmarks and any text drawn later all agree. A
        camera gives the newest frame the estimator could take (older ones
        are dropped); a video gives every frame in order. A recording yields
        no pictures. The capture is released however iteration ends; close
        the iterator (it has ``close``) to end the estimation thread at once.
        """
        raise NotImplementedError


def _estimated(frames: Iterator[tuple[video.Frame, int]], mirror: bool) -> Pairs:
    with PoseEstimator("video") as estimator:
        for frame, timestamp_ms in frames:
            if mirror:
                frame = video.mirror(frame)
            yield frame, estimator.detect(frame, timestamp_ms)


class CameraSource(Source):
    kind = "camera"

    def __init__(self, index: int, size_wh: tuple[int, int] | None = CAMERA_SIZE) -> None:
        self.index = index
        self.size_wh = size_wh

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(f"camera {self.index}", 0, 0.0, 0.0, 0, 0)

    def frames(self) -> Iterator[tuple[video.Frame, int]]:
        return video.camera_frames(self.index, size_wh=self.size_wh)

    def detections(self, sample_fps: float | None = None, workers: int = 1) -> Pairs:
        keep = chunks.sampler(sample_fps)
        return (pair for pair in _estimated(self.frames(), False) if keep(pair[1].timestamp_ms))

    def play(self, *, mirror: bool = False) -> Pairs:
        return pipeline.newest_first(self.frames(), mirror=mirror)


class VideoSource(Source):
    """A video file, probed on opening."""

    kind = "video"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._info = video.probe_video(path)
        self.read = chunks.Reading()

    @property
    def info(self) -> SourceInfo:
        return self._info

    def frames(self) -> Iterator[tuple[video.Frame, int]]:
        return video.video_frames(self.path)

    def detections(self, sample_fps: float | None = None, workers: int = 1) -> Pairs:
        self.read = reading = chunks.Reading()
        return chunks.estimate(self.path, self.info.duration_s, sample_fps, workers, reading)

    def play(self, *, mirror: bool = False) -> Pairs:
        return pipeline.in_order(self.frames(), mirror=mirror)


class RecordingSource(Source):
    """A landmark recording: its header is read on opening; its frames are
    counted (for `info`) only when asked."""

    kind = "recording"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header = recording.read_header(path)

    @functools.cached_property
    def info(self) -> SourceInfo:
        frames, last_ms = 0, 0
        for detection in recording.read_detections(self.path):  # counted, not kept
            frames, last_ms = frames + 1, detection.timestamp_ms
        duration = last_ms / 1000.0
        fps = self.header.fps or (frames / duration if duration else 0.0)
        w, h = self.header.image_wh
        return SourceInfo(str(self.path), frames, fps, duration, w, h)

    @property
    def fps(self) -> float:
        # The header's rate when it has one, without reading every frame.
        return self.header.fps or self.info.fps or DEFAULT_FPS

    def frames(self) -> Iterator[tuple[video.Frame, int]]:
        return iter(())

    def detections(self, sample_fps: float | None = None, workers: int = 1) -> Pairs:
        keep = chunks.sampler(sample_fps)
        return ((None, d) for d in recording.read_detections(self.path) if keep(d.timestamp_ms))

    def play(self, *, mirror: bool = False) -> Pairs:
        return ((None, d) for d in recording.read_detections(self.path))


def open_source(
    source: Path | int,
    *,
    refuse_photo: str | None = None,
    camera_size: tuple[int, int] | None = CAMERA_SIZE,
) -> Source:
    """Open a camera index, a video file or a landmark recording (by its suffix).

    A video is probed here, and a recording's header read, so a file that
    cannot be used is an `InputError` now rather than mid-run. With
    ``refuse_photo``, a photo is an `InputError` too: ``<path>: is a photo;``
    followed by that text (a photo opens as a one-frame video otherwise). A
    camera is asked for ``camera_size`` (width, height; None for its own).
    """
    if isinstance(source, int):
        return CameraSource(source, camera_size)
    if recording.is_recording(source):
        return RecordingSource(source)
    if refuse_photo is not None and video.is_photo(source):
        raise InputError(f"{source}: is a photo; {refuse_photo}")
    return VideoSource(source)
