"""Sessions over time, built from still poses: a list of (pose, seconds) segments
becomes detections (or a landmark recording) at a fixed frame rate, each frame
the segment's pose moved by a little seeded jitter, as a camera's would be.

A helper module for routine tests; not a test file itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from posecheck.body.landmarks import Detection, Pose
from posecheck.io.recording import RecordingWriter

Segment = tuple[Pose | None, float]


def jittered(pose: Pose, timestamp_ms: int, rng: np.random.Generator, px: float) -> Pose:
    """The pose at ``timestamp_ms`` with every landmark moved by up to about ``px`` pixels."""
    if px <= 0:
        return dataclasses.replace(pose, timestamp_ms=timestamp_ms)
    scale = max(pose.image_wh) or 1
    return dataclasses.replace(
        pose,
        xy_px=pose.xy_px + rng.normal(0.0, px / 2, pose.xy_px.shape),
        world_xyz_m=pose.world_xyz_m + rng.normal(0.0, px / 2 / scale, pose.world_xyz_m.shape),
        timestamp_ms=timestamp_ms,
    )


def detections(
    segments: Sequence[Segment],
    *,
    fps: float = 10.0,
    jitter_px: float = 1.5,
    image_wh: tuple[int, int] | None = None,
    seed: int = 7,
) -> Iterator[Detection]:
    """One detection per frame through the segments in order (None: nobody in view)."""
    rng = np.random.default_rng(seed)
    wh = image_wh or next((p.image_wh for p, _ in segments if p is not None), (640, 480))
    frame_ms = 1000.0 / fps
    start_s = 0.0
    index = 0
    for pose, seconds in segments:
        end_s = start_s + seconds
        while index * frame_ms < end_s * 1000 - 1e-6:
            t = round(index * frame_ms)
            shown = None if pose is None else jittered(pose, t, rng, jitter_px)
            yield Detection(t, wh, shown, people=0 if shown is None else 1)
            index += 1
        start_s = end_s


def write_recording(path: Path, segments: Sequence[Segment], *, fps: float = 10.0) -> Path:
    """A landmark recording (.jsonl) of the segments, as `live --record` writes one."""
    frames = list(detections(segments, fps=fps))
    with RecordingWriter(path, frames[0].image_wh, fps=fps) as writer:
        for detection in frames:
            writer.write(detection)
    return path
