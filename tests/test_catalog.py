"""posecheck.catalog beyond the stretch-file wording (tests/test_reference.py pins that):
the generic field reader routine files will reuse, the types (units, sides,
prescriptions), and checking files the way `posecheck refs check` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posecheck.catalog import fields
from posecheck.catalog.fields import Fields, FileError, parse_toml, read_text
from posecheck.catalog.reference import (
    REFS_ENV,
    CheckKind,
    Prescription,
    Sides,
    Unit,
    check_files,
    load_references,
)
from tests.helpers import ROOT

# --- the field reader, on a file that is not a stretch --------------------------------

ROUTINE = """\
id = "Morning Set"
name = ""
rounds = 0
rest_s = -3
stretches = ["bridge", "cobra", "bridge"]
music = true
[timing]
tempo = "slow"
"""


def read_routine(text: str) -> tuple[dict[str, object], list[str]]:
    """A made-up routine format read with Fields, as routine files will be."""
    reader = Fields("morning.toml")
    data = parse_toml(text, "morning.toml")
    reader.unknown_fields(data, "", ("id", "name", "rounds", "rest_s", "stretches", "timing"))
    found: dict[str, object] = {
        "id": reader.kebab_id(data, ""),
        "name": reader.text(data, "", "name"),
        "rounds": reader.integer(data, "", "rounds", minimum=1, maximum=9, hint="1 to 9"),
        "rest_s": reader.number(data, "", "rest_s", positive=True, most=60),
        "stretches": reader.members(data, "", "stretches", ("bridge", "cobra")),
    }
    timing = reader.table(data, "", "timing", hint="a table")
    if timing is not None:
        found["tempo"] = reader.choice(timing, "timing", "tempo", ("even", "fast"))
        found["count"] = reader.boolean(timing, "timing", "count", required=True)
    return found, reader.problems


def test_the_field_reader_reports_every_problem_of_any_file_one_line_each():
    found, problems = read_routine(ROUTINE)
    assert problems == [
        "morning.toml: unknown field 'music'",
        "morning.toml: id must be kebab-case, lowercase letters and digits joined by '-' "
        "(got 'Morning Set')",
        "morning.toml: name must not be empty (got '')",
        "morning.toml: rounds must be >= 1 (got 0)",
        "morning.toml: rest_s must be > 0 (got -3)",
        "morning.toml: stretches[2] 'bridge' is listed twice (also stretches[0])",
        "morning.toml: timing.tempo must be one of even, fast (got 'slow')",
        "morning.toml: timing: missing field 'count' (a boolean, true or false)",
    ]
    assert set(found.values()) == {None}


def test_the_field_reader_returns_the_values_of_a_sound_file():
    text = (
        'id = "morning-set"\nname = "Morning"\nrounds = 2\nrest_s = 7.5\n'
        'stretches = ["cobra", "bridge"]\n[timing]\ntempo = "even"\ncount = false\n'
    )
    found, problems = read_routine(text)
    assert problems == []
    assert found == {
        "id": "morning-set",
        "name": "Morning",
        "rounds": 2,
        "rest_s": 7.5,
        "stretches": ["cobra", "bridge"],
        "tempo": "even",
        "count": False,
    }


def test_a_table_field_that_is_not_a_table_is_one_line():
    reader = Fields("morning.toml")
    assert reader.table({"timing": 3}, "", "timing", hint="a table") is None
    assert reader.table({}, "", "timing", hint="a table of timings") is None
    assert reader.problems == [
        "morning.toml: timing must be a table (got integer 3)",
        "morning.toml: missing field 'timing' (a table of timings)",
    ]


def test_reading_a_file_names_its_kind_and_guards_size_and_encoding(tmp_path: Path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (fields.MAX_FILE_BYTES + 1))
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b'\xef\xbb\xbfname = "x"\n')
    cases = {
        big: "big.toml: larger than 1024 KiB, too large for a routine file",
        latin: "latin.toml: not UTF-8 text (invalid continuation byte at byte 11)",
        tmp_path / "gone.toml": "gone.toml: no such file",
    }
    for path, expected in cases.items():
        with pytest.raises(FileError) as info:
            read_text(path, path.name, what="a routine file")
        assert info.value.problems == [expected]
    assert read_text(bom, "bom.toml", what="a routine file") == 'name = "x"\n'


# --- the types -------------------------------------------------------------------------


def test_each_kind_carries_its_unit_and_how_it_is_written():
    assert {kind: kind.unit for kind in CheckKind} == {
        CheckKind.ANGLE: Unit.DEG,
        CheckKind.INCLINATION: Unit.DEG,
        CheckKind.ALIGNMENT: Unit.LEN,
        CheckKind.HEIGHT: Unit.LEN,
        CheckKind.DISTANCE: Unit.LEN,
        CheckKind.SPACING: Unit.RATIO,
    }
    assert [Unit.DEG.value_text(91.6), Unit.LEN.value_text(0.154), Unit.RATIO.value_text(None)] == [
        "92°",
        "0.15",
        "-",
    ]
    assert [u.symbol for u in Unit] == ["°", " len", ""]
    assert [u.words for u in Unit] == ["degrees", "body lengths", "ratio"]
    # Drawn text has no degree sign: the number alone.
    assert Unit.DEG.number(89.5) == "90"


@pytest.mark.parametrize(
    ("prescription", "text"),
    [
        (Prescription(30, 1, Sides.NONE, False), "hold 30 s"),
        (Prescription(30, 1, Sides.EACH, False), "hold 30 s on each side"),
        (Prescription(20, 2, Sides.EACH, True), "2 reps per side, alternating sides, hold 20 s"),
        (Prescription(45.5, 3, Sides.NONE, False), "3 reps, hold 45.5 s"),
    ],
)
def test_a_prescription_words_itself(prescription: Prescription, text: str):
    assert prescription.text() == text


def test_a_prescription_keeps_sides_as_the_enum_and_refuses_what_a_file_may_not_say():
    assert Prescription(30, 1, "each", False).sides is Sides.EACH  # type: ignore[arg-type]
    assert Prescription(30, 1, Sides.EACH, False).per_side
    assert not Prescription(30, 1, Sides.NONE, False).per_side
    with pytest.raises(ValueError, match="alternate"):
        Prescription(30, 2, Sides.NONE, True)
    with pytest.raises(ValueError, match="hold_s"):
        Prescription(0, 1, Sides.NONE, False)
    with pytest.raises(ValueError, match="reps"):
        Prescription(30, 101, Sides.NONE, False)
    with pytest.raises(ValueError):
        Prescription(30, 1, "both", False)  # type: ignore[arg-type]


def test_the_json_of_a_bundled_stretch_is_plain_data(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(REFS_ENV, raising=False)
    ref = load_references()["90-90-hip-flexor"]
    record = json.loads(json.dumps(ref.to_json()))
    assert record == {
        "id": "90-90-hip-flexor",
        "name": ref.name,
        "position": [str(p) for p in ref.positions],
        "view": ["side"],
        "prescription": {
            "hold_s": 20.0,
            "reps": 2,
            "sides": "each",
            "alternate": True,
            "dynamic": False,
        },
        "checks": len(ref.checks),
        "camera_limits": None,
        "phases": [],
        "bundled": True,
    }


# --- checking files as `posecheck refs check` does -------------------------------------


def bridge_as(folder: Path, ref_id: str) -> Path:
    """The bundled bridge file under another id: a valid user file."""
    text = (ROOT / "reference_poses" / "stretches" / "bridge.toml").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ref_id}.toml"
    path.write_text(text.replace('id = "bridge"', f'id = "{ref_id}"', 1), encoding="utf-8")
    return path


def test_checking_files_reports_each_file_and_each_clash(tmp_path: Path):
    mine = tmp_path / "mine"
    good = bridge_as(mine, "my-bridge")
    clash = bridge_as(tmp_path / "other", "bridge")
    empty = tmp_path / "empty"
    empty.mkdir()
    results = list(check_files([empty, mine, good, clash]))
    assert [(r.path, r.reference is not None, r.problems) for r in results] == [
        (empty, False, (f"{empty}: no reference files (*.toml) in this folder; check the path",)),
        (good, True, ()),
        (clash, False, (f"{clash}: id 'bridge' is already a bundled stretch; choose another id",)),
    ]


def test_checking_files_reports_two_user_files_with_one_id(tmp_path: Path):
    first = bridge_as(tmp_path / "a", "my-bridge")
    second = bridge_as(tmp_path / "b", "my-bridge")
    results = list(check_files([first, second]))
    assert results[0].reference is not None
    assert results[1].problems == (
        f"{second}: id 'my-bridge' is already used by {first.resolve()}; choose another id",
    )
