"""Recorded sessions: the landmarks of every frame as JSON Lines.

A physiotherapist can receive a recording instead of a video (it holds no
picture of the person), and `--source` plays it back as if it were a camera.

The first line is a header::

    {"posecheck_recording": 1, "image_wh": [1280, 720], "stretch": "bridge", ...}

and every following line one frame::

    {"timestamp_ms": 1033, "people": 1, "pose": {...Pose.to_dict()...}}

with ``"pose": null`` for a frame where no person was found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from posecheck.errors import InputError
from posecheck.landmarks import Detection, Pose

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
        if not path.parent.is_dir():
            raise InputError(
                f"{path.parent}: no such folder; create it first or pick another --record"
            )
        self.path = path
        self._partial = path.with_name(f".{path.name}.partial")
        self._header = {"posecheck_recording": FORMAT_VERSION, "image_wh": list(image_wh), **header}
        self._file: IO[str] | None = None
        self.frames = 0

    def __enter__(self) -> RecordingWriter:
        try:
            self._file = self._partial.open("w", encoding="utf-8")
        except OSError as error:
            raise InputError(
                f"{self.path}: cannot be written ({error.strerror}); pick another --record"
            ) from None
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
        self._partial.replace(self.path)


def read_header(path: Path) -> dict[str, Any]:
    """The recording's header line; `InputError` when the file is not a recording."""
    try:
        with path.open(encoding="utf-8") as f:
            first = f.readline()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except (OSError, UnicodeDecodeError):
        raise InputError(
            f"{path}: cannot be read as a posecheck recording; check the file"
        ) from None
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("posecheck_recording") != FORMAT_VERSION:
        raise InputError(
            f"{path}: not a posecheck recording (the first line must be its header); "
            "make one with `posecheck live --record FILE`"
        )
    wh = header.get("image_wh")
    if not (
        isinstance(wh, list) and len(wh) == 2 and all(isinstance(v, int) and v > 0 for v in wh)
    ):
        raise InputError(f"{path}: recording header has no valid image_wh; the file is damaged")
    return header


def read_detections(path: Path) -> Iterator[Detection]:
    """Every frame of a recording as a `Detection`, in order.

    A damaged line raises `InputError` naming the line, when it is reached.
    """
    header = read_header(path)
    w, h = header["image_wh"]
    previous = -1
    with path.open(encoding="utf-8") as f:
        next(f)
        for number, line in enumerate(f, start=2):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                timestamp_ms = int(record["timestamp_ms"])
                pose_data = record["pose"]
                pose = None if pose_data is None else Pose.from_dict(pose_data)
                people = int(record.get("people", 0 if pose is None else 1))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise InputError(
                    f"{path}: line {number} is not a valid frame; the recording is damaged"
                ) from None
            if timestamp_ms <= previous:
                raise InputError(
                    f"{path}: line {number} goes back in time ({timestamp_ms} ms after "
                    f"{previous} ms); the recording is damaged"
                )
            previous = timestamp_ms
            yield Detection(timestamp_ms, (w, h), pose, people)
