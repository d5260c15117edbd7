"""Frame sources for coaching: a camera, a video file or a landmark recording,
each as (frame, detection) pairs in time order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import Detection
from posecheck.io import recording, video
from posecheck.io.estimator import PoseEstimator


def detections(
    source: Path | int, *, mirror: bool = False
) -> Iterator[tuple[npt.NDArray[np.uint8] | None, Detection]]:
    """(frame, detection) pairs from a camera index, a video file or a landmark recording.

    A camera is mirrored before estimation when ``mirror`` is set, so that the
    picture, the landmarks and any text drawn later all agree. A recording
    yields no frames. Sources release their capture however iteration ends.
    """
    if isinstance(source, Path) and recording.is_recording(source):
        for detection in recording.read_detections(source):
            yield None, detection
        return
    frames = video.camera_frames(source) if isinstance(source, int) else video.video_frames(source)
    with PoseEstimator("video") as estimator:
        for frame, timestamp_ms in frames:
            if mirror:
                frame = video.mirror(frame)
            yield frame, estimator.detect(frame, timestamp_ms)
