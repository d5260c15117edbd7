"""Routine files: reading one, the prescription each step puts in force, and every
problem a routine file can have, each pinned as the one line a user reads."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from posecheck.catalog.reference import Reference, Sides, load_references
from posecheck.catalog.routines import (
    MAX_STEPS,
    RoutineError,
    RoutineStep,
    estimated_s,
    load_routines,
    parse_routine,
    prescription_text,
)

GOOD = """
id = "evening"
name = "Evening"
source = "003"
description = "Two floor stretches."

[[steps]]
stretch = "bridge"
hold_s = 20

[[steps]]
stretch = "knee-to-chest"
reps = 2
alternate = true
"""


@cache
def stretches() -> dict[str, Reference]:
    return load_references()


def problems(text: str, origin: str = "evening.toml") -> list[str]:
    with pytest.raises(RoutineError) as caught:
        parse_routine(text, origin, stretches())
    return caught.value.problems


def with_steps(steps: str) -> str:
    head = 'id = "evening"\nname = "Evening"\nsource = "003"\ndescription = "Two."\n'
    return head + steps


def test_a_routine_reads_with_each_steps_prescription_in_force() -> None:
    routine = parse_routine(GOOD, "evening.toml", stretches())
    assert routine.id == "evening"
    assert [s.stretch for s in routine.steps] == ["bridge", "knee-to-chest"]
    bridge, knee = routine.references(stretches())
    assert bridge.prescription.hold_s == 20  # the bridge's own is 30 s
    assert bridge.prescription.reps == 1
    assert knee.prescription.reps == 2 and knee.prescription.alternate
    assert knee.prescription.hold_s == stretches()["knee-to-chest"].prescription.hold_s
    assert knee.prescription.sides is Sides.EACH
    # The stretch itself is untouched.
    assert stretches()["bridge"].prescription.hold_s == 30
    assert routine.steps[0].overrides() == {"hold_s": 20.0}


def test_the_estimate_counts_every_hold_and_side() -> None:
    routine = parse_routine(GOOD, "evening.toml", stretches())
    bridge, knee = routine.references(stretches())
    assert estimated_s(bridge) == 5 + 20  # getting into position, one hold
    # 2 reps on each side: 4 holds and 3 changes between them.
    assert estimated_s(knee) == 5 + 4 * knee.prescription.hold_s + 3 * 5
    summary = routine.to_json(stretches())
    assert summary["estimated_s"] == round(estimated_s(bridge) + estimated_s(knee) + 15)


def test_a_step_without_overrides_keeps_the_stretch_prescription() -> None:
    step = RoutineStep("bridge")
    assert step.prescription(stretches()["bridge"].prescription) == (
        stretches()["bridge"].prescription
    )
    assert step.overrides() == {}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            '[[steps]]\nstretch = "bridg"\n',
            "evening.toml: steps[0].stretch unknown stretch 'bridg' (did you mean 'bridge'?); "
            "valid: ",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nhold_s = -5\n',
            "evening.toml: steps[0].hold_s must be > 0 (got -5)",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nhold_s = 4000\n',
            "evening.toml: steps[0].hold_s must be at most 3600 (got 4000)",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nhold_s = "30 s"\n',
            "evening.toml: steps[0].hold_s must be a number (got string '30 s')",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nreps = 0\n',
            "evening.toml: steps[0].reps must be >= 1 (got 0)",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nreps = 1.5\n',
            "evening.toml: steps[0].reps must be an integer (got float 1.5)",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nalternate = true\n',
            "evening.toml: steps[0].alternate must be false when sides is 'none' "
            "(there is no side to switch to): bridge has no sides",
        ),
        (
            '[[steps]]\nstretch = "bridge"\nsides = "each"\n',
            "evening.toml: steps[0]: unknown field 'sides'",
        ),
        (
            "[[steps]]\nhold_s = 20\n",
            "evening.toml: steps[0]: missing field 'stretch' (a stretch id)",
        ),
        ("steps = []\n", "evening.toml: steps must have at least one step (got none)"),
        ('steps = ["bridge"]\n', "evening.toml: steps[0] must be a table (got string 'bridge')"),
        (
            'steps = "bridge"\n',
            "evening.toml: steps must be an array of tables, written [[steps]] "
            "(got string 'bridge')",
        ),
        ("", "evening.toml: missing field 'steps' (an array of tables, written [[steps]])"),
    ],
)
def test_each_step_problem_is_one_line(steps: str, expected: str) -> None:
    found = problems(with_steps(steps))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_an_unknown_stretch_lists_the_valid_ids() -> None:
    (line,) = problems(with_steps('[[steps]]\nstretch = "plank"\n'))
    assert line.startswith("evening.toml: steps[0].stretch unknown stretch 'plank'; valid: ")
    assert all(stretch_id in line for stretch_id in stretches())


def test_top_level_problems_are_reported_together() -> None:
    text = 'id = "Evening Flow"\nname = ""\nextra = 1\n[[steps]]\nstretch = "bridge"\n'
    assert problems(text) == [
        "evening.toml: unknown field 'extra'",
        "evening.toml: id must be kebab-case, lowercase letters and digits joined by '-' "
        "(got 'Evening Flow')",
        "evening.toml: name must not be empty (got '')",
        "evening.toml: missing field 'source' (a string)",
        "evening.toml: missing field 'description' (a string)",
    ]


def test_the_id_must_match_the_file_and_not_be_a_stretch() -> None:
    assert problems(GOOD, "morning.toml") == [
        "morning.toml: id 'evening' must match the file name 'morning'"
    ]
    text = GOOD.replace('id = "evening"', 'id = "bridge"')
    assert problems(text, "bridge.toml") == [
        "bridge.toml: id 'bridge' is already a stretch id; choose another id"
    ]


def test_every_bad_step_is_reported_at_once() -> None:
    text = with_steps(
        '[[steps]]\nstretch = "nope"\n[[steps]]\nstretch = "bridge"\nreps = 0\n'
        '[[steps]]\nstretch = "butterfly"\n'
    )
    found = problems(text)
    assert [line.split(" ", 2)[1] for line in found] == ["steps[0].stretch", "steps[1].reps"]


def test_too_many_steps_and_broken_toml() -> None:
    many = "".join('[[steps]]\nstretch = "bridge"\n' for _ in range(MAX_STEPS + 1))
    assert problems(with_steps(many)) == [
        f"evening.toml: steps must have at most {MAX_STEPS} steps (got {MAX_STEPS + 1})"
    ]
    (line,) = problems("id = ")
    assert line.startswith("evening.toml: not valid TOML (")


# --- the bundled routines ------------------------------------------------------------

# ../shared/docs/STRETCHES.md, "Routines": one per article, its stretches in order.
ARTICLE_ROUTINES = {
    "hip-flexor-relief": ("000", ["90-90-hip-flexor", "90-90-hip-flexor-side-bend", "knee-drops"]),
    "tight-hip-flexors": (
        "001",
        [
            "foam-roll-quads",
            "half-kneeling-hip-flexor",
            "assisted-half-kneeling-hip-flexor",
            "foam-roller-psoas",
            "bent-knee-to-low-lunge",
            "static-low-lunge",
        ],
    ),
    "hip-flexor-back-pain": (
        "002",
        ["lunge-stretch", "90-90-hip-stretch", "prayer-squat", "wide-child-pose", "knee-to-chest"],
    ),
    "hip-and-lower-back": (
        "003",
        ["pigeon", "butterfly", "seated-hip-stretch", "bridge", "half-kneeling-hip-flexor"],
    ),
    "release-lower-back-and-hips": (
        "004",
        [
            "childs-pose",
            "supine-figure-4",
            "figure-4-twist",
            "runners-lunge",
            "adductor-opener",
            "wide-legged-forward-fold",
            "cow-face-legs",
            "seated-twist",
            "happy-baby",
        ],
    ),
}


def test_the_five_article_routines_load_in_the_articles_order() -> None:
    routines = load_routines(stretches())
    assert set(routines) == set(ARTICLE_ROUTINES)
    for routine_id, (article, steps) in ARTICLE_ROUTINES.items():
        routine = routines[routine_id]
        assert routine.source == article
        assert [s.stretch for s in routine.steps] == steps
        assert routine.bundled


def test_the_routines_keep_the_articles_prescriptions() -> None:
    routines = load_routines(stretches())
    relief = {r.id: r for r in routines["hip-flexor-relief"].references(stretches())}
    # 000: two reps per side, alternating, 20 s; knee drops five each way, 2-3 s.
    for stretch_id in ("90-90-hip-flexor", "90-90-hip-flexor-side-bend"):
        p = relief[stretch_id].prescription
        assert (p.reps, p.per_side, p.alternate, p.hold_s) == (2, True, True, 20)
    drops = relief["knee-drops"].prescription
    assert (drops.reps, drops.per_side, drops.dynamic, drops.hold_s) == (5, True, True, 2)
    # 003: "Hold each position for at least 30 seconds".
    for ref in routines["hip-and-lower-back"].references(stretches()):
        assert ref.prescription.hold_s >= 30
    # 004: 30 s each.
    for ref in routines["release-lower-back-and-hips"].references(stretches()):
        assert ref.prescription.hold_s == 30


def test_a_phased_stretch_keeps_its_phases_holds() -> None:
    for key, value in (("hold_s", "10"), ("reps", "2")):
        (line,) = problems(with_steps(f'[[steps]]\nstretch = "wide-child-pose"\n{key} = {value}\n'))
        assert line == (
            f"evening.toml: steps[0].{key} cannot be changed: wide-child-pose is held in "
            "phases, each with its own hold"
        )
    routine = parse_routine(
        with_steps('[[steps]]\nstretch = "wide-child-pose"\n'), "evening.toml", stretches()
    )
    (ref,) = routine.references(stretches())
    assert estimated_s(ref) == 2 * 5 + sum(p.hold_s for p in ref.phases)
    assert prescription_text(ref) == "hold 20 s, then hold 30 s"


def test_a_dynamic_stretch_is_estimated_with_short_releases() -> None:
    drops = stretches()["knee-drops"]
    # Ten drops of 2 s, nine releases of about 2 s between them.
    assert estimated_s(drops) == 5 + 10 * 2 + 9 * 2


def test_a_user_routine_beside_the_bundled_ones(tmp_path: Path) -> None:
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "evening.toml").write_text(GOOD)
    routines = load_routines(stretches(), [tmp_path])
    assert routines["evening"].bundled is False
    assert list(routines)[-1] == "evening"
    clash = GOOD.replace('id = "evening"', 'id = "hip-flexor-relief"')
    (folder / "hip-flexor-relief.toml").write_text(clash)
    with pytest.raises(RoutineError) as caught:
        load_routines(stretches(), [tmp_path])
    assert caught.value.problems == [
        f"{folder / 'hip-flexor-relief.toml'}: id 'hip-flexor-relief' is already a bundled "
        "routine; choose another id"
    ]
