"""What a source says about itself: one type for cameras, videos and recordings.

Kept apart from the readers (no OpenCV here) so that reports can carry it
without loading what reads the files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceInfo:
    """A source's metadata.

    path: the file as given, or ``camera N``. frames: the frame count (for a
    video what its header says, 0 when it does not say; for a recording its
    frame lines). fps: frames per second, 0.0 when unknown. duration_s: in
    seconds, 0.0 when unknown. width, height: pixels of the frames as they are
    read (after auto-rotation), 0 for a camera not yet opened. rotation_deg:
    rotation metadata (0, 90, 180 or 270), already applied to the frames.
    """

    path: str
    frames: int
    fps: float
    duration_s: float
    width: int
    height: int
    rotation_deg: int = 0
