"""posecheck.catalog.reference: parsing reference files, every problem's wording, loading folders.

Files are written in tmp_path; none of these tests reads the bundled
reference poses except the last, which only asserts that they load.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from posecheck import resources
from posecheck.body.geometry import Position, View
from posecheck.catalog import library, reference
from posecheck.catalog.reference import (
    REFS_ENV,
    Check,
    CheckKind,
    Limits,
    Point,
    Prescription,
    Reference,
    ReferenceError,
    get_reference,
    load_file,
    load_references,
    parse_reference,
    user_dirs,
)
from posecheck.errors import InputError
from tests.helpers import ROOT

# --- writing test files --------------------------------------------------------------


class Raw(str):
    """TOML text written as is, for values the test helpers cannot spell (tables, dates)."""


DROP = Raw("<drop>")  # as a field's value: leave the field out

TOP: dict[str, object] = {
    "id": "bridge",
    "name": "Glute bridge",
    "source": "001 #3",
    "description": "Lie on your back, feet flat, and lift the hips.",
    "position": ["supine"],
    "view": ["side"],
    "roles": ["front", "back"],
}
PRESCRIPTION: dict[str, object] = {"hold_s": 30, "reps": 2, "sides": "none", "alternate": False}
ANGLE_CHECK: dict[str, object] = {
    "id": "hips-lifted",
    "label": "Hips lifted in line with the shoulders and knees",
    "kind": "angle",
    "points": ["front_shoulder", "front_hip", "front_knee"],
    "target_deg": 170,
    "tolerance_deg": 10,
    "priority": 1,
    "cue_high": "Lower your hips a little",
    "cue_low": "Lift your hips higher",
    "why": "003: push into both feet until the hips are as high as possible.",
}
LENGTH_CHECK: dict[str, object] = {
    "id": "knees-together",
    "label": "Knees no wider than the hips",
    "kind": "distance",
    "points": ["left_knee", "right_knee"],
    "unit": ["left_hip", "right_hip"],
    "max_len": 1.5,
    "priority": 2,
    "cue_high": "Bring your knees closer together",
    "why": "003: keep your legs parallel to each other.",
}

# The point help in a file whose roles are front and back.
VALID_POINTS = (
    "valid: <prefix>_<part> or nose, with prefixes left, right, mid, front, back and parts "
    "shoulder, elbow, wrist, pinky, index, thumb, hip, knee, ankle, heel, foot_index, eye, "
    "eye_inner, eye_outer, ear, mouth"
)


def toml_value(value: object) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def table(fields: dict[str, object]) -> str:
    return "".join(f"{k} = {toml_value(v)}\n" for k, v in fields.items() if v is not DROP)


def document(
    top: dict[str, object] | None = None,
    prescription: dict[str, object] | Raw | None = None,
    checks: list[dict[str, object]] | None = None,
) -> str:
    """A valid file with these fields changed; DROP leaves a field (or the prescription) out."""
    text = table({**TOP, **(top or {})})
    if prescription is not DROP:
        assert not isinstance(prescription, Raw)
        text += "\n[prescription]\n" + table({**PRESCRIPTION, **(prescription or {})})
    for check in [ANGLE_CHECK] if checks is None else checks:
        text += "\n[[checks]]\n" + table(check)
    return text


def check(base: dict[str, object] = ANGLE_CHECK, **changes: object) -> dict[str, object]:
    return {**base, **changes}


def length_check(**changes: object) -> dict[str, object]:
    return check(LENGTH_CHECK, **changes)


def problems(text: str, origin: str = "bridge.toml") -> list[str]:
    with pytest.raises(ReferenceError) as info:
        parse_reference(text, origin)
    return info.value.problems


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_ref(folder: Path, ref_id: str) -> Path:
    return write(folder, f"{ref_id}.toml", document({"id": ref_id}))


@pytest.fixture(autouse=True)
def no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own POSECHECK_REFS must not leak into the tests."""
    monkeypatch.delenv(REFS_ENV, raising=False)


# --- a valid file --------------------------------------------------------------------

VALID = """\
id = "half-kneeling-hip-flexor"
name = "Half-kneeling hip flexor stretch"
source = "001 #2; 003"
description = "Kneel on one knee, other foot flat in front, and press the hips forward."
position = ["kneeling"]
view = ["side", "front"]
roles = ["front", "back"]

[prescription]
hold_s = 30
reps = 2
sides = "each"
alternate = true

[[checks]]
id = "front-knee-over-toes"
label = "Front knee over the toes, not past them"
kind = "alignment"
points = ["front_knee", "front_foot_index"]
unit = ["front_knee", "front_ankle"]
max_len = 0.15
priority = 1
cue_high = "Step the front foot further forward"
why = "001 #2: make sure your front knee is over your toe."
views = ["side"]
gate = true

[[checks]]
id = "back-hip-open"
label = "Back hip opened"
kind = "angle"
points = ["mid_shoulder", "back_hip", "back_knee"]
target_deg = 170
tolerance_deg = 10
priority = 2
cue_high = "Ease the hips back a little"
cue_low = "Press the hips forward"
why = "003: press forward until the stretch moves into the hip flexor."

[[checks]]
id = "shoulders-level"
label = "Shoulders level"
kind = "inclination"
points = ["left_shoulder", "right_shoulder"]
reference = "horizontal"
max_deg = 15
priority = 3
cue_high = "Level your shoulders"
why = "Not in the article."
advice = true
views = ["front"]

[[checks]]
id = "head-up"
label = "Head above the shoulders"
kind = "height"
points = ["nose", "mid_shoulder"]
unit = ["mid_shoulder", "mid_hip"]
min_len = -0.5
priority = 4
cue_low = "Lift your head"
why = "Not in the article."
advice = true
"""


def test_a_valid_file_parses_into_the_dataclasses():
    ref = parse_reference(VALID, "half-kneeling-hip-flexor.toml", bundled=False)

    assert ref == Reference(
        id="half-kneeling-hip-flexor",
        name="Half-kneeling hip flexor stretch",
        source="001 #2; 003",
        description="Kneel on one knee, other foot flat in front, and press the hips forward.",
        positions=(Position.KNEELING,),
        views=(View.SIDE, View.FRONT),
        prescription=Prescription(hold_s=30.0, reps=2, sides="each", alternate=True),
        roles=("front", "back"),
        checks=(
            Check(
                id="front-knee-over-toes",
                label="Front knee over the toes, not past them",
                kind=CheckKind.ALIGNMENT,
                points=(Point("front", "knee"), Point("front", "foot_index")),
                unit=(Point("front", "knee"), Point("front", "ankle")),
                limits=Limits(low=None, high=0.15),
                priority=1,
                cue_high="Step the front foot further forward",
                views=(View.SIDE,),
                gate=True,
                why="001 #2: make sure your front knee is over your toe.",
            ),
            Check(
                id="back-hip-open",
                label="Back hip opened",
                kind=CheckKind.ANGLE,
                points=(Point("mid", "shoulder"), Point("back", "hip"), Point("back", "knee")),
                limits=Limits(low=160.0, high=180.0, target=170.0, tolerance=10.0),
                priority=2,
                cue_high="Ease the hips back a little",
                cue_low="Press the hips forward",
                why="003: press forward until the stretch moves into the hip flexor.",
            ),
            Check(
                id="shoulders-level",
                label="Shoulders level",
                kind=CheckKind.INCLINATION,
                points=(Point("left", "shoulder"), Point("right", "shoulder")),
                reference="horizontal",
                limits=Limits(low=None, high=15.0),
                priority=3,
                cue_high="Level your shoulders",
                views=(View.FRONT,),
                why="Not in the article.",
                advice=True,
            ),
            Check(
                id="head-up",
                label="Head above the shoulders",
                kind=CheckKind.HEIGHT,
                points=(Point(None, "nose"), Point("mid", "shoulder")),
                unit=(Point("mid", "shoulder"), Point("mid", "hip")),
                limits=Limits(low=-0.5, high=None),
                priority=4,
                cue_low="Lift your head",
                why="Not in the article.",
                advice=True,
            ),
        ),
    )
    assert ref.path == "half-kneeling-hip-flexor.toml"
    assert ref.bundled is False
    assert [p.name for p in ref.checks[0].points] == ["front_knee", "front_foot_index"]


def test_optional_fields_take_their_defaults():
    ref = parse_reference(document({"roles": DROP}, checks=[length_check()]), "bridge.toml")

    assert ref.roles is None
    assert ref.bundled is True
    (only,) = ref.checks
    assert (only.gate, only.views, only.reference, only.cue_low) == (False, (), "vertical", None)
    assert parse_reference(document(), "bridge.toml").checks[0].unit is None


def test_the_file_name_rule_applies_only_to_toml_files():
    assert parse_reference(document({"id": "bridge2"}), "<stdin>").id == "bridge2"
    assert (
        parse_reference(document(), "/some/folder/bridge.toml").path == "/some/folder/bridge.toml"
    )


# --- every problem at once ----------------------------------------------------------

MANY_PROBLEMS = """\
id = "bridge2"
name = 3
source = "001 #3"
position = ["lying"]
view = ["side"]
roles = ["front", "back"]
colour = "red"

[prescription]
hold_s = 0
reps = 2
sides = "none"
alternate = true

[[checks]]
id = "hips-lifted"
label = "Hips lifted"
kind = "angel"
points = ["front_shoulder", "front_hip", "front_kneecap"]
priority = 1
cue_low = "Lift your hips"
why = "003: lift the hips."

[[checks]]
id = "hips-lifted"
label = "Knees together"
kind = "distance"
points = ["left_knee", "right_knee"]
target_len = 1
tolerence_len = 0.5
priority = 0
cue_high = "Bring your knees together"
cue_low = "Let your knees apart"
why = "003: knees parallel."
"""


def test_a_file_with_many_problems_reports_them_all_in_file_order():
    assert problems(MANY_PROBLEMS) == [
        "bridge.toml: unknown field 'colour'",
        "bridge.toml: id 'bridge2' must match the file name 'bridge'",
        "bridge.toml: name must be a string (got integer 3)",
        "bridge.toml: missing field 'description' (a string)",
        "bridge.toml: position[0] must be one of standing, kneeling, seated, squatting, supine, "
        "prone, side-lying (got 'lying')",
        "bridge.toml: prescription.hold_s must be > 0 (got 0)",
        "bridge.toml: prescription.alternate must be false when sides is 'none' "
        "(there is no side to switch to)",
        "bridge.toml: checks[0].kind must be one of angle, inclination, alignment, height, "
        "distance, spacing (got 'angel')",
        f"bridge.toml: checks[0].points[2]: unknown point 'front_kneecap'; {VALID_POINTS}",
        "bridge.toml: checks[1]: unknown field 'tolerence_len'",
        "bridge.toml: checks[1].id 'hips-lifted' is used twice (also checks[0])",
        "bridge.toml: checks[1]: missing field 'unit' "
        "(an array of 2 points whose distance is the body unit)",
        "bridge.toml: checks[1].target_len needs tolerance_len",
        "bridge.toml: checks[1].priority must be >= 1 (got 0)",
    ]


def test_the_error_reads_as_one_line_per_problem():
    error = ReferenceError(["a.toml: first", "a.toml: second"])
    assert str(error) == "a.toml: first\na.toml: second"
    assert error.problems == ["a.toml: first", "a.toml: second"]


def test_invalid_toml_is_one_problem_quoting_the_parser():
    text = 'id = "bridge"\nname = \n'
    with pytest.raises(tomllib.TOMLDecodeError) as parser:
        tomllib.loads(text)
    assert problems(text) == [f"bridge.toml: not valid TOML ({parser.value})"]


# --- each problem on its own ---------------------------------------------------------

ONE_PROBLEM = [
    # top level: types, missing, unknown
    (document({"name": DROP}), "missing field 'name' (a string)"),
    (
        document({"id": DROP}),
        "missing field 'id' (a kebab-case string, the file name without .toml)",
    ),
    (document({"name": 3}), "name must be a string (got integer 3)"),
    (document({"name": 2.5}), "name must be a string (got float 2.5)"),
    (document({"name": True}), "name must be a string (got boolean true)"),
    (document({"name": ["a"]}), "name must be a string (got array)"),
    (document({"name": Raw("{ a = 1 }")}), "name must be a string (got table)"),
    (document({"name": Raw("1979-05-27")}), "name must be a string (got datetime 1979-05-27)"),
    (document({"description": " "}), "description must not be empty (got ' ')"),
    (document({"colour": "red"}), "unknown field 'colour'"),
    # ids
    (document({"id": "bridge2"}), "id 'bridge2' must match the file name 'bridge'"),
    (
        document({"id": "Bridge"}),
        "id must be kebab-case, lowercase letters and digits joined by '-' (got 'Bridge')",
    ),
    (
        document(checks=[check(id="hips_lifted")]),
        "checks[0].id must be kebab-case, lowercase letters and digits joined by '-' "
        "(got 'hips_lifted')",
    ),
    (
        document(checks=[check(id="a-"), check(id="1-b")]),
        "checks[0].id must be kebab-case, lowercase letters and digits joined by '-' (got 'a-')",
    ),
    (
        document(
            checks=[
                check(id="a"),
                check(id="hips-lifted"),
                check(id="b"),
                check(id="hips-lifted"),
            ]
        ),
        "checks[3].id 'hips-lifted' is used twice (also checks[1])",
    ),
    # position and view
    (
        document({"position": ["lying"]}),
        "position[0] must be one of standing, kneeling, seated, squatting, supine, prone, "
        "side-lying (got 'lying')",
    ),
    (
        document({"position": "supine"}),
        "position must be an array of strings (got string 'supine')",
    ),
    (
        document({"position": []}),
        "position must not be empty (valid: standing, kneeling, seated, squatting, supine, "
        "prone, side-lying)",
    ),
    (
        document({"position": DROP}),
        "missing field 'position' (an array of strings from standing, kneeling, seated, "
        "squatting, supine, prone, side-lying)",
    ),
    (document({"view": ["oblique"]}), "view[0] must be one of side, front, back (got 'oblique')"),
    (document({"view": ["side", 1]}), "view[1] must be a string (got integer 1)"),
    (document({"view": ["side", "side"]}), "view[1] 'side' is listed twice (also view[0])"),
    # roles
    (document({"roles": ["front"]}), "roles must have 2 names (got 1)"),
    (document({"roles": ["front", "back", "side"]}), "roles must have 2 names (got 3)"),
    (
        document({"roles": ["front", "left"]}),
        "roles[1] must not be left, right or mid, which every file already has (got 'left')",
    ),
    (
        document({"roles": ["front", "back-leg"]}),
        "roles[1] must be one lowercase word, letters a-z only (got 'back-leg')",
    ),
    (
        document({"roles": ["front", "front"]}),
        "roles must be two different names (got 'front' twice)",
    ),
    (
        document(
            {"roles": "front"}, checks=[check(points=["left_shoulder", "left_hip", "left_knee"])]
        ),
        "roles must be an array of two strings (got string 'front')",
    ),
    (document({"roles": ["front", 2]}), "roles[1] must be a string (got integer 2)"),
    # prescription
    (
        document(prescription=DROP),
        "missing field 'prescription' (a table with hold_s, reps, sides, alternate)",
    ),
    (
        document({"prescription": 3}, prescription=DROP),
        "prescription must be a table (got integer 3)",
    ),
    (document(prescription={"hold": 30}), "prescription: unknown field 'hold'"),
    (document(prescription={"hold_s": 0}), "prescription.hold_s must be > 0 (got 0)"),
    (document(prescription={"hold_s": -2.5}), "prescription.hold_s must be > 0 (got -2.5)"),
    (
        document(prescription={"hold_s": "30"}),
        "prescription.hold_s must be a number (got string '30')",
    ),
    (
        document(prescription={"hold_s": DROP}),
        "prescription: missing field 'hold_s' (a number of seconds > 0)",
    ),
    (document(prescription={"reps": 0}), "prescription.reps must be >= 1 (got 0)"),
    (document(prescription={"reps": 1.5}), "prescription.reps must be an integer (got float 1.5)"),
    (
        document(prescription={"reps": True}),
        "prescription.reps must be an integer (got boolean true)",
    ),
    (
        document(prescription={"sides": "both"}),
        "prescription.sides must be one of each, none (got 'both')",
    ),
    (
        document(prescription={"sides": DROP}),
        "prescription: missing field 'sides' (one of each, none)",
    ),
    (
        document(prescription={"alternate": "no"}),
        "prescription.alternate must be a boolean (got string 'no')",
    ),
    (
        document(prescription={"alternate": DROP}),
        "prescription: missing field 'alternate' (a boolean, true or false)",
    ),
    (
        document(prescription={"alternate": True}),
        "prescription.alternate must be false when sides is 'none' (there is no side to switch to)",
    ),
    # checks as a whole
    (document(checks=[]), "missing field 'checks' (an array of tables, written [[checks]])"),
    (
        document({"checks": Raw("[]")}, checks=[]),
        "checks must have at least one check (got none)",
    ),
    (
        document({"checks": Raw('{ id = "a" }')}, checks=[]),
        "checks must be an array of tables, written [[checks]] (got table)",
    ),
    (document({"checks": Raw('["a"]')}, checks=[]), "checks[0] must be a table (got string 'a')"),
    # fields of a check
    (document(checks=[check(label=DROP)]), "checks[0]: missing field 'label' (a string)"),
    (document(checks=[check(colour="red")]), "checks[0]: unknown field 'colour'"),
    (
        document(checks=[check(kind="angel")]),
        "checks[0].kind must be one of angle, inclination, alignment, height, distance, spacing "
        "(got 'angel')",
    ),
    (
        document(checks=[check(kind=3)]),
        "checks[0].kind must be one of angle, inclination, alignment, height, distance, spacing "
        "(got integer 3)",
    ),
    (
        document(checks=[check(kind=DROP)]),
        "checks[0]: missing field 'kind' "
        "(one of angle, inclination, alignment, height, distance, spacing)",
    ),
    (
        document(checks=[check(priority=DROP)]),
        "checks[0]: missing field 'priority' (an integer >= 1)",
    ),
    (document(checks=[check(priority=0)]), "checks[0].priority must be >= 1 (got 0)"),
    (
        document(checks=[check(priority=True)]),
        "checks[0].priority must be an integer (got boolean true)",
    ),
    (
        document(checks=[check(priority=1.0)]),
        "checks[0].priority must be an integer (got float 1.0)",
    ),
    (document(checks=[check(gate="yes")]), "checks[0].gate must be a boolean (got string 'yes')"),
    # points
    (
        document(checks=[check(points=["front_shoulder", "front_hip"])]),
        "checks[0].points must have 3 points for kind 'angle' (got 2)",
    ),
    (
        document(checks=[length_check(points=["left_knee", "right_knee", "mid_knee"])]),
        "checks[0].points must have 2 points for kind 'distance' (got 3)",
    ),
    (
        document(checks=[check(points="front_knee")]),
        "checks[0].points must be an array of point names (got string 'front_knee')",
    ),
    (
        document(checks=[check(points=["front_shoulder", 3, "front_knee"])]),
        "checks[0].points[1] must be a string (got integer 3)",
    ),
    (
        document(checks=[check(points=["front_shoulder", "front_hip", "front_kneecap"])]),
        f"checks[0].points[2]: unknown point 'front_kneecap'; {VALID_POINTS}",
    ),
    (
        document(checks=[check(points=["front_shoulder", "front_hip", "working_knee"])]),
        f"checks[0].points[2]: unknown point 'working_knee'; {VALID_POINTS}",
    ),
    (
        document(checks=[check(points=["mid_nose", "front_hip", "front_knee"])]),
        f"checks[0].points[0]: unknown point 'mid_nose'; {VALID_POINTS}",
    ),
    (
        document(
            {"roles": DROP}, checks=[check(points=["left_shoulder", "left_hip", "back_knee"])]
        ),
        "checks[0].points[2]: unknown point 'back_knee'; valid: <prefix>_<part> or nose, "
        "with prefixes left, right, mid and parts shoulder, elbow, wrist, pinky, index, thumb, "
        "hip, knee, ankle, heel, foot_index, eye, eye_inner, eye_outer, ear, mouth",
    ),
    # unit
    (
        document(checks=[length_check(unit=DROP)]),
        "checks[0]: missing field 'unit' (an array of 2 points whose distance is the body unit)",
    ),
    (
        document(checks=[check(unit=["left_hip", "right_hip"])]),
        "checks[0].unit is not valid for kind 'angle' (only for alignment, height, distance)",
    ),
    (
        document(checks=[length_check(unit=["left_hip", "right_hip", "mid_hip"])]),
        "checks[0].unit must have 2 points (got 3)",
    ),
    (
        document(checks=[length_check(unit=["left_hip", "right_hipp"])]),
        f"checks[0].unit[1]: unknown point 'right_hipp'; {VALID_POINTS}",
    ),
    (
        document(checks=[length_check(unit=["left_hip", "left_hip"])]),
        "checks[0].unit must name two different points (got 'left_hip' twice)",
    ),
    # reference
    (
        document(checks=[check(reference="vertical")]),
        "checks[0].reference is not valid for kind 'angle' (only for inclination)",
    ),
    (
        document(
            checks=[
                check(
                    kind="inclination",
                    points=["front_hip", "front_shoulder"],
                    target_deg=10,
                    reference="diagonal",
                )
            ]
        ),
        "checks[0].reference must be one of vertical, horizontal (got 'diagonal')",
    ),
    # views
    (
        document(checks=[check(views=["front"])]),
        "checks[0].views[0] 'front' is not in the file's view (side)",
    ),
    (document(checks=[check(views=[])]), "checks[0].views must not be empty (valid: side)"),
    # limits
    (
        document(checks=[check(tolerance_deg=-5)]),
        "checks[0].tolerance_deg must be > 0 (got -5)",
    ),
    (document(checks=[check(tolerance_deg=0)]), "checks[0].tolerance_deg must be > 0 (got 0)"),
    (
        document(checks=[check(target_deg="170")]),
        "checks[0].target_deg must be a number (got string '170')",
    ),
    (
        document(checks=[check(target_deg=Raw("nan"))]),
        "checks[0].target_deg must be a finite number (got nan)",
    ),
    (
        document(checks=[check(target_len=1)]),
        "checks[0].target_len is not valid for kind 'angle' "
        "(use target_deg, tolerance_deg, min_deg, max_deg)",
    ),
    (
        document(checks=[check(target_deg=DROP, tolerance_deg=DROP)]),
        "checks[0] needs target_deg with tolerance_deg, or min_deg and/or max_deg",
    ),
    (
        document(checks=[length_check(max_len=DROP, cue_high=DROP)]),
        "checks[0] needs target_len with tolerance_len, or min_len and/or max_len",
    ),
    (document(checks=[check(tolerance_deg=DROP)]), "checks[0].target_deg needs tolerance_deg"),
    (document(checks=[check(target_deg=DROP)]), "checks[0].tolerance_deg needs target_deg"),
    (
        document(checks=[check(min_deg=150)]),
        "checks[0] mixes target_deg/tolerance_deg with min_deg/max_deg; use one or the other",
    ),
    (
        document(checks=[check(target_deg=DROP, tolerance_deg=DROP, min_deg=100, max_deg=90)]),
        "checks[0].min_deg must be <= max_deg (got 100 > 90)",
    ),
    (
        document(checks=[check(target_deg=DROP, tolerance_deg=DROP, min_deg=90, max_deg=200)]),
        "checks[0].max_deg must be between 0 and 180 for kind 'angle' (got 200)",
    ),
    (
        document(checks=[length_check(max_len=-1)]),
        "checks[0].max_len must be between 0 and 10 for kind 'distance' (got -1)",
    ),
    # cues
    (
        document(checks=[length_check(cue_high=DROP)]),
        "checks[0]: missing field 'cue_high' (a string, required by the upper limit from max_len)",
    ),
    (
        document(checks=[check(cue_low=DROP)]),
        "checks[0]: missing field 'cue_low' "
        "(a string, required by the lower limit from target_deg and tolerance_deg)",
    ),
    (
        document(checks=[length_check(cue_low="Let your knees apart")]),
        "checks[0].cue_low is given but there is no lower limit (min_len), so it would never show",
    ),
    (
        document(checks=[length_check(max_len=DROP, min_len=0.5, cue_low="Knees apart")]),
        "checks[0].cue_high is given but there is no upper limit (max_len), so it would never show",
    ),
    (document(checks=[check(cue_high=5)]), "checks[0].cue_high must be a string (got integer 5)"),
]


@pytest.mark.parametrize(("text", "expected"), ONE_PROBLEM)
def test_each_problem_is_one_line_naming_file_field_expectation_and_finding(text, expected):
    assert problems(text) == [f"bridge.toml: {expected}"]


# Every number is bounded: values far past anything real are typos, and some
# (reps = 10**20) would make a session plan absurd amounts of work.
OUT_OF_BOUNDS = [
    (
        document(prescription={"hold_s": 3601}),
        "prescription.hold_s must be at most 3600 (got 3601)",
    ),
    (
        document(prescription={"hold_s": Raw("inf")}),
        "prescription.hold_s must be a finite number (got inf)",
    ),
    (
        document(prescription={"hold_s": Raw("nan")}),
        "prescription.hold_s must be a finite number (got nan)",
    ),
    (
        document(prescription={"hold_s": Raw("1" + "0" * 399)}),
        "prescription.hold_s must be a number of sensible size (got an integer of 400 digits)",
    ),
    (document(prescription={"reps": 101}), "prescription.reps must be at most 100 (got 101)"),
    (
        document(prescription={"reps": 10**20}),
        "prescription.reps must be at most 100 (got an integer of 21 digits)",
    ),
    (
        document(prescription={"reps": -(10**20)}),
        "prescription.reps must be >= 1 (got a negative integer of 21 digits)",
    ),
    (document(checks=[check(priority=101)]), "checks[0].priority must be at most 100 (got 101)"),
    (
        document(checks=[check(tolerance_deg=181)]),
        "checks[0].tolerance_deg must be at most 180 (got 181)",
    ),
    (
        document(checks=[length_check(max_len=1e300)]),
        "checks[0].max_len must be between 0 and 10 for kind 'distance' (got 1e+300)",
    ),
    (
        document(checks=[length_check(kind="alignment", max_len=-11)]),
        "checks[0].max_len must be between -10 and 10 for kind 'alignment' (got -11)",
    ),
    (
        document(
            checks=[
                length_check(
                    kind="spacing",
                    points=["left_knee", "right_knee", "left_ankle", "right_ankle"],
                    unit=DROP,
                    max_len=DROP,
                    target_ratio=1.0,
                    tolerance_ratio=10.5,
                    cue_low="Knees apart",
                )
            ]
        ),
        "checks[0].tolerance_ratio must be at most 10 (got 10.5)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), OUT_OF_BOUNDS)
def test_every_number_is_bounded_and_finite(text, expected):
    assert problems(text) == [f"bridge.toml: {expected}"]


def test_values_quoted_in_a_problem_stay_on_one_line_and_short():
    assert problems(document({"position": "\n"})) == [
        "bridge.toml: position must be an array of strings (got string '\\n')"
    ]
    assert problems(
        document({"name": ["x"], "source": "s" * 1000}, prescription={"hold_s": "h" * 100})
    ) == [
        "bridge.toml: name must be a string (got array)",
        f"bridge.toml: prescription.hold_s must be a number (got string '{'h' * 57}...')",
    ]


def test_files_the_toml_parser_cannot_survive_are_one_problem(tmp_path: Path):
    deep = "id = " + "[" * 5000 + "]" * 5000 + "\n"
    assert problems(deep) == ["bridge.toml: not valid TOML (arrays or tables nested too deeply)"]
    inline = "id = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n"
    assert problems(inline) == ["bridge.toml: not valid TOML (arrays or tables nested too deeply)"]
    digits = document(prescription={"reps": Raw("1" + "0" * 5000)})
    assert problems(digits) == ["bridge.toml: not valid TOML (a number with too many digits)"]

    huge = tmp_path / "bridge.toml"
    huge.write_text(document() + "#" * reference.MAX_FILE_BYTES + "\n")
    with pytest.raises(ReferenceError) as info:
        load_file(huge, bundled=False)
    assert info.value.problems == [f"{huge}: larger than 1024 KiB, too large for a reference file"]


def test_a_misspelt_field_is_reported_with_what_it_left_missing():
    text = document(checks=[check(tolerance_deg=DROP, tolerence_deg=10)])
    assert problems(text) == [
        "bridge.toml: checks[0]: unknown field 'tolerence_deg'",
        "bridge.toml: checks[0].target_deg needs tolerance_deg",
    ]


def test_a_limit_in_the_wrong_unit_is_not_also_reported_as_missing_limits():
    text = document(checks=[check(target_deg=DROP, tolerance_deg=DROP, target_len=1, max_len=2)])
    use = "(use target_deg, tolerance_deg, min_deg, max_deg)"
    assert problems(text) == [
        f"bridge.toml: checks[0].target_len is not valid for kind 'angle' {use}",
        f"bridge.toml: checks[0].max_len is not valid for kind 'angle' {use}",
    ]


def test_valid_edge_values_pass():
    checks = [
        check(id="a", target_deg=DROP, tolerance_deg=DROP, min_deg=90, max_deg=90),
        check(id="b", target_deg=180, tolerance_deg=0.5),
        length_check(id="c", kind="alignment", max_len=-0.25),
        check(
            id="d",
            kind="spacing",
            points=["left_knee", "right_knee", "left_ankle", "right_ankle"],
            target_deg=DROP,
            tolerance_deg=DROP,
            target_ratio=1.0,
            tolerance_ratio=0.2,
        ),
        check(
            id="e",
            kind="inclination",
            points=["front_hip", "front_shoulder"],
            target_deg=10,
            views=["side"],
        ),
    ]
    ref = parse_reference(document(prescription={"sides": "each"}, checks=checks), "bridge.toml")
    assert [c.id for c in ref.checks] == ["a", "b", "c", "d", "e"]
    assert ref.checks[2].limits == Limits(low=None, high=-0.25)
    assert ref.checks[3].limits == Limits(low=0.8, high=1.2, target=1.0, tolerance=0.2)


# --- loading folders -----------------------------------------------------------------


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake bundled folder holding bridge.toml, standing in for the real one."""
    folder = tmp_path / "bundled"
    write_ref(folder, "bridge")
    monkeypatch.setattr(library, "bundled_dir", lambda: folder)
    return folder


def test_user_dirs_come_from_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(REFS_ENV, os.pathsep.join(["env1", "", "env2", ""]))
    assert user_dirs([Path("opt")]) == [Path("opt"), Path("env1"), Path("env2")]
    monkeypatch.delenv(REFS_ENV)
    assert user_dirs() == []


def test_bundled_then_user_files_load_in_order(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    write_ref(bundled, "child-pose")
    option = tmp_path / "option"
    write_ref(option, "pigeon")
    env = tmp_path / "env"
    write_ref(env, "cobra")
    write_ref(env, "butterfly")
    write(env, "notes.txt", "not a reference")
    monkeypatch.setenv(REFS_ENV, str(env))

    refs = load_references([option])

    assert list(refs) == ["bridge", "child-pose", "pigeon", "butterfly", "cobra"]
    assert [refs[i].bundled for i in refs] == [True, True, False, False, False]
    assert refs["bridge"].path == "bridge.toml"
    assert refs["cobra"].path == str(env / "cobra.toml")


def test_a_user_file_cannot_shadow_a_bundled_id(bundled: Path, tmp_path: Path):
    mine = write_ref(tmp_path / "mine", "bridge")
    with pytest.raises(ReferenceError) as info:
        load_references([tmp_path / "mine"])
    assert info.value.problems == [
        f"{mine}: id 'bridge' is already a bundled stretch; choose another id"
    ]


def test_two_user_files_cannot_share_an_id(bundled: Path, tmp_path: Path):
    first = write_ref(tmp_path / "a", "cobra")
    second = write_ref(tmp_path / "b", "cobra")
    with pytest.raises(ReferenceError) as info:
        load_references([tmp_path / "a", tmp_path / "b"])
    assert info.value.problems == [
        f"{second}: id 'cobra' is already used by {first}; choose another id"
    ]


def test_a_folder_named_twice_is_read_once(bundled: Path, tmp_path: Path):
    write_ref(tmp_path / "mine", "cobra")
    assert list(load_references([tmp_path / "mine", tmp_path / "mine"])) == ["bridge", "cobra"]
    assert list(load_references([bundled])) == ["bridge"]


def test_missing_user_folders_are_problems(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    missing = tmp_path / "nowhere"
    a_file = write(tmp_path, "file.toml", "")
    monkeypatch.setenv(REFS_ENV, str(missing))
    with pytest.raises(ReferenceError) as info:
        load_references([a_file])
    assert info.value.problems == [
        f"{a_file}: not a folder (from --refs or POSECHECK_REFS)",
        f"{missing}: no such folder (from --refs or POSECHECK_REFS)",
    ]


def test_problems_of_every_file_are_reported_together(bundled: Path, tmp_path: Path):
    write(bundled, "child-pose.toml", document({"id": "child-pose", "name": 1}))
    mine = tmp_path / "mine"
    cobra = write(mine, "cobra.toml", document({"id": "cobra", "view": ["top"]}))
    write_ref(mine, "pigeon")
    with pytest.raises(ReferenceError) as info:
        load_references([mine, tmp_path / "nowhere"])
    assert info.value.problems == [
        "child-pose.toml: name must be a string (got integer 1)",
        f"{cobra}: view[0] must be one of side, front, back (got 'top')",
        f"{tmp_path / 'nowhere'}: no such folder (from --refs or POSECHECK_REFS)",
    ]


def test_a_missing_bundled_folder_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(library, "bundled_dir", lambda: tmp_path / "gone")
    with pytest.raises(ReferenceError) as info:
        load_references()
    assert info.value.problems == [
        f"{tmp_path / 'gone'}: bundled reference poses not found; posecheck is not fully installed"
    ]


def test_load_file_names_user_files_by_path_and_bundled_ones_by_name(tmp_path: Path):
    path = write(tmp_path, "bridge.toml", document({"name": 1}))
    for bundled, origin in ((True, "bridge.toml"), (False, str(path))):
        with pytest.raises(ReferenceError) as info:
            load_file(path, bundled=bundled)
        assert info.value.problems == [f"{origin}: name must be a string (got integer 1)"]


def test_load_file_reports_files_it_cannot_read(tmp_path: Path):
    with pytest.raises(ReferenceError) as info:
        load_file(tmp_path / "gone.toml", bundled=False)
    assert info.value.problems == [f"{tmp_path / 'gone.toml'}: no such file"]

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'name = "\xe9"\n')
    with pytest.raises(ReferenceError) as info:
        load_file(latin1, bundled=True)
    assert info.value.problems == [
        "latin1.toml: not UTF-8 text (invalid continuation byte at byte 8)"
    ]


def test_load_file_accepts_a_byte_order_mark(tmp_path: Path):
    path = tmp_path / "bridge.toml"
    path.write_bytes(b"\xef\xbb\xbf" + document().encode())
    assert load_file(path, bundled=False).id == "bridge"


# --- choosing a stretch --------------------------------------------------------------


def test_get_reference_finds_by_id_and_suggests_a_close_one():
    bridge = parse_reference(document(), "bridge.toml")
    refs = {"bridge": bridge}
    assert get_reference(refs, "bridge") is bridge
    with pytest.raises(InputError) as info:
        get_reference(refs, "brige")
    assert str(info.value) == (
        "unknown stretch 'brige' (did you mean 'bridge'?); run 'posecheck stretches' to list them"
    )
    with pytest.raises(InputError) as info:
        get_reference(refs, "pigeon")
    assert str(info.value) == "unknown stretch 'pigeon'; run 'posecheck stretches' to list them"


# --- the bundled files ---------------------------------------------------------------


def test_bundled_dir_is_the_checkout_folder_when_not_installed_from_a_wheel():
    if (Path(resources.__file__).parent / "_reference_poses").is_dir():
        pytest.skip("running from an installed wheel")
    assert reference.bundled_dir() == ROOT / "reference_poses" / "stretches"


@pytest.mark.skipif(
    not any((ROOT / "reference_poses" / "stretches").glob("*.toml")),
    reason="reference_poses/ has no .toml files yet",
)
def test_the_bundled_references_load():
    refs = load_references()
    assert refs
    for ref in refs.values():
        assert ref.bundled
        assert ref.checks, ref.id


# --- why and advice: every check traces to its article ------------------------------


def test_a_check_without_why_is_one_pinned_line():
    assert problems(document(checks=[check(why=DROP)])) == [
        "bridge.toml: checks[0]: missing field 'why' (a string: the sentence of the source "
        "article this check enforces, in a close paraphrase or a short quote)"
    ]


@pytest.mark.parametrize(
    ("why", "expected"),
    [("", "checks[0].why must not be empty (got '')"), (3, "checks[0].why must be a string")],
)
def test_an_empty_or_non_text_why_is_refused(why, expected):
    (line,) = problems(document(checks=[check(why=why)]))
    assert expected in line


def test_advice_defaults_to_false_and_reads_a_boolean():
    assert parse_reference(document(), "bridge.toml").checks[0].advice is False
    ref = parse_reference(document(checks=[check(advice=True)]), "bridge.toml")
    assert ref.checks[0].advice is True
    assert ref.checks[0].why == ANGLE_CHECK["why"]
    (line,) = problems(document(checks=[check(advice="yes")]))
    assert line == "bridge.toml: checks[0].advice must be a boolean (got string 'yes')"


def test_an_advice_check_cannot_be_a_gate():
    (line,) = problems(document(checks=[check(advice=True, gate=True)]))
    assert line == (
        "bridge.toml: checks[0].gate must not be true on an advice check (advice never blocks)"
    )


@pytest.mark.skipif(
    not any((ROOT / "reference_poses" / "stretches").glob("*.toml")),
    reason="reference_poses/ has no .toml files yet",
)
def test_every_bundled_check_names_its_article_and_every_stretch_can_be_held():
    for ref in load_references().values():
        for c in ref.checks:
            article = c.why.split(":")[0]
            # An advice check says it is not in the article; the others name it.
            assert (
                c.advice
                or any(s.strip()[:3] in article for s in ref.source.split(";"))
                or (article[:3].isdigit())
            ), f"{ref.id}/{c.id}: why does not name an article: {c.why!r}"
        assert any(not c.advice for c in ref.checks), f"{ref.id}: only advice, nothing to hold"


def test_show_prints_each_checks_why_and_marks_advice():
    from typer.testing import CliRunner

    from posecheck.cli.app import app

    result = CliRunner().invoke(app, ["show", "static-low-lunge"])
    assert result.exit_code == 0, result.output
    ref = load_references()["static-low-lunge"]
    for c in ref.checks:
        assert f"why: {c.why}" in result.output
    advice = [line for line in result.output.splitlines() if "[advice" in line]
    assert len(advice) == sum(c.advice for c in ref.checks) == 1
