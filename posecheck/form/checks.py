"""Form checks: one Pose against one Reference gives a Verdict.

Pure: no camera, no clock, no printing. The steps:

1. roles: when the reference names two roles (front and back leg, working
   and resting leg), both ways of giving them to the body's two sides are
   tried and the one that fits the checks best is kept. MediaPipe's own left
   and right labels swap in side views, so they never decide a role;
2. checks: each gives a value and pass, borderline (outside its limits by no
   more than the measured error of its kind), fail, or unknown (a point not
   seen), with the cue for the way it missed. Advice checks (no basis in the
   article) are shown but never block;
3. gates, as evidence rather than a taxonomy: a person in the picture, a
   view from which the checks can be judged, a body position that is the
   named one or a known misreading of it (then the shape checks decide), and
   the points of unjudged checks inside the picture. A failing gate withholds
   the verdicts and its guidance becomes the cue;
4. the verdict: aligned when the gates pass and no blocking check fails or
   is unknown, a 0-100 score, and the one cue to show, by priority.

Steps 1, 2 and 4 live here; the parts sit beside it: `points` (where a
check's points are), `bands` (judging one value), `gates` (step 3) and
`results` (the data a verdict is made of). The names callers use are
re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from posecheck.body import geometry
from posecheck.body.geometry import View
from posecheck.body.landmarks import Pose, side_landmark
from posecheck.catalog.reference import Check, CheckKind, Reference, Unit
from posecheck.form.bands import ERROR_BANDS, HYSTERESIS, NEARLY, error_band, judge
from posecheck.form.gates import (
    NO_PERSON_CUE,
    POSITION_CUES,
    VIEW_CUES,
    judge_gates,
    view_matches,
)
from posecheck.form.points import FAINT, mean_world, mean_xy, seen_groups
from posecheck.form.results import CheckResult, GateResult, Status, Verdict, is_good, target_text

__all__ = [
    "ERROR_BANDS",
    "FAINT",
    "HYSTERESIS",
    "NEARLY",
    "NO_PERSON_CUE",
    "POSITION_CUES",
    "TIP",
    "VIEW_CUES",
    "CheckResult",
    "Conclusion",
    "GateResult",
    "Status",
    "Verdict",
    "assign_roles",
    "conclude",
    "error_band",
    "evaluate",
    "form_score",
    "is_good",
    "judge",
    "measure",
    "target_text",
    "true_side",
    "unseen_cue",
    "view_matches",
]

# How the cue of a failing advice check begins: it is never a fault.
TIP = "Tip: "


def measure(
    pose: Pose,
    check: Check,
    sides: Mapping[str, str],
    facing: str | None,
    *,
    world: bool = False,
) -> tuple[float | None, tuple[float, float] | None]:
    """The check's value on this pose, or None when a point is not seen or undefined.

    ``world``: measure angles and inclinations on the model's 3D world
    landmarks instead of pixels (see `_uses_world`).
    """
    every = seen_groups(pose, check.points + (check.unit or ()), sides)
    if not all(every):
        return None, None
    groups, unit_groups = every[: len(check.points)], every[len(check.points) :]
    pts = [mean_xy(pose, g) for g in groups]
    anchor = pts[1] if check.kind == CheckKind.ANGLE else pts[0]
    anchor_px = (float(anchor[0]), float(anchor[1]))
    unit_len = 1.0
    if unit_groups:
        unit_len = float(
            np.linalg.norm(mean_xy(pose, unit_groups[0]) - mean_xy(pose, unit_groups[1]))
        )
        if unit_len <= 1e-6:
            return None, anchor_px
    value: float
    if check.kind == CheckKind.ANGLE:
        if world:
            wpts = [mean_world(pose, g) for g in groups]
            value = geometry.joint_angle_deg(wpts[0], wpts[1], wpts[2])
        else:
            value = geometry.joint_angle_deg(pts[0], pts[1], pts[2])
    elif check.kind == CheckKind.INCLINATION:
        if world:
            start, end = (mean_world(pose, g) for g in groups)
            value = geometry.inclination_3d_deg(start, end, check.reference)
        else:
            value = geometry.inclination_deg(pts[0], pts[1], check.reference)
    elif check.kind == CheckKind.ALIGNMENT:
        if facing is None:
            return None, anchor_px
        ahead = 1.0 if facing == "right" else -1.0
        value = float(pts[0][0] - pts[1][0]) * ahead / unit_len
    elif check.kind == CheckKind.HEIGHT:
        value = float(pts[1][1] - pts[0][1]) / unit_len  # image y points down
    elif check.kind == CheckKind.DISTANCE:
        value = float(np.linalg.norm(pts[0] - pts[1])) / unit_len
    else:  # spacing
        denominator = float(np.linalg.norm(pts[2] - pts[3]))
        if denominator <= 1e-6:
            return None, anchor_px
        value = float(np.linalg.norm(pts[0] - pts[1])) / denominator
    return (None if math.isnan(value) else value), anchor_px


def _uses_world(check: Check, view: View | None) -> bool:
    """Whether to measure this check on world landmarks in this view.

    In an oblique view the body's own plane (where a knee or hip bends) is
    turned 30-50 degrees from the image, so a pixel angle there is the
    foreshortened shadow of the real one. The world landmarks are 3D, and a
    3D angle does not change as the camera turns around the person: there
    they are the steadier measure. In a clean side or front view the pixels
    are measured directly and are the more precise (the model's depth is its
    weakest coordinate), so they are kept.
    """
    return view == View.OBLIQUE and check.kind.unit is Unit.DEG


def _applies(check: Check, view: View | None) -> bool:
    """Whether the check is judged in this view (a check naming no view: any)."""
    return not check.views or view_matches(view, check.views)


def _evaluate_checks(
    pose: Pose,
    checks: Sequence[Check],
    sides: Mapping[str, str],
    facing: str | None,
    previous: Mapping[str, Status] | None = None,
    view: View | None = None,
) -> list[CheckResult]:
    before = previous or {}
    return [
        judge(
            c,
            *measure(pose, c, sides, facing, world=_uses_world(c, view)),
            before.get(c.id),
            error_band(c, view),
        )
        for c in checks
    ]


def _fit_cost(results: Sequence[CheckResult]) -> float:
    # Unknown costs as much as a clear miss: an assignment whose points the
    # model cannot see is not a good fit.
    return sum(1.0 if r.status == Status.UNKNOWN else min(r.excess, 3.0) for r in results)


def _uses_roles(check: Check, roles: Sequence[str]) -> bool:
    return any(p.prefix in roles for p in check.points + (check.unit or ()))


def assign_roles(
    pose: Pose,
    reference: Reference,
    checks: Sequence[Check],
    facing: str | None,
    previous: Mapping[str, str] | None = None,
    margin: float = 0.25,
    view: View | None = None,
) -> dict[str, str]:
    """Give the reference's two roles to the body's two sides by best fit.

    Returns e.g. ``{"front": "left", "back": "right"}`` in the model's labels.
    With ``previous`` (the last frame's assignment), a switch needs to fit
    better by ``margin`` tolerances, so a near tie does not flicker.
    """
    if reference.roles is None:
        return {}
    first, second = reference.roles
    options = [{first: "left", second: "right"}, {first: "right", second: "left"}]
    role_checks = [c for c in checks if _uses_roles(c, reference.roles)]
    costs = [_fit_cost(_evaluate_checks(pose, role_checks, o, facing, view=view)) for o in options]
    best = 0 if costs[0] <= costs[1] else 1
    if previous is not None and dict(previous) in options:
        kept = options.index(dict(previous))
        if costs[kept] <= costs[best] + margin:
            best = kept
    return options[best]


def true_side(pose: Pose, model_side: str, facing: str | None, view: View | None) -> str:
    """The body side a model-labelled leg really is, judged by depth in a side view.

    In a side view the leg nearer the camera is the person's right leg when
    they face the image's right, and their left leg when they face left. When
    depth cannot tell the legs apart, the model's label stands.
    """
    if view != View.SIDE or facing is None:
        return model_side
    other = "right" if model_side == "left" else "left"
    z = pose.world_xyz_m[:, 2]
    dz = (
        float(
            z[side_landmark(model_side, "hip")]
            + z[side_landmark(model_side, "knee")]
            - z[side_landmark(other, "hip")]
            - z[side_landmark(other, "knee")]
        )
        / 2.0
    )
    if abs(dz) < 0.03:
        return model_side
    near = "right" if facing == "right" else "left"
    far = "left" if near == "right" else "right"
    return near if dz < 0 else far


def _blocks(check: Check) -> bool:
    return not check.advice


def form_score(results: Sequence[CheckResult]) -> int:
    """0-100: the blocking checks judged, weighted by priority; a pass counts fully, a
    borderline or fail less the further outside its range it is."""
    judged = [r for r in results if r.status != Status.UNKNOWN and _blocks(r.check)]
    if not judged:
        return 0
    weights = [1.0 / r.check.priority for r in judged]
    parts = [1.0 if r.status == Status.PASS else min(1.0, max(0.0, 1.0 - r.excess)) for r in judged]
    total = 100.0 * sum(w * p for w, p in zip(weights, parts, strict=True)) / sum(weights)
    return max(0, min(100, round(total)))


# What to call a landmark part in a "can't see" cue.
_PART_WORDS = {
    "ankle": "feet",
    "heel": "feet",
    "foot_index": "feet",
    "knee": "knees",
    "hip": "hips",
    "shoulder": "shoulders",
    "elbow": "arms",
    "wrist": "hands",
    "index": "hands",
    "pinky": "hands",
    "thumb": "hands",
}


def unseen_cue(unseen: Sequence[Check]) -> str:
    """What to say when checks cannot be judged because their points are not seen.

    The body part that most of those checks need is the likely culprit: with
    the feet hidden, every check that measures from the ankles goes unknown
    at once, whatever its vertex. Ties go to the most important check.
    """
    counts: dict[str, int] = {}
    for check in sorted(unseen, key=lambda c: c.priority):
        for part in dict.fromkeys(p.part for p in check.points + (check.unit or ())):
            counts[part] = counts.get(part, 0) + 1
    part = max(counts, key=lambda k: counts[k])  # the first of the most frequent
    words = _PART_WORDS.get(part, part.replace("_", " "))
    return f"I can't see your {words}: keep them in the picture and in good light"


@dataclass(frozen=True)
class Conclusion:
    aligned: bool
    score: int
    cue: str | None


def conclude(gates: Sequence[GateResult], results: Sequence[CheckResult]) -> Conclusion:
    """A frame's verdict from its gates and check results: the one place that says
    what aligned means, how the score is weighed and which cue wins.

    Aligned: every gate passes and every blocking check is good (pass or
    borderline). The cue, first match wins: a failing gate, a failing
    blocking check, a blocking check that cannot be seen, a borderline one,
    then an advice check as a tip; each by priority, the worst first.
    """

    def by_priority(found: Sequence[CheckResult]) -> list[CheckResult]:
        return sorted(found, key=lambda r: (r.check.priority, -r.excess))

    blocking = [r for r in results if _blocks(r.check)]
    failing_gates = [g for g in gates if not g.passed]
    failing = by_priority([r for r in blocking if r.status == Status.FAIL])
    unseen = by_priority([r for r in blocking if r.status == Status.UNKNOWN])
    borderline = by_priority([r for r in blocking if r.status == Status.BORDERLINE])
    advice = by_priority([r for r in results if not _blocks(r.check) and r.status == Status.FAIL])
    cue: str | None = None
    if failing_gates:
        cue = failing_gates[0].cue
    elif failing:
        cue = failing[0].cue
    elif unseen:
        cue = unseen_cue([r.check for r in unseen])
    elif borderline:
        cue = borderline[0].cue
    elif advice and advice[0].cue:
        cue = TIP + advice[0].cue[0].lower() + advice[0].cue[1:]
    gates_ok = not failing_gates
    aligned = gates_ok and bool(blocking) and all(is_good(r.status) for r in blocking)
    hard_gate_failed = any(r.check.gate for r in failing)
    score = 0 if not gates_ok or hard_gate_failed else form_score(results)
    return Conclusion(aligned, score, cue)


def evaluate(pose: Pose | None, reference: Reference, previous: Verdict | None = None) -> Verdict:
    """Judge one pose (None: no person) against one reference.

    In a stream, pass the last frame's verdict as ``previous``: roles and
    pass/fail then change only when the evidence is clearly better (hysteresis).
    """
    if pose is None:
        gate = GateResult("person", False, NO_PERSON_CUE)
        unknown = tuple(CheckResult(c, None, Status.UNKNOWN) for c in reference.checks)
        return Verdict(reference.id, False, None, None, (gate,), unknown, cue=NO_PERSON_CUE)

    view = geometry.camera_view(pose)
    position = geometry.body_position(pose)
    facing = geometry.facing_direction(pose)
    checks = [c for c in reference.checks if _applies(c, view)]

    previous_roles = previous.roles if previous is not None and previous.roles else None
    previous_status = (
        {r.check.id: r.status for r in previous.results} if previous is not None else None
    )
    roles = assign_roles(pose, reference, checks, facing, previous_roles, view=view)
    results = _evaluate_checks(pose, checks, roles, facing, previous_status, view)
    blocking = [r for r in results if _blocks(r.check)]
    gates = judge_gates(pose, reference, view, position, blocking, roles)
    passed = {g.id: g.passed for g in gates}
    if not (passed["view"] and passed["position"]):
        # Not judged: the values are kept for display, the verdicts are not given.
        results = [
            CheckResult(r.check, r.value, Status.UNKNOWN, None, 0.0, r.anchor_px) for r in results
        ]
    side = None
    if reference.roles is not None and reference.prescription.per_side:
        side = true_side(pose, roles[reference.roles[0]], facing, view)

    conclusion = conclude(gates, results)
    return Verdict(
        stretch=reference.id,
        person=True,
        view=view,
        position=position,
        gates=tuple(gates),
        results=tuple(results),
        roles=roles,
        side=side,
        aligned=conclusion.aligned,
        score=conclusion.score,
        cue=conclusion.cue,
    )


def restrict(verdict: Verdict, check_ids: Collection[str]) -> Verdict:
    """The verdict judged on these checks only, as one phase of a phased stretch
    is: the same gates, the other checks left out of alignment, score and cue."""
    results = tuple(r for r in verdict.results if r.check.id in check_ids)
    conclusion = conclude(verdict.gates, results)
    return replace(
        verdict,
        results=results,
        aligned=conclusion.aligned,
        score=conclusion.score,
        cue=conclusion.cue,
    )
