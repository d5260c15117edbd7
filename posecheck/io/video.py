"""Image, video and camera I/O with OpenCV (windows are in `posecheck.io.window`).

Frames are BGR uint8 arrays of shape (H, W, 3). Timestamps are integer
milliseconds, strictly increasing within one source, because MediaPipe's VIDEO
mode rejects a timestamp equal to or lower than the previous one.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import cast

# FFmpeg prints its own complaints about a broken file ("moov atom not found");
# read when the backend first opens a file, so setting it here is in time.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2
import numpy as np
import numpy.typing as npt

from posecheck import atomic
from posecheck.errors import InputError
from posecheck.io.encode import VideoWriter, fallback_warning
from posecheck.io.info import SourceInfo

# OpenCV warns on stderr about a missing camera or an unreadable file;
# posecheck's own one-line error already says what is wrong and what to do.
# OPENCV_LOG_LEVEL in the environment still wins, for debugging.
if "OPENCV_LOG_LEVEL" not in os.environ:
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

Frame = npt.NDArray[np.uint8]
# Writers live in `posecheck.io.encode`; imported here for callers that use `video.*`.
__all__ = ["VideoWriter", "fallback_warning"]
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
_SUFFIX_LIST = ", ".join(sorted(IMAGE_SUFFIXES))
# Camera indexes cv2 is given; it segfaults on -1 with some backends.
MAX_CAMERA_INDEX = 63


def mirror(frame: Frame) -> Frame:
    """The frame flipped left to right, as a front camera's picture is usually shown.

    Mirror the camera frame BEFORE pose estimation, then estimate and draw on
    the mirrored frame: the landmarks then match what is on screen and the
    text reads the right way round. Mirroring a frame after drawing on it
    would flip the text.
    """
    return frame[:, ::-1].copy()


def bgr_to_rgb(frame: Frame) -> Frame:
    """A BGR uint8 (H, W, 3) frame as a new contiguous RGB array.

    cv2 does this in about 0.1 ms on a 720p frame, against about 5 ms for a
    numpy channel flip plus copy, and it runs on every frame.
    """
    rgb: Frame = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    return rgb


def _check_file(path: Path) -> None:
    """`InputError` unless ``path`` is a file this process can open for reading."""
    try:
        if not path.exists():
            raise InputError(f"{path}: no such file; check the path")
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file; pass a file inside it")
        with path.open("rb"):
            pass
    except OSError as error:  # permission denied, a name too long, an I/O error...
        reason = error.strerror or str(error)
        raise InputError(
            f"{path}: cannot be read ({reason}); check the file and its permissions"
        ) from None


def is_photo(path: Path) -> bool:
    """Whether a file is a still image, by its suffix or by its first bytes.

    FFmpeg opens a photo as a one-frame video, so the video readers cannot tell.
    """
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        return bool(cv2.haveImageReader(str(path)))
    except cv2.error:
        return False


def read_image(path: Path) -> Frame:
    """Read a photo as BGR uint8 (H, W, 3), turned upright by its EXIF orientation."""
    _check_file(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}); check it") from None
    frame = None
    if data:  # imdecode raises, rather than returning None, on an empty buffer
        # Bytes + imdecode, not imread: imread cannot open non-ASCII paths on Windows.
        # IMREAD_COLOR applies the EXIF orientation in imdecode too (checked on cv2 5.0).
        try:
            frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        except cv2.error:
            frame = None
    if frame is None:
        kinds = "JPEG, PNG, BMP or WebP"
        raise InputError(f"{path}: not a readable image (expected {kinds}); check the file")
    return cast(Frame, frame)


def _expand_one(path: Path) -> list[Path] | InputError:
    if path.is_file():
        return [path]
    if not path.is_dir():
        if path.exists():
            return InputError(f"{path}: not a file or folder; pass photos or folders of photos")
        return InputError(f"{path}: no such file or folder; check the path")
    try:
        # Hidden files are skipped: macOS leaves "._name.jpg" companions that are not
        # images, and this module's own temporary files start with a dot.
        found = [
            p
            for p in path.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
        ]
    except OSError as error:
        return InputError(f"{path}: cannot list this folder ({error.strerror}); check it")
    if not found:
        return InputError(
            f"{path}: no images found (expected {_SUFFIX_LIST}); point at a folder of photos"
        )
    return sorted(found, key=lambda p: p.name)


def expand_image_paths_lenient(inputs: Sequence[Path]) -> list[Path | InputError]:
    """Expand files and folders into image paths, with each bad input's error in its place.

    A file is kept whatever its suffix (reading it reports problems); a folder
    gives its non-hidden image files by suffix, sorted by name, not recursing.
    A missing path or a folder without images becomes one `InputError` item.
    """
    out: list[Path | InputError] = []
    for path in inputs:
        item = _expand_one(path)
        if isinstance(item, InputError):
            out.append(item)
        else:
            out.extend(item)
    return out


def image_frames(paths: Sequence[Path], interval_ms: int = 1000) -> Iterator[tuple[Frame, int]]:
    """Yield (frame, timestamp_ms) per photo, at 0, interval_ms, 2 * interval_ms, ...

    A photo that cannot be read raises `InputError` when its turn comes.
    """
    if interval_ms < 1:
        raise ValueError(f"interval_ms must be at least 1 (got {interval_ms})")
    for i, path in enumerate(paths):
        yield read_image(path), i * interval_ms


def _open_video(path: Path) -> cv2.VideoCapture:
    _check_file(path)
    # FFmpeg explicitly: otherwise cv2 may fall back to its image-sequence reader,
    # which takes names containing % as patterns and opens single photos as videos.
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not capture.isOpened():
        capture.release()
        kinds = "MP4, MOV, AVI, MKV or WebM"
        raise InputError(f"{path}: not a readable video (expected {kinds}); check the file")
    return capture


def _no_frames(path: Path) -> InputError:
    return InputError(f"{path}: no frame could be decoded; the file may be truncated or damaged")


def _positive(capture: cv2.VideoCapture, prop: int) -> float:
    """A capture property, or 0.0 when it is unknown (cv2 gives 0, -1 or NaN then)."""
    value = float(capture.get(prop))
    return value if math.isfinite(value) and value > 0 else 0.0


def _rotation_deg(capture: cv2.VideoCapture) -> int:
    prop = getattr(cv2, "CAP_PROP_ORIENTATION_META", None)  # absent from older cv2
    value = float(capture.get(prop)) if prop is not None else 0.0
    return round(value) % 360 if math.isfinite(value) else 0


def probe_video(path: Path) -> SourceInfo:
    """Open a video, decode its first frame and describe it; `InputError` if it cannot."""
    capture = _open_video(path)
    try:
        ok, frame = capture.read()
        if not ok or frame is None:
            raise _no_frames(path)
        fps = _positive(capture, cv2.CAP_PROP_FPS)
        count = int(_positive(capture, cv2.CAP_PROP_FRAME_COUNT))
        return SourceInfo(
            path=str(path),
            frames=count,
            fps=fps,
            duration_s=count / fps if fps else 0.0,
            width=int(frame.shape[1]),
            height=int(frame.shape[0]),
            rotation_deg=_rotation_deg(capture),
        )
    finally:
        capture.release()


# A seek lands this far before the wanted time, then reads forward to it: cv2's
# frame-accurate seeking can still land a frame or two late on some files.
_SEEK_MARGIN_S = 0.5


def video_frames(
    path: Path, start_ms: int = 0, end_ms: int | None = None
) -> Iterator[tuple[Frame, int]]:
    """Yield (frame, timestamp_ms) from a video file, timed by the file's own frame times.

    A time not greater than the previous one (some containers give 0 or repeats)
    becomes previous + round(1000 / fps), or previous + 1 when fps is unknown.
    cv2 turns frames upright by the rotation metadata (CAP_PROP_ORIENTATION_AUTO
    is on by default and left on). `InputError` surfaces on the first iteration.
    The file is released however the iteration ends.

    ``start_ms`` and ``end_ms`` (exclusive) keep only the frames timed in that
    span, for work split in chunks. The file is sought to shortly before
    ``start_ms`` and read forward from there; if the seek lands past it, or on
    times that look broken, it is read from the beginning instead, so a span
    always holds the same frames with the same times as a read of the whole file.
    """
    capture = _open_video(path)
    try:
        fps = _positive(capture, cv2.CAP_PROP_FPS)
        step = max(1, round(1000 / fps)) if fps else 1
        sought = False
        if start_ms > 0 and fps:
            first = math.floor(start_ms * fps / 1000) - max(1, round(fps * _SEEK_MARGIN_S))
            if first > 0:
                sought = bool(capture.set(cv2.CAP_PROP_POS_FRAMES, first))
        previous: int | None = None
        while True:
            ok, frame = capture.read()
            if not ok or frame is None:
                break
            raw = float(capture.get(cv2.CAP_PROP_POS_MSEC))
            stamp = round(raw) if math.isfinite(raw) else 0
            if sought and previous is None and not 0 < stamp <= start_ms:
                # Landed past the span, or on a time that cannot be trusted: start over.
                capture.release()
                capture = _open_video(path)
                sought = False
                continue
            if previous is None:
                stamp = max(stamp, 0)
            elif stamp <= previous:
                stamp = previous + step
            previous = stamp
            if end_ms is not None and stamp >= end_ms:
                break
            if stamp >= start_ms:
                yield cast(Frame, frame), stamp
        if previous is None and start_ms == 0:
            raise _no_frames(path)
    finally:
        capture.release()


def encode_jpeg(frame: Frame, quality: int = 85) -> bytes:
    """A BGR uint8 (H, W, 3) frame as JPEG bytes (for reports)."""
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"cv2 could not encode a {frame.dtype} {frame.shape} frame as JPEG")
    return bytes(encoded.tobytes())


def camera_frames(
    index: int,
    clock: Callable[[], float] = time.monotonic,
    *,
    size_wh: tuple[int, int] | None = None,
) -> Iterator[tuple[Frame, int]]:
    """Yield (frame, timestamp_ms) from camera ``index``, in ms since its first frame.

    ``clock`` returns seconds; ``size_wh`` is the picture size to ask the
    camera for (it gives the nearest it has). A camera that cannot be opened, sends no first
    frame or stops sending raises `InputError`. It is released however it ends.
    """
    name, hint = f"camera {index}", "or play a file with --source FILE"
    if not 0 <= index <= MAX_CAMERA_INDEX:
        # cv2 crashes the whole process on some negative indexes, so never pass one on.
        raise InputError(f"{name} is not a camera index; use 0 to {MAX_CAMERA_INDEX}, {hint}")
    capture = cv2.VideoCapture(index)
    try:
        if not capture.isOpened():
            raise InputError(
                f"{name} could not be opened; check it is connected and not in use, {hint}"
            )
        if size_wh is not None:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, size_wh[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size_wh[1])
        start: float | None = None
        previous = -1
        while True:
            ok, frame = capture.read()
            if not ok or frame is None:
                if start is None:
                    raise InputError(f"{name} sent no picture; check it is not in use, {hint}")
                raise InputError(f"{name} stopped sending pictures; check it is still connected")
            now = clock()
            start = now if start is None else start
            previous = max(round((now - start) * 1000), previous + 1)
            yield cast(Frame, frame), previous
    finally:
        capture.release()


def write_image(path: Path, frame: Frame) -> None:
    """Save a BGR uint8 (H, W, 3) frame as an image in the format of its suffix, atomically."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(f"{path}: cannot save an image with this suffix; use {_SUFFIX_LIST}")
    atomic.check_folder(path)
    ok, encoded = cv2.imencode(path.suffix.lower(), frame)
    if not ok:
        raise ValueError(f"{path}: cv2 could not encode a {frame.dtype} {frame.shape} frame")
    atomic.write(path, encoded.tobytes(), keep_suffix=True, verb="saved")


def recorded_at(path: Path) -> tuple[str, str] | None:
    """When a recording was made, as (ISO 8601 time, where that came from).

    A video's own ``creation_time`` tag when it has one (phones and cameras
    write it), else the file's modification time; None if neither can be read.
    """
    try:
        import av  # only for the tag; PyAV is a dependency of the video writer

        with av.open(str(path)) as container:
            tag = container.metadata.get("creation_time")
    except Exception:  # not a file PyAV opens, or no PyAV: the file time will do
        tag = None
    if tag:
        try:
            stamp = datetime.fromisoformat(tag.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None and stamp.year > 1970:
            return stamp.astimezone().isoformat(timespec="seconds"), "file metadata"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    stamp = datetime.fromtimestamp(mtime).astimezone()
    return stamp.isoformat(timespec="seconds"), "file modification time"
