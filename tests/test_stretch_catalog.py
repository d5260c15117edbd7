"""Every stretch of the catalog: its file loads, its built good position is
aligned, and its named faults are caught by the check (or gate) meant to."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from posecheck.catalog.library import load_references
from posecheck.catalog.reference import Reference
from posecheck.form.checks import evaluate
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


@pytest.mark.parametrize("stretch_id", sorted(bodies.CORRECT))
def test_correct_position_is_aligned(stretch_id):
    verdict = evaluate(bodies.correct_pose(stretch_id), refs()[stretch_id])
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
    verdict = evaluate(bodies.fault_pose(stretch_id, fault), refs()[stretch_id])
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
    verdict = evaluate(bodies.pose(fig, view, tilt_deg=built.tilt_deg), refs()[stretch_id])
    assert verdict.aligned, _explain(verdict)


@pytest.mark.parametrize("stretch_id", sorted(bodies.CORRECT))
def test_standing_is_never_a_floor_stretch(stretch_id):
    ref = refs()[stretch_id]
    if "standing" in {str(p) for p in ref.positions}:
        pytest.skip("a standing stretch")
    verdict = evaluate(bodies.pose(bodies.standing(), bodies.CORRECT[stretch_id].view), ref)
    assert not verdict.aligned, _explain(verdict)
