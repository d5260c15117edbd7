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
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from posecheck import recording
from posecheck.errors import PosecheckError
from posecheck.landmarks import MAX_SIDE_PX, MAX_TIMESTAMP_MS, Detection
from posecheck.reference import (
    MAX_HOLD_S,
    MAX_PRIORITY,
    MAX_REPS,
    Reference,
    ReferenceError,
    bundled_dir,
    load_file,
)
from tests.conftest import recorded_pose

# --- a valid recording and valid references to damage ------------------------------

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
    for key in ("fps", "hold_s"):
        if key in header:
            assert 0 < header[key] <= (recording.MAX_FPS if key == "fps" else MAX_HOLD_S)
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
