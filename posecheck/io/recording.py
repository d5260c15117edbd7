"""Recorded sessions: the landmarks of every frame as JSON Lines.

A physiotherapist can receive a recording instead of a video (it holds no
picture of the person), and `--source` plays it back as if it were a camera.

The first line is a header::

    {"posecheck_recording": 1, "image_wh": [1280, 720], "stretch": "bridge", ...}

and every following line one frame::

    {"timestamp_ms": 1033, "people": 1, "pose": {...Pose.to_dict()...}}

with ``"pose": null`` for a frame where no person was found.

Recordings come from other people, so reading one trusts nothing in it. Every
value is checked and bounded: ``image_wh`` 1 to 16384 px a side, ``fps`` above
0 and at most 1000, ``hold_s`` above 0 and at most an hour, timestamps finite,
from 0 to a day and strictly increasing, coordinates finite and within ten
picture sizes, scores in [0, 1]. A line over 1 MiB, an integer over 20 digits
or JSON nested too deeply is refused before it can exhaust memory or the
stack. Any problem is one `InputError` line naming the file, the line and
the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from posecheck import atomic
from posecheck.body.landmarks import Detection, Pose, image_size, shown, timestamp
from posecheck.errors import InputError

FORMAT_VERSION = 1
SUFFIXES = (".jsonl", ".ndjson")


def is_recording(path: Path) -> bool:
    """Whether a --source path names a landmark recording rather than a video."""
    return path.suffix.lower() in SUFFIXES


class RecordingWriter:
    """Writes a recording atomically: a hidden temporary file beside ``path``,
    renamed onto it when the ``with`` block ends, so an interrupted session
    never leaves a half-written file. An exception inside the block keeps
    what was recorded: the frames so far are still saved, because losing a
    patient's session to a crash would be worse than a short recording."""

    def __init__(self, path: Path, image_wh: tuple[int, int], **header: Any) -> None:
        self._partial = atomic.Partial(path, option="--record", keep_on_error=True)
        self.path = path
        self._header = {"posecheck_recording": FORMAT_VERSION, "image_wh": list(image_wh), **header}
        self._file: IO[str] | None = None
        self.frames = 0

    def __enter__(self) -> RecordingWriter:
        try:
            self._file = self._partial.temp.open("w", encoding="utf-8")
        except OSError as error:
            raise self._partial.error(error) from None
        self._file.write(json.dumps(self._header) + "\n")
        return self

    def write(self, detection: Detection) -> None:
        if self._file is None:
            raise RuntimeError("RecordingWriter.write must be called inside its `with` block")
        record = {
            "timestamp_ms": detection.timestamp_ms,
            "people": detection.people,
            "pose": None if detection.pose is None else detection.pose.to_dict(),
        }
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.frames += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is None:
            return
        self._file.close()
        self._file = None
        self._partial.__exit__(exc_type, exc, tb)


# Limits on what a recording may hold. A frame line is about 4 KB; anything
# far longer is not a frame, and reading it whole could exhaust memory.
MAX_LINE_BYTES = 1 << 20
# Longer integer literals than this are not a pixel, a score or a timestamp;
# refusing them early also keeps Python's slow big-integer parsing out.
MAX_INTEGER_DIGITS = 20
MAX_FPS = 1000.0
MAX_HOLD_S = 3600.0
MAX_PEOPLE = 100
DAMAGED = "the recording is damaged"


class _DamageError(ValueError):
    """One problem in one line, worded as the field and what it must be."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _DamageError(f"has an integer of {len(text)} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _loads(raw: bytes) -> object:
    """One line's JSON value; `_DamageError` saying why when it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _DamageError(f"is not UTF-8 text (byte {error.start})") from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except _DamageError:
        raise
    except RecursionError:
        raise _DamageError("is nested too deeply to be a frame") from None
    except json.JSONDecodeError as error:
        raise _DamageError(f"is not valid JSON ({error.msg} at column {error.colno})") from None


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a recording; name a .jsonl file") from None
    except OSError as error:
        raise InputError(
            f"{path}: cannot be read ({error.strerror}); check the file's permissions"
        ) from None


def _number(header: Mapping[str, object], key: str, most: float) -> float | None:
    """An optional header number: present means finite, > 0 and at most ``most``."""
    if key not in header:
        return None
    value = header[key]
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= most
    ):
        return float(value)
    raise _DamageError(f"{key} must be a number above 0 and at most {most:g} (got {shown(value)})")


@dataclass(frozen=True)
class RecordingHeader:
    """A recording's first line, checked. Optional fields are None when absent.

    image_wh: the picture's (width, height) in pixels. fps: the rate it was
    recorded at. hold_s: the hold the session was coached with. stretch: the
    stretch id. source: where the landmarks came from, in words.
    """

    image_wh: tuple[int, int]
    fps: float | None = None
    hold_s: float | None = None
    stretch: str | None = None
    source: str | None = None


def _text(header: Mapping[str, object], key: str) -> str | None:
    value = header.get(key)
    if key in header and not isinstance(value, str):
        raise _DamageError(f"{key} must be a string (got {shown(value)})")
    return value if isinstance(value, str) else None


def _check_header(header: dict[str, Any]) -> RecordingHeader:
    version = header["posecheck_recording"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise _DamageError(
            f"posecheck_recording must be {FORMAT_VERSION}, the format this posecheck reads "
            f"(got {shown(version)})"
        )
    try:
        image_wh = image_size(header.get("image_wh"), "image_wh")
    except ValueError as error:
        raise _DamageError(str(error)) from None
    fps = _number(header, "fps", MAX_FPS)
    hold_s = _number(header, "hold_s", MAX_HOLD_S)
    stretch = _text(header, "stretch")
    return RecordingHeader(image_wh, fps, hold_s, stretch, _text(header, "source"))


def _read_header(path: Path, f: IO[bytes]) -> RecordingHeader:
    try:
        first = f.readline(MAX_LINE_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}); check the file") from None
    if not first:
        raise InputError(f"{path}: is empty, not a posecheck recording; check the file")
    header: object = None
    if len(first) <= MAX_LINE_BYTES:
        try:
            header = _loads(first)
        except _DamageError as problem:
            if b'"posecheck_recording"' in first:
                # A header, damaged: say what is wrong rather than what a recording is.
                raise InputError(f"{path}: line 1 (the header) {problem}; {DAMAGED}") from None
    if not isinstance(header, dict) or "posecheck_recording" not in header:
        raise InputError(
            f"{path}: not a posecheck recording (the first line must be its header); "
            "make one with `posecheck live --record FILE`"
        )
    try:
        return _check_header(header)
    except _DamageError as problem:
        raise InputError(f"{path}: line 1 (the header): {problem}; {DAMAGED}") from None


def read_header(path: Path) -> RecordingHeader:
    """The recording's header line, checked; `InputError` when the file is not a
    recording or a header field is out of bounds (``fps`` in (0, 1000], ``hold_s``
    in (0, 3600], ``image_wh`` 1 to 16384 px a side)."""
    with _open(path) as f:
        return _read_header(path, f)


def _frame(record: object, image_wh: tuple[int, int]) -> tuple[int, Pose | None, int]:
    """(timestamp_ms, pose, people) of one frame line; `_DamageError` naming the field."""
    if not isinstance(record, dict):
        raise _DamageError(f"must be a JSON object (got {shown(record)})")
    if "timestamp_ms" not in record:
        raise _DamageError("timestamp_ms is missing (the frame's time in milliseconds)")
    try:
        timestamp_ms = timestamp(record["timestamp_ms"], "timestamp_ms")
    except ValueError as error:
        raise _DamageError(str(error)) from None
    if "pose" not in record:
        raise _DamageError("pose is missing (an object, or null when no person was found)")
    pose_data = record["pose"]
    pose = None
    if pose_data is not None:
        if not isinstance(pose_data, dict):
            raise _DamageError(f"pose must be an object or null (got {shown(pose_data)})")
        try:
            pose = Pose.from_dict(pose_data)
        except ValueError as error:
            raise _DamageError(f"pose.{error}") from None
        if pose.image_wh != image_wh:
            raise _DamageError(
                f"pose.image_wh must match the header's {list(image_wh)} "
                f"(got {list(pose.image_wh)})"
            )
    people = record.get("people", 0 if pose is None else 1)
    least = 0 if pose is None else 1
    if not (
        isinstance(people, int) and not isinstance(people, bool) and least <= people <= MAX_PEOPLE
    ):
        raise _DamageError(
            f"people must be a whole number from {least} to {MAX_PEOPLE} (got {shown(people)})"
        )
    return timestamp_ms, pose, people


def read_detections(path: Path) -> Iterator[Detection]:
    """Every frame of a recording as a `Detection`, in order.

    A damaged line raises `InputError` naming the line and the field, when it
    is reached. Timestamps must be strictly increasing: two frames at the same
    time, or one earlier than the one before, mean the file was edited or
    joined wrongly. A header with no frame after it is an error too.
    """
    with _open(path) as f:
        image_wh = _read_header(path, f).image_wh
        previous: int | None = None
        number = 1  # the header
        try:
            while raw := f.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(raw) > MAX_LINE_BYTES:
                    raise _DamageError(f"is longer than {MAX_LINE_BYTES} bytes")
                if not raw.strip():
                    continue
                timestamp_ms, pose, people = _frame(_loads(raw), image_wh)
                if previous is not None and timestamp_ms <= previous:
                    raise _DamageError(
                        f"timestamp_ms must be after the previous frame's {previous} "
                        f"(got {timestamp_ms})"
                    )
                previous = timestamp_ms
                yield Detection(timestamp_ms, image_wh, pose, people)
        except _DamageError as problem:
            raise InputError(f"{path}: line {number}: {problem}; {DAMAGED}") from None
        except OSError as error:
            raise InputError(f"{path}: cannot be read ({error.strerror}); check the file") from None
    if previous is None:
        raise InputError(f"{path}: has a header but no frames; record a session first")
