"""The range-of-motion checks a stretch file names (`progress`), and the per-hold
value the session keeps for each: the median while the hold is in form."""

from __future__ import annotations

from dataclasses import replace

import pytest

from posecheck.body.geometry import Position, View
from posecheck.catalog.reference import (
    Check,
    CheckKind,
    Limits,
    Point,
    Prescription,
    Reference,
    ReferenceError,
    load_references,
    parse_reference,
)
from posecheck.coaching.session import Session, SessionConfig
from posecheck.form.checks import CheckResult, GateResult, Status, Verdict
from tests.helpers import ROOT

BRIDGE = (ROOT / "reference_poses" / "stretches" / "bridge.toml").read_text()


def _with_progress(line: str) -> str:
    return BRIDGE.replace('progress = ["hips-lifted"]', line)


# Stretches with no body measure of how far the stretch goes, and why.
NO_RANGE = {
    "foam-roll-quads": "the pressure of the roller on the thigh is the stretch, and a camera "
    "cannot see it; the body only lies long over the roller",
}


def test_every_bundled_stretch_names_its_range_of_motion_checks():
    for ref in load_references([]).values():
        if ref.id in NO_RANGE:
            assert not ref.progress, f"{ref.id}: remove it from NO_RANGE"
            assert ref.camera_limits, f"{ref.id}: say what the camera cannot judge"
            continue
        assert ref.progress, f"{ref.id} names no progress check"
        assert set(ref.progress) <= {c.id for c in ref.checks}


def test_progress_is_optional():
    ref = parse_reference(_with_progress(""), "bridge.toml")
    assert ref.progress == ()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            'progress = ["hips-high"]',
            "bridge.toml: progress[0] must be one of this stretch's checks: ",
        ),
        ('progress = ["hips-lifted", "hips-lifted"]', "progress[1] 'hips-lifted' is named twice"),
        ("progress = [3]", "bridge.toml: progress[0] must be a check id (got integer 3)"),
        ('progress = "hips-lifted"', "bridge.toml: progress must be an array of check ids"),
    ],
)
def test_a_bad_progress_field_is_one_line_naming_it(line, problem):
    with pytest.raises(ReferenceError) as info:
        parse_reference(_with_progress(line), "bridge.toml")
    assert len(info.value.problems) == 1
    assert problem in info.value.problems[0]
    assert "\n" not in info.value.problems[0]


# --- the session keeps the median while in form --------------------------------

LIFT = Check(
    id="lift",
    label="Hips lifted",
    kind=CheckKind.ANGLE,
    points=(Point("mid", "hip"), Point("mid", "shoulder"), Point("mid", "ankle")),
    limits=Limits(12, None),
    priority=1,
    cue_low="Lift your hips",
)
REF = Reference(
    id="lifts",
    name="lifts",
    source="test",
    description="test",
    positions=(Position.SUPINE,),
    views=(View.SIDE,),
    prescription=Prescription(3, 2, "none", False),
    checks=(LIFT,),
    progress=("lift",),
)


def _verdict(value: float | None) -> Verdict:
    good = value is not None and value >= 12
    return Verdict(
        stretch="lifts",
        person=True,
        view=View.SIDE,
        position=Position.SUPINE,
        gates=(GateResult("person", True),),
        results=(
            CheckResult(
                LIFT, value, Status.PASS if good else Status.FAIL if value else Status.UNKNOWN
            ),
        ),
        aligned=good,
        score=100 if good else 0,
    )


def test_each_rep_keeps_the_median_of_its_progress_checks_while_in_form():
    session = Session(REF, SessionConfig(confirm_s=0, rest_s=0.5))
    # Rep 1: 20, 30 and 40 degrees in form, and a slip to 5 degrees that is not counted.
    values = [20.0, 30.0, 5.0, 40.0] * 10
    t = 0
    for v in values:
        session.update(_verdict(v), t)
        t += 100
    first = session.reps[0]
    assert first.progress == {"lift": 30.0}
    # Rep 2 is held at 50 degrees and cut short.
    for _ in range(20):
        session.update(_verdict(50.0), t)
        t += 100
    reps = session.finish(t)
    assert reps[-1].progress == {"lift": 50.0}


def test_a_rep_never_measured_in_form_has_no_progress_value():
    session = Session(replace(REF, progress=()), SessionConfig(confirm_s=0))
    for i in range(40):
        session.update(_verdict(30.0), i * 100)
    assert session.reps[0].progress == {}
