"""Landmark recordings: written atomically, read back exactly, damage reported in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from posecheck.body.landmarks import Detection
from posecheck.errors import InputError
from posecheck.io import recording
from tests.helpers import ROOT, recorded_pose

SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"


def test_a_recording_reads_back_what_was_written(tmp_path: Path):
    pose = recorded_pose("Butt_Lift_Bridge/1.jpg")
    path = tmp_path / "session.jsonl"
    with recording.RecordingWriter(path, pose.image_wh, stretch="bridge", fps=30) as out:
        out.write(Detection(0, pose.image_wh, pose, 1))
        out.write(Detection(33, pose.image_wh, None, 0))
    assert recording.read_header(path).stretch == "bridge"
    first, second = recording.read_detections(path)
    assert first.pose is not None and np.allclose(first.pose.xy_px, pose.xy_px, atol=0.01)
    assert (second.timestamp_ms, second.pose, second.people) == (33, None, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["session.jsonl"]  # no temporary left


def test_an_interrupted_session_still_saves_what_was_recorded(tmp_path: Path):
    pose = recorded_pose("Butt_Lift_Bridge/1.jpg")
    path = tmp_path / "session.jsonl"
    with pytest.raises(KeyboardInterrupt), recording.RecordingWriter(path, pose.image_wh) as out:
        out.write(Detection(0, pose.image_wh, pose, 1))
        raise KeyboardInterrupt
    assert len(list(recording.read_detections(path))) == 1


def test_a_file_that_is_not_a_recording_is_one_clear_line(tmp_path: Path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("hello\n")
    with pytest.raises(InputError) as info:
        recording.read_header(notes)
    assert str(info.value) == (
        f"{notes}: not a posecheck recording (the first line must be its header); "
        "make one with `posecheck live --record FILE`"
    )
    with pytest.raises(InputError, match=r"no such file; check the path"):
        recording.read_header(tmp_path / "gone.jsonl")


def test_a_damaged_line_is_named(tmp_path: Path):
    lines = SAMPLE.read_text().splitlines()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join([*lines[:3], '{"timestamp_ms": "soon"}', *lines[4:6]]) + "\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(damaged))
    assert str(info.value) == (
        f"{damaged}: line 4: timestamp_ms must be a number of milliseconds from 0 to "
        "86400000 (got 'soon'); the recording is damaged"
    )
    backwards = tmp_path / "backwards.jsonl"
    backwards.write_text("\n".join([lines[0], lines[2], lines[1]]) + "\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(backwards))
    assert str(info.value) == (
        f"{backwards}: line 3: timestamp_ms must be after the previous frame's 67 (got 0); "
        "the recording is damaged"
    )


def _sample_lines() -> list[str]:
    return SAMPLE.read_text().splitlines()[:4]


def _frame(index: int = 1) -> dict[str, object]:
    record: dict[str, object] = json.loads(_sample_lines()[index])
    return record


def _with_pose(**changes: object) -> str:
    """The first frame with pose fields changed; a field changed to DROP is removed."""
    record = _frame()
    pose = dict(record["pose"])  # type: ignore[call-overload]
    pose.update(changes)
    pose = {k: v for k, v in pose.items() if v is not DROP}
    record["pose"] = pose
    return json.dumps(record)


def _header(**changes: object) -> str:
    header = json.loads(_sample_lines()[0])
    header.update(changes)
    return json.dumps(header)


def _xy(value: float) -> list[list[float]]:
    xy: list[list[float]] = _frame()["pose"]["xy_px"]  # type: ignore[index]
    return [[value, xy[0][1]], *xy[1:]]


NAN = float("nan")
DROP = object()
HEADER = "line 1 (the header): "
# Each damaged line replaces line 3 of the bundled sample (the second frame);
# what the reader must say about it.
DAMAGED_FRAMES = {
    "infinite time": (
        '{"timestamp_ms": Infinity, "pose": null}',
        "line 3: timestamp_ms must be a number of milliseconds from 0 to 86400000 (got inf)",
    ),
    "negative time": (
        '{"timestamp_ms": -5, "pose": null}',
        "line 3: timestamp_ms must be a number of milliseconds from 0 to 86400000 (got -5)",
    ),
    "same time twice": (
        '{"timestamp_ms": 0, "pose": null}',
        "line 3: timestamp_ms must be after the previous frame's 0 (got 0)",
    ),
    "NaN coordinate": (
        _with_pose(xy_px=_xy(NAN)),
        "line 3: pose.xy_px must hold finite numbers (got NaN or infinity)",
    ),
    "1e308 coordinate": (
        _with_pose(xy_px=_xy(1e308)),
        "line 3: pose.xy_px must stay within 10 picture sizes of the origin (got 1e+308)",
    ),
    "32 landmarks": (
        _with_pose(xy_px=_xy(1.0)[:32]),
        "line 3: pose.xy_px must be a list of 33 [x, y] number pairs (got a list of 32 whose "
        "first item is a list of 2)",
    ),
    "string coordinates": (
        _with_pose(xy_px=[["1", "2"]] * 33),
        "line 3: pose.xy_px must be a list of 33 [x, y] number pairs (got a list of 33 whose "
        "first item is a list of 2)",
    ),
    "visibility above 1": (
        _with_pose(visibility=[1.5] * 33),
        "line 3: pose.visibility must hold scores from 0 to 1 (got 1.5)",
    ),
    "missing landmarks": (
        _with_pose(presence=DROP),
        "line 3: pose.presence is missing",
    ),
    "pose of another size": (
        _with_pose(image_wh=[640, 480]),
        "line 3: pose.image_wh must match the header's [850, 567] (got [640, 480])",
    ),
    "missing time": (
        '{"pose": null}',
        "line 3: timestamp_ms is missing (the frame's time in milliseconds)",
    ),
    "missing pose": (
        '{"timestamp_ms": 100}',
        "line 3: pose is missing (an object, or null when no person was found)",
    ),
    "not an object": ("[1, 2, 3]", "line 3: must be a JSON object (got a list of 3)"),
    "a bare number": ("12", "line 3: must be a JSON object (got 12)"),
    "people negative": (
        '{"timestamp_ms": 100, "people": -1, "pose": null}',
        "line 3: people must be a whole number from 0 to 100 (got -1)",
    ),
    "deep nesting": (
        "[" * 100_000 + "]" * 100_000,
        "line 3: is nested too deeply to be a frame",
    ),
    "5000-digit number": (
        '{"timestamp_ms": 1' + "0" * 5000 + ', "pose": null}',
        "line 3: has an integer of 5001 digits (at most 20)",
    ),
    "not JSON": ('{"timestamp_ms": 100, "pose": nul', "line 3: is not valid JSON"),
}


@pytest.mark.parametrize("name", list(DAMAGED_FRAMES))
def test_each_kind_of_damaged_frame_is_one_line_naming_the_field(tmp_path: Path, name: str):
    line, expected = DAMAGED_FRAMES[name]
    lines = _sample_lines()
    path = tmp_path / "damaged.jsonl"
    path.write_text("\n".join([lines[0], lines[1], line, lines[3]]) + "\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(path))
    message = str(info.value)
    assert message.startswith(f"{path}: {expected}")
    assert message.endswith("; the recording is damaged")
    assert "\n" not in message


DAMAGED_HEADERS = {
    "fps a string": (
        _header(fps="abc"),
        "fps must be a number above 0 and at most 1000 (got 'abc')",
    ),
    "fps a list": (
        _header(fps=[30]),
        "fps must be a number above 0 and at most 1000 (got a list of 1)",
    ),
    "fps NaN": (_header(fps=NAN), "fps must be a number above 0 and at most 1000 (got nan)"),
    "fps negative": (_header(fps=-5), "fps must be a number above 0 and at most 1000 (got -5)"),
    "hold of a day": (
        _header(hold_s=86400),
        "hold_s must be a number above 0 and at most 3600 (got 86400)",
    ),
    "huge picture": (
        _header(image_wh=[100000, 100000]),
        "image_wh must be [width, height] in whole pixels from 1 to 16384 (got [100000, 100000])",
    ),
    "picture of no size": (
        _header(image_wh=[0, 480]),
        "image_wh must be [width, height] in whole pixels from 1 to 16384 (got [0, 480])",
    ),
    "another format": (
        _header(posecheck_recording=2),
        "posecheck_recording must be 1, the format this posecheck reads (got 2)",
    ),
    "stretch not a string": (_header(stretch=7), "stretch must be a string (got 7)"),
}


@pytest.mark.parametrize("name", list(DAMAGED_HEADERS))
def test_each_kind_of_damaged_header_is_one_line_naming_the_field(tmp_path: Path, name: str):
    header, expected = DAMAGED_HEADERS[name]
    path = tmp_path / "damaged.jsonl"
    path.write_text("\n".join([header, *_sample_lines()[1:]]) + "\n")
    for read in (recording.read_header, lambda p: list(recording.read_detections(p))):
        with pytest.raises(InputError) as info:
            read(path)
        assert str(info.value) == f"{path}: {HEADER}{expected}; the recording is damaged"


NOT_A_RECORDING = {
    "deeply nested header": "[" * 100_000 + "]" * 100_000,
    "5000-digit number where the header should be": '{"version": 1' + "0" * 5000 + "}",
    "a blank first line": "\n" + _sample_lines()[0],
    "a header too long to be one": '{"posecheck_recording": 1, "x": "' + "a" * (1 << 20) + '"}',
}


@pytest.mark.parametrize("name", list(NOT_A_RECORDING))
def test_a_first_line_that_cannot_be_a_header_says_what_a_recording_is(tmp_path: Path, name: str):
    path = tmp_path / "odd.jsonl"
    path.write_text(NOT_A_RECORDING[name] + "\n")
    with pytest.raises(InputError, match=r"not a posecheck recording \(the first line must"):
        list(recording.read_detections(path))


def test_a_header_that_cannot_be_parsed_is_named_as_a_damaged_header(tmp_path: Path):
    path = tmp_path / "digits.jsonl"
    header = _sample_lines()[0]
    path.write_text(header[:-1] + ', "x": 1' + "0" * 5000 + "}\n" + _sample_lines()[1] + "\n")
    with pytest.raises(InputError) as info:
        recording.read_header(path)
    assert str(info.value) == (
        f"{path}: line 1 (the header) has an integer of 5001 digits (at most 20); "
        "the recording is damaged"
    )


def test_empty_files_bytes_and_folders_are_one_line_each(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as info:
        recording.read_header(empty)
    assert str(info.value) == f"{empty}: is empty, not a posecheck recording; check the file"

    header_only = tmp_path / "header.jsonl"
    header_only.write_text(_sample_lines()[0] + "\n\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(header_only))
    assert str(info.value) == f"{header_only}: has a header but no frames; record a session first"

    latin1 = tmp_path / "latin1.jsonl"
    lines = _sample_lines()
    latin1.write_bytes((lines[0] + "\n" + lines[1] + "\n").encode() + b'{"source": "caf\xe9"}\n')
    with pytest.raises(InputError) as info:
        list(recording.read_detections(latin1))
    assert str(info.value) == (
        f"{latin1}: line 3: is not UTF-8 text (byte 15); the recording is damaged"
    )

    with pytest.raises(InputError, match=r"is a folder, not a recording"):
        recording.read_header(tmp_path)


def test_a_very_long_line_is_refused_without_reading_it_whole(tmp_path: Path):
    path = tmp_path / "long.jsonl"
    lines = _sample_lines()
    with path.open("w") as f:
        f.write(lines[0] + "\n" + lines[1] + "\n")
        f.write(" " * (recording.MAX_LINE_BYTES + 10) + "\n")
    with pytest.raises(InputError) as info:
        list(recording.read_detections(path))
    assert str(info.value) == (
        f"{path}: line 3: is longer than {recording.MAX_LINE_BYTES} bytes; the recording is damaged"
    )


def test_the_bundled_demo_sample_says_how_it_was_made():
    header = recording.read_header(SAMPLE)
    assert header.stretch == "bridge"
    assert header.source is not None and "built from the stills" in header.source
    detections = list(recording.read_detections(SAMPLE))
    assert len(detections) > 200
    assert any(d.pose is None for d in detections)  # the not-visible stretch of the timeline
    assert json.loads(SAMPLE.read_text().splitlines()[1])["pose"] is not None
