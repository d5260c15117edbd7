"""Every stretch of the catalog: its file loads, its built good position is
aligned, and its named faults are caught by the check (or gate) meant to."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from posecheck.catalog.library import load_references
from posecheck.catalog.reference import Reference
from posecheck.form.checks import evaluate, restrict
from posecheck.form.results import Status, Verdict, is_good
from tests import bodies
from tests.helpers import ROOT, run

CATALOG = ROOT.parent / "shared" / "docs" / "STRETCHES.md"


@cache
def refs() -> dict[str, Reference]:
    return load_references()


def catalog_ids() -> list[str]:
    """The ids of the catalog table in STRETCHES.md; the bundled ids when it is absent."""
    if not CATALOG.is_file():
        return sorted(bodies.CORRECT)
    text = CATALOG.read_text(encoding="utf-8").split("## The catalog", 1)[1]
    text = text.split("\n## ", 1)[0]
    return re.findall(r"^\| ([a-z0-9-]+) \| \d{3}", text, flags=re.M)


def test_every_catalog_id_has_a_file_and_a_built_body():
    ids = catalog_ids()
    assert len(ids) == 27
    assert set(ids) <= set(refs())
    assert set(ids) == set(bodies.CORRECT) == set(bodies.FAULTS)


def test_stretches_json_lists_all_27():
    result = run("stretches", "--json")
    assert result.returncode == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    assert {item["id"] for item in listed} >= set(catalog_ids())
    by_id = {item["id"]: item for item in listed}
    assert by_id["foam-roll-quads"]["camera_limits"]
    assert by_id["butterfly"]["camera_limits"] is None
    assert by_id["knee-drops"]["prescription"]["dynamic"] is True
    assert by_id["childs-pose"]["prescription"]["dynamic"] is False


def _explain(verdict: Verdict) -> str:
    gates = [g.id for g in verdict.gates if not g.passed]
    checks = [
        (r.check.id, r.status.value, r.value) for r in verdict.results if r.status != Status.PASS
    ]
    return f"view {verdict.view}, position {verdict.position}, gates {gates}, checks {checks}"


def judged(verdict: Verdict, ref: Reference, phase: int = 0) -> Verdict:
    """The verdict as the stretch's first (or given) phase judges it."""
    return restrict(verdict, ref.phases[phase].checks) if ref.phases else verdict


@pytest.mark.parametrize("stretch_id", sorted(bodies.CORRECT))
def test_correct_position_is_aligned(stretch_id):
    ref = refs()[stretch_id]
    verdict = judged(evaluate(bodies.correct_pose(stretch_id), ref), ref)
    assert verdict.aligned, _explain(verdict)
    assert verdict.gates_passed
    blocking = [r for r in verdict.results if not r.check.advice]
    assert blocking and all(is_good(r.status) for r in blocking), _explain(verdict)


@pytest.mark.parametrize(
    ("stretch_id", "fault"),
    [(s, name) for s, faults in sorted(bodies.FAULTS.items()) for name in faults],
)
def test_fault_is_caught(stretch_id, fault):
    expected = bodies.FAULTS[stretch_id][fault].fails
    ref = refs()[stretch_id]
    verdict = judged(evaluate(bodies.fault_pose(stretch_id, fault), ref), ref)
    assert not verdict.aligned, _explain(verdict)
    if expected.startswith("gate:"):
        gates = {g.id: g.passed for g in verdict.gates}
        assert gates[expected.removeprefix("gate:")] is False, _explain(verdict)
    else:
        results = {r.check.id: r for r in verdict.results}
        assert results[expected].status == Status.FAIL, _explain(verdict)
        assert not results[expected].check.advice


@pytest.mark.parametrize("stretch_id", sorted(bodies.CORRECT))
def test_mirrored_body_is_aligned_too(stretch_id):
    """The other side's rep, and the other way of facing the camera, are judged alike."""
    built = bodies.CORRECT[stretch_id]
    view = {"side": "side-left", "side-left": "side"}.get(built.view, built.view)
    fig = bodies.mirrored(built.figure())
    ref = refs()[stretch_id]
    verdict = judged(evaluate(bodies.pose(fig, view, tilt_deg=built.tilt_deg), ref), ref)
    assert verdict.aligned, _explain(verdict)


def _floor_stretches() -> list[str]:
    return sorted(
        s for s in bodies.CORRECT if "standing" not in {str(p) for p in refs()[s].positions}
    )


@pytest.mark.parametrize("stretch_id", _floor_stretches())
def test_standing_is_never_a_floor_stretch(stretch_id):
    ref = refs()[stretch_id]
    verdict = evaluate(bodies.pose(bodies.standing(), bodies.CORRECT[stretch_id].view), ref)
    assert not verdict.aligned, _explain(verdict)


def test_each_phase_of_a_phased_stretch_has_its_own_good_body():
    for stretch_id, figures in bodies.PHASES.items():
        ref = refs()[stretch_id]
        assert len(ref.phases) == len(figures)
        view = bodies.CORRECT[stretch_id].view
        for n, make in enumerate(figures):
            verdict = evaluate(bodies.pose(make(), view), ref)
            assert judged(verdict, ref, n).aligned, (n, _explain(verdict))
        # Reaching with the hips still up is not yet the second phase.
        first = evaluate(bodies.pose(figures[0](), view), ref)
        assert not judged(first, ref, 1).aligned


def test_wide_child_pose_is_two_phases_from_the_article():
    ref = refs()["wide-child-pose"]
    assert [p.hold_s for p in ref.phases] == [20.0, 30.0]
    assert "hips-to-heels" not in ref.phases[0].checks
    assert "hips-to-heels" in ref.phases[1].checks


def test_the_dynamic_stretches_are_the_two_the_article_names():
    dynamic = {i for i, r in refs().items() if r.prescription.dynamic}
    assert dynamic == {"knee-drops", "bent-knee-to-low-lunge"}
    drops = refs()["knee-drops"].prescription
    assert (drops.reps, drops.sides.value, drops.alternate, drops.hold_s) == (5, "each", True, 2.0)


def test_show_says_what_the_camera_cannot_judge_and_lists_phases():
    result = run("show", "foam-roll-quads")
    assert result.returncode == 0, result.stderr
    assert "What the camera cannot judge: The roller is hidden" in result.stdout
    assert "hold 120 s on each side" in result.stdout
    result = run("show", "wide-child-pose")
    assert "Phase 1: Reach forward" in result.stdout
    assert "Phase 2: Keep your head low" in result.stdout
    assert "hold 20 s, then hold 30 s" in result.stdout


@pytest.mark.parametrize("stretch_id", sorted(bodies.CORRECT))
def test_a_built_body_passes_only_for_its_known_look_alikes(stretch_id):
    """Every other stretch judges the body in its own way: only the pairs listed in
    bodies.LOOK_ALIKES, each with its reason, may align it."""
    pose = bodies.correct_pose(stretch_id)
    accepted = set()
    for other_id, ref in refs().items():
        if other_id == stretch_id:
            continue
        verdict = evaluate(pose, ref)
        phases = [restrict(verdict, p.checks) for p in ref.phases] or [verdict]
        if any(v.aligned for v in phases):
            accepted.add(other_id)
    allowed = {b for a, b in bodies.LOOK_ALIKES if a == stretch_id}
    assert accepted == allowed
