"""Damaged user files: posecheck's own one-line error is the only thing that escapes.

Property tests start from a valid recording (written by `RecordingWriter` from
recorded landmarks) and valid bundled reference files, damage them in the ways
files get damaged (extreme numbers, wrong types, deep nesting, missing keys,
truncation, flipped bytes) and read them fully. Whatever is read successfully
must hold only bounded, finite values. The CLI tests run the real command on
each kind of damage users have sent us: one stderr line, exit 1, no traceback.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from posecheck.body.landmarks import MAX_SIDE_PX, MAX_TIMESTAMP_MS, Detection
from posecheck.catalog.reference import (
    MAX_HOLD_S,
    MAX_PRIORITY,
    MAX_REPS,
    Reference,
    ReferenceError,
    bundled_dir,
    load_file,
    load_references,
)
from posecheck.errors import PosecheckError
from posecheck.io import recording
from posecheck.report.html import write_html
from posecheck.run.scoring import ScoreOptions, score_video
from tests.helpers import ROOT, one_error_line, recorded_pose, run

# --- a valid recording and valid references to damage ------------------------------

SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"
BRIDGE_POSES = ("Butt_Lift_Bridge/0.jpg", "Butt_Lift_Bridge/1.jpg")


def _write_recording(path: Path) -> None:
    poses = [recorded_pose(name) for name in BRIDGE_POSES]
    wh = poses[0].image_wh
    with recording.RecordingWriter(path, wh, stretch="bridge", fps=30, hold_s=10) as out:
        out.write(Detection(0, wh, poses[0], 1))
        out.write(Detection(33, wh, None, 0))
        out.write(Detection(67, wh, poses[1], 2))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def valid_recording(workdir: Path) -> list[Any]:
    """The valid recording, one parsed JSON value per line."""
    path = workdir / "valid.jsonl"
    _write_recording(path)
    assert len(list(recording.read_detections(path))) == 3
    return [json.loads(line) for line in path.read_text().splitlines()]


BUNDLED = sorted(bundled_dir().glob("*.toml"))

# --- damage ----------------------------------------------------------------------------

# Values that cannot be written as JSON or TOML values directly: written as a
# placeholder string, then swapped for the raw text after serialising.
RAW = {
    "<deep>": "[" * 5000 + "]" * 5000,
    "<digits>": "1" + "0" * 5000,
    "<digits400>": "1" + "0" * 399,
}

SPECIAL = [
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    1e-308,
    10**20,
    -(10**20),
    2**63,
    100_000,
    16385,
    3601,
    101,
    0,
    -1,
    -5,
    0.0,
    -0.0,
    True,
    False,
    None,
    "",
    "abc",
    "30",
    "\x00",
    [],
    [30],
    [1, 2],
    [[[[1]]]],
    {},
    {"a": 1},
]
# Each branch is drawn about as often as the others, so the rare cases that
# once crashed (the raw ones) come up dozens of times in every run.
EXTREME = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(list(RAW)),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40),
)

# Steps into a value: an index into a list or a key of a table, as a fraction
# of its length so that any draw names some member.
STEPS = st.lists(st.floats(min_value=0, max_value=1, exclude_max=True), min_size=0, max_size=5)


def _walk(value: Any, steps: list[float]) -> tuple[Any, Any] | None:
    """(container, key) reached by following ``steps`` down from ``value``."""
    parent: tuple[Any, Any] | None = None
    for step in steps:
        if isinstance(value, dict) and value:
            key = sorted(value)[int(step * len(value))]
        elif isinstance(value, list) and value:
            key = int(step * len(value))
        else:
            break
        parent = (value, key)
        value = value[key]
    return parent


def _mutate(value: Any, steps: list[float], new: object, delete: bool) -> None:
    found = _walk(value, steps)
    if found is None:
        return
    container, key = found
    if delete:
        del container[key]
    else:
        container[key] = new


def _raw(text: str) -> str:
    for placeholder, raw in RAW.items():
        text = text.replace(json.dumps(placeholder), raw)
    return text


@st.composite
def byte_damage(draw: st.DrawFn, data: bytes) -> bytes:
    """Truncated, with bytes flipped, inserted or removed."""
    out = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        what = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(min_value=0, max_value=max(0, len(out) - 1)))
        if what == "flip" and out:
            out[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif what == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif what == "delete":
            del out[at : at + draw(st.integers(min_value=1, max_value=64))]
        else:
            del out[at:]
    return bytes(out)


def fuzz(examples: int) -> settings:
    """Settings for a fuzz test: no deadline (the machine is shared) and no example
    database left in the checkout."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- recordings --------------------------------------------------------------------------


def _read_fully(path: Path) -> list[Detection] | None:
    """Header and every frame, None when refused; posecheck's own one-line error is
    the only exception allowed out, and what is read holds only bounded values."""
    try:
        header = recording.read_header(path)
        detections = list(recording.read_detections(path))
    except PosecheckError as error:
        message = str(error)
        assert message.startswith(f"{path}: "), message
        assert "\n" not in message
        return None
    for value, most in ((header.fps, recording.MAX_FPS), (header.hold_s, MAX_HOLD_S)):
        if value is not None:
            assert 0 < value <= most
    previous = -1
    for d in detections:
        assert 0 <= d.timestamp_ms <= MAX_TIMESTAMP_MS and d.timestamp_ms > previous
        previous = d.timestamp_ms
        w, h = d.image_wh
        assert 1 <= w <= MAX_SIDE_PX and 1 <= h <= MAX_SIDE_PX
        assert 0 <= d.people <= recording.MAX_PEOPLE
        if d.pose is not None:
            for array in (d.pose.xy_px, d.pose.z_px, d.pose.world_xyz_m):
                assert np.isfinite(array).all()
            assert np.abs(d.pose.xy_px).max() <= 10 * max(w, h)
            assert ((d.pose.visibility >= 0) & (d.pose.visibility <= 1)).all()
    return detections


@fuzz(1200)
@given(
    line=st.integers(min_value=0, max_value=3),
    steps=STEPS,
    new=EXTREME,
    delete=st.booleans(),
)
def test_a_recording_with_any_value_replaced_reads_or_fails_in_one_line(
    valid_recording: list[Any],
    workdir: Path,
    line: int,
    steps: list[float],
    new: object,
    delete: bool,
):
    values = json.loads(json.dumps(valid_recording))
    if steps:
        _mutate(values[line], steps, new, delete)
    else:
        values[line] = new  # the whole line
    path = workdir / "values.jsonl"
    path.write_text("".join(_raw(json.dumps(v)) + "\n" for v in values))
    event("refused" if _read_fully(path) is None else "read whole")


@fuzz(300)
@given(order=st.lists(st.integers(min_value=0, max_value=3), max_size=6))
def test_a_recording_with_lines_dropped_repeated_or_reordered_reads_or_fails_in_one_line(
    valid_recording: list[Any], workdir: Path, order: list[int]
):
    path = workdir / "lines.jsonl"
    path.write_text("".join(json.dumps(valid_recording[i]) + "\n" for i in order))
    event("refused" if _read_fully(path) is None else "read whole")


@fuzz(500)
@given(data=st.data())
def test_a_recording_with_damaged_bytes_reads_or_fails_in_one_line(
    valid_recording: list[Any], workdir: Path, data: st.DataObject
):
    text = "".join(json.dumps(v) + "\n" for v in valid_recording).encode()
    path = workdir / "bytes.jsonl"
    path.write_bytes(data.draw(byte_damage(text)))
    event("refused" if _read_fully(path) is None else "read whole")


@pytest.mark.skipif(not BUNDLED, reason="reference_poses/ has no .toml files")
@fuzz(300)
@given(
    line=st.integers(min_value=1, max_value=3),
    steps=STEPS,
    new=EXTREME,
    delete=st.booleans(),
    stretch=st.sampled_from([p.stem for p in BUNDLED]),
)
def test_a_damaged_recording_that_reads_whole_also_scores_whole(
    valid_recording: list[Any],
    workdir: Path,
    line: int,
    steps: list[float],
    new: object,
    delete: bool,
    stretch: str,
):
    """The bounds are enough for everything after reading: values that pass them
    score into a report whose JSON is strict and whose HTML page is written."""
    values = json.loads(json.dumps(valid_recording))
    _mutate(values[line], steps, new, delete)
    path = workdir / "scored.jsonl"
    path.write_text("".join(_raw(json.dumps(v)) + "\n" for v in values))
    if _read_fully(path) is None:
        event("refused")
        return
    event("scored")
    reference = load_references()[stretch]
    report = score_video(path, reference, ScoreOptions(csv_path=workdir / "frames.csv"))
    json.dumps(report.to_json(), allow_nan=False)
    write_html(report, workdir / "report.html")


# --- references --------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml(data: dict[str, Any]) -> str:
    """The document as TOML: tables and arrays of tables where the values allow, else inline."""

    def body(table: dict[str, Any]) -> str:
        return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in table.items())

    top, tables = "", ""
    for key, value in data.items():
        if isinstance(value, dict):
            tables += f"\n[{json.dumps(key)}]\n" + body(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables += "".join(f"\n[[{json.dumps(key)}]]\n" + body(v) for v in value)
        else:
            top += f"{json.dumps(key)} = {_toml_value(value)}\n"
    return _raw(top + tables)


def _parse_fully(path: Path) -> Reference | None:
    try:
        ref = load_file(path, bundled=False)
    except ReferenceError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.startswith(f"{path}: "), problem
            assert "\n" not in problem
        return None
    prescription = ref.prescription
    assert 0 < prescription.hold_s <= MAX_HOLD_S
    assert 1 <= prescription.reps <= MAX_REPS
    for check in ref.checks:
        assert 1 <= check.priority <= MAX_PRIORITY
        for limit in (check.limits.low, check.limits.high, check.limits.tolerance):
            assert limit is None or (math.isfinite(limit) and abs(limit) <= 1000)
    return ref


@pytest.mark.skipif(not BUNDLED, reason="reference_poses/ has no .toml files")
@fuzz(1000)
@given(
    source=st.sampled_from(BUNDLED),
    steps=STEPS,
    new=EXTREME,
    delete=st.booleans(),
)
def test_a_reference_with_any_value_replaced_parses_or_lists_its_problems(
    workdir: Path, source: Path, steps: list[float], new: object, delete: bool
):
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    # TOML has no null: a field set to nothing is a field left out.
    _mutate(data, steps or [0.5], new, delete or new is None)
    path = workdir / source.name
    path.write_text(_toml(data), encoding="utf-8")
    event("refused" if _parse_fully(path) is None else "read whole")


@pytest.mark.skipif(not BUNDLED, reason="reference_poses/ has no .toml files")
@fuzz(500)
@given(source=st.sampled_from(BUNDLED), data=st.data())
def test_a_reference_with_damaged_bytes_parses_or_lists_its_problems(
    workdir: Path, source: Path, data: st.DataObject
):
    path = workdir / source.name
    path.write_bytes(data.draw(byte_damage(source.read_bytes())))
    event("refused" if _parse_fully(path) is None else "read whole")


def test_the_undamaged_files_read_back_whole(valid_recording: list[Any], workdir: Path):
    """The fuzz tests' starting points are valid, so damage is what they test."""
    path = workdir / "again.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in valid_recording))
    detections = _read_fully(path)
    assert detections is not None and len(detections) == 3
    for source in BUNDLED:
        copy = workdir / source.name
        copy.write_text(_toml(tomllib.loads(source.read_text(encoding="utf-8"))))
        assert _parse_fully(copy) is not None, source.name


# --- the command, on each kind of damage users have sent us ------------------------------


def _sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()[:5]


def _header_with(**changes: object) -> list[str]:
    lines = _sample_lines()
    header = json.loads(lines[0])
    header.update(changes)
    return [json.dumps(header), *lines[1:]]


def _frame_with(change: Callable[[dict[str, Any]], None]) -> list[str]:
    """The sample with its third frame changed: damage found mid-stream."""
    lines = _sample_lines()
    frame = json.loads(lines[3])
    change(frame)
    return [*lines[:3], json.dumps(frame), *lines[4:]]


def _set_xy(value: float) -> Callable[[dict[str, Any]], None]:
    def change(frame: dict[str, Any]) -> None:
        frame["pose"]["xy_px"][11][0] = value

    return change


DEEP = "[" * 100_000 + "]" * 100_000
LINE4 = "line 4: "
# name: (the file's lines, what the one error line says after "error: PATH: ")
DAMAGED_RECORDINGS: dict[str, tuple[list[str], str]] = {
    "timestamp Infinity": (
        _frame_with(lambda f: f.update(timestamp_ms=math.inf)),
        LINE4 + "timestamp_ms must be a number of milliseconds from 0 to 86400000 (got inf)",
    ),
    "NaN coordinate": (
        _frame_with(_set_xy(math.nan)),
        LINE4 + "pose.xy_px must hold finite numbers (got NaN or infinity)",
    ),
    "1e308 coordinate": (
        _frame_with(_set_xy(1e308)),
        LINE4 + "pose.xy_px must stay within 10 picture sizes of the origin (got 1e+308)",
    ),
    "deeply nested line": (
        [*_sample_lines()[:3], DEEP],
        LINE4 + "is nested too deeply to be a frame",
    ),
    "5000-digit number in the header": (
        [_sample_lines()[0][:-1] + ', "fps": 1' + "0" * 5000 + "}", *_sample_lines()[1:]],
        "line 1 (the header) has an integer of 5001 digits (at most 20)",
    ),
    "fps 'abc'": (
        _header_with(fps="abc"),
        "line 1 (the header): fps must be a number above 0 and at most 1000 (got 'abc')",
    ),
    "fps [30]": (
        _header_with(fps=[30]),
        "line 1 (the header): fps must be a number above 0 and at most 1000 (got a list of 1)",
    ),
    "fps NaN": (
        _header_with(fps=math.nan),
        "line 1 (the header): fps must be a number above 0 and at most 1000 (got nan)",
    ),
    "fps -5": (
        _header_with(fps=-5),
        "line 1 (the header): fps must be a number above 0 and at most 1000 (got -5)",
    ),
    "image_wh 100000x100000": (
        _header_with(image_wh=[100_000, 100_000]),
        "line 1 (the header): image_wh must be [width, height] in whole pixels from 1 to "
        "16384 (got [100000, 100000])",
    ),
    "timestamps going backwards": (
        [_sample_lines()[0], _sample_lines()[2], _sample_lines()[1]],
        "line 3: timestamp_ms must be after the previous frame's 67 (got 0)",
    ),
    "32 landmarks": (
        _frame_with(lambda f: f["pose"]["visibility"].pop()),
        LINE4 + "pose.visibility must be a list of 33 scores from 0 to 1 (got a list of 32 "
        "whose first item is 1.0)",
    ),
    "missing key": (
        _frame_with(lambda f: f["pose"].pop("world_xyz_m")),
        LINE4 + "pose.world_xyz_m is missing",
    ),
    "line not an object": (
        [*_sample_lines()[:3], '"a frame"'],
        LINE4 + "must be a JSON object (got 'a frame')",
    ),
}


def _assert_one_line_exit_1(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert one_error_line(result) == expected


@pytest.mark.parametrize("name", list(DAMAGED_RECORDINGS))
def test_score_on_a_damaged_recording_is_one_line_and_exit_1(tmp_path: Path, name: str):
    lines, expected = DAMAGED_RECORDINGS[name]
    path = tmp_path / "session.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("score", str(path), "-s", "bridge", "--json", "-")
    _assert_one_line_exit_1(result, f"error: {path}: {expected}; the recording is damaged")
    assert result.stdout == ""


def _sample_bytes() -> list[bytes]:
    return [line.encode() for line in _sample_lines()]


# name: (the file's bytes, the whole error line after "error: PATH: ")
UNREADABLE_RECORDINGS: dict[str, tuple[bytes, str]] = {
    "non-UTF-8 bytes": (
        b"\n".join([*_sample_bytes()[:3], b'{"source": "caf\xe9"}']) + b"\n",
        "line 4: is not UTF-8 text (byte 15); the recording is damaged",
    ),
    "deeply nested header": (
        b"\n".join([DEEP.encode(), *_sample_bytes()[1:]]) + b"\n",
        "not a posecheck recording (the first line must be its header); "
        "make one with `posecheck live --record FILE`",
    ),
    "empty": (b"", "is empty, not a posecheck recording; check the file"),
    "header only": (
        _sample_bytes()[0] + b"\n",
        "has a header but no frames; record a session first",
    ),
}


@pytest.mark.parametrize("name", list(UNREADABLE_RECORDINGS))
def test_score_on_unreadable_or_empty_recordings_is_one_line_and_exit_1(tmp_path: Path, name: str):
    content, expected = UNREADABLE_RECORDINGS[name]
    path = tmp_path / "session.jsonl"
    path.write_bytes(content)
    result = run("score", str(path), "-s", "bridge", "--json", "-")
    _assert_one_line_exit_1(result, f"error: {path}: {expected}")
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["timestamp Infinity", "NaN coordinate"])
def test_live_source_stops_at_damage_mid_stream_with_one_line(tmp_path: Path, name: str):
    lines, expected = DAMAGED_RECORDINGS[name]
    path = tmp_path / "session.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "live.mp4"
    result = run("live", "-s", "bridge", "--source", str(path), "--out", str(out))
    _assert_one_line_exit_1(result, f"error: {path}: {expected}; the recording is damaged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.jsonl"]  # no half video


def test_demo_stops_at_damage_mid_stream_with_one_line(tmp_path: Path):
    """The demo plays its bundled sample; here that sample is damaged on disk, as a
    broken install would leave it (the command finds it through `_demo_sample`)."""
    lines, expected = DAMAGED_RECORDINGS["NaN coordinate"]
    path = tmp_path / "bridge_from_stills.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = (
        "import pathlib, posecheck.cli.app as cli, posecheck.cli.coach as coach; "
        f"coach._demo_sample = lambda: pathlib.Path({str(path)!r}); cli.main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "demo", "--out", str(tmp_path / "demo.mp4")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _assert_one_line_exit_1(result, f"error: {path}: {expected}; the recording is damaged")
    assert not (tmp_path / "demo.mp4").exists()


def test_score_json_on_a_valid_recording_is_strict_json(tmp_path: Path):
    path = tmp_path / "session.jsonl"
    _write_recording(path)
    result = run("score", str(path), "-s", "bridge", "--json", "-")
    assert result.returncode == 0, result.stderr

    def refuse(constant: str) -> None:
        raise AssertionError(f"score --json wrote {constant}, which is not JSON")

    report = json.loads(result.stdout, parse_constant=refuse)
    assert report["video"]["fps"] == 30


def _bridge_with(old: str, new: str) -> str:
    text = (bundled_dir() / "bridge.toml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


# name: (file name, text, the one error line after "error: PATH: ")
DAMAGED_REFERENCES = {
    "400-digit integer": (
        "my-bridge.toml",
        _bridge_with('id = "bridge"', 'id = "my-bridge"').replace(
            "hold_s = 30", "hold_s = 1" + "0" * 399
        ),
        "prescription.hold_s must be a number of sensible size (got an integer of 400 digits)",
    ),
    "arrays nested 5000 deep": (
        "my-bridge.toml",
        _bridge_with('id = "bridge"', 'id = "my-bridge"\nextra = ' + "[" * 5000 + "]" * 5000),
        "not valid TOML (arrays or tables nested too deeply)",
    ),
    "reps = 10**20": (
        "my-bridge.toml",
        _bridge_with('id = "bridge"', 'id = "my-bridge"').replace("reps = 1", f"reps = {10**20}"),
        "prescription.reps must be at most 100 (got an integer of 21 digits)",
    ),
    "an id of a bundled stretch": (
        "bridge.toml",
        _bridge_with('name = "Bridge"', 'name = "My bridge"'),
        "id 'bridge' is already a bundled stretch; choose another id",
    ),
}


@pytest.mark.skipif(not BUNDLED, reason="reference_poses/ has no .toml files")
@pytest.mark.parametrize("name", list(DAMAGED_REFERENCES))
def test_refs_check_on_a_damaged_reference_is_one_line_and_exit_1(tmp_path: Path, name: str):
    file_name, text, expected = DAMAGED_REFERENCES[name]
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    for target in (path, tmp_path):  # the file, and the folder holding it
        result = run("refs", "check", str(target))
        _assert_one_line_exit_1(result, f"error: {path}: {expected}")
        assert result.stdout == ""
    # --refs refuses the file in the same words, so `refs check` told the truth.
    result = run("stretches", "--refs", str(tmp_path))
    _assert_one_line_exit_1(result, f"error: {path}: {expected}")


def test_refs_check_on_a_folder_without_reference_files_is_one_line_and_exit_1(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("not a reference\n")
    result = run("refs", "check", str(tmp_path))
    _assert_one_line_exit_1(
        result, f"error: {tmp_path}: no reference files (*.toml) in this folder; check the path"
    )


@pytest.mark.skipif(not BUNDLED, reason="reference_poses/ has no .toml files")
def test_refs_check_accepts_the_bundled_files_themselves():
    result = run("refs", "check", str(bundled_dir()), str(bundled_dir() / "bridge.toml"))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(BUNDLED)
