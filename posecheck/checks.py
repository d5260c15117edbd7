"""Form checks: one Pose against one Reference gives a Verdict.

Pure: no camera, no clock, no printing. The steps:

1. gates: a person in the picture, every point the checks use inside it,
   the camera view and the body position the stretch needs. A failing gate
   stops the judgement and its guidance becomes the cue;
2. roles: when the reference names two roles (front and back leg, working
   and resting leg), both ways of giving them to the body's two sides are
   tried and the one that fits the checks best is kept. MediaPipe's own left
   and right labels swap in side views, so they never decide a role;
3. checks: each gives a value, pass, fail or unknown (a point not seen), and
   the cue for the way it failed;
4. the verdict: aligned when every gate and check passes, a 0-100 score, and
   the one cue to show, by priority.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from posecheck import geometry
from posecheck.geometry import Position, View
from posecheck.landmarks import SIDES, Pose, PoseLandmark, side_landmark
from posecheck.reference import Check, CheckKind, Point, Reference

FloatArray = npt.NDArray[np.float64]


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    BORDERLINE = "borderline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CheckResult:
    """One check on one frame. ``value`` is in the kind's unit (degrees, body lengths, ratio).

    ``excess`` is how far outside the allowed range the value is, in
    tolerances (0 when it passes); it ranks faults and weighs the score.
    ``anchor_px`` is where a drawing of this check belongs (an angle's vertex).
    """

    check: Check
    value: float | None
    status: Status
    cue: str | None = None
    excess: float = 0.0
    anchor_px: tuple[float, float] | None = None


@dataclass(frozen=True)
class GateResult:
    id: str
    passed: bool
    cue: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The whole judgement of one frame against one stretch."""

    stretch: str
    person: bool
    view: View | None
    position: Position | None
    gates: tuple[GateResult, ...]
    results: tuple[CheckResult, ...]
    roles: Mapping[str, str] = field(default_factory=dict)
    side: str | None = None
    aligned: bool = False
    score: int = 0
    cue: str | None = None

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def to_json(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (the `check --json` fields after ``path``)."""
        return {
            "stretch": self.stretch,
            "person": self.person,
            "view": None if self.view is None else str(self.view),
            "position": None if self.position is None else str(self.position),
            "side": self.side,
            "roles": dict(self.roles),
            "aligned": self.aligned,
            "score": self.score,
            "gates": [{"id": g.id, "passed": g.passed, "cue": g.cue} for g in self.gates],
            "checks": [
                {
                    "id": r.check.id,
                    "label": r.check.label,
                    "status": str(r.status),
                    "value": None if r.value is None else round(r.value, 3),
                    "target": target_text(r.check),
                    "cue": r.cue,
                }
                for r in self.results
            ],
            "cue": self.cue,
        }


# Guidance for a failing gate, in our words.
VIEW_CUES = {
    View.SIDE: "Turn side-on to the camera",
    View.FRONT: "Face the camera, or put it at your feet if you are lying down",
    View.BACK: "Turn your back to the camera",
}
POSITION_CUES = {
    Position.STANDING: "Stand up to start this stretch",
    Position.KNEELING: "Get down onto your knees to start this stretch",
    Position.SEATED: "Sit on the floor to start this stretch",
    Position.SQUATTING: "Squat down to start this stretch",
    Position.SUPINE: "Lie on your back to start this stretch",
    Position.PRONE: "Lie face down to start this stretch",
    Position.SIDE_LYING: "Lie on your side to start this stretch",
}
NO_PERSON_CUE = "Step into the picture: no one is in view"

_LOWER_BODY = {"hip", "knee", "ankle", "heel", "foot_index"}
_HEAD = {"nose", "eye", "eye_inner", "eye_outer", "ear", "mouth"}

# The scale of "one tolerance" for ranges given as min/max only, per unit.
_NATURAL_SCALE = {"deg": 15.0, "len": 0.15, "ratio": 0.15}


def _landmarks_of(point: Point, sides: Mapping[str, str]) -> list[PoseLandmark]:
    if point.prefix is None:
        return [PoseLandmark[point.part.upper()]]
    if point.prefix == "mid":
        return [side_landmark(s, point.part) for s in SIDES]
    side = sides.get(point.prefix, point.prefix)
    return [side_landmark(side, point.part)]


def _xy(pose: Pose, landmarks: Sequence[PoseLandmark]) -> FloatArray:
    return np.asarray(pose.xy_px[list(landmarks)].mean(axis=0), dtype=np.float64)


def _in_frame(pose: Pose, landmarks: Sequence[PoseLandmark]) -> bool:
    w, h = pose.image_wh
    return all(0 <= pose.xy_px[lm][0] < w and 0 <= pose.xy_px[lm][1] < h for lm in landmarks)


def target_text(check: Check) -> str:
    """The allowed range in words a person reads, e.g. ``90 ± 15°`` or ``≤ 0.15 len``."""
    lim = check.limits
    unit = {"deg": "°", "len": " len", "ratio": ""}[_suffix(check)]
    if lim.target is not None and lim.tolerance is not None:
        return f"{lim.target:g} ± {lim.tolerance:g}{unit}"
    if lim.low is not None and lim.high is not None:
        return f"{lim.low:g} to {lim.high:g}{unit}"
    if lim.high is not None:
        return f"≤ {lim.high:g}{unit}"
    return f"≥ {lim.low:g}{unit}"


def _suffix(check: Check) -> str:
    if check.kind in (CheckKind.ANGLE, CheckKind.INCLINATION):
        return "deg"
    return "ratio" if check.kind == CheckKind.SPACING else "len"


def measure(
    pose: Pose, check: Check, sides: Mapping[str, str], facing: str | None
) -> tuple[float | None, tuple[float, float] | None]:
    """The check's value on this pose, or None when a point is not seen or undefined."""
    # A midpoint stands on the sides that are seen: in a side view the far
    # limb is often hidden, and the near one alone marks the joint.
    groups = [[lm for lm in _landmarks_of(p, sides) if pose.seen(lm)] for p in check.points]
    unit_groups = (
        [[lm for lm in _landmarks_of(p, sides) if pose.seen(lm)] for p in check.unit]
        if check.unit
        else []
    )
    if not all(groups) or not all(unit_groups):
        return None, None
    pts = [_xy(pose, g) for g in groups]
    anchor = pts[1] if check.kind == CheckKind.ANGLE else pts[0]
    anchor_px = (float(anchor[0]), float(anchor[1]))
    unit_len = 1.0
    if unit_groups:
        unit_len = float(np.linalg.norm(_xy(pose, unit_groups[0]) - _xy(pose, unit_groups[1])))
        if unit_len <= 1e-6:
            return None, anchor_px
    value: float
    if check.kind == CheckKind.ANGLE:
        value = geometry.joint_angle_deg(pts[0], pts[1], pts[2])
    elif check.kind == CheckKind.INCLINATION:
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


# Hysteresis: once passing, a check fails only this far (in tolerances)
# beyond its limit; once failing, it passes only this far inside it. A value
# sitting on the edge then does not toggle from frame to frame.
HYSTERESIS = 0.2


def judge(
    check: Check,
    value: float | None,
    anchor_px: tuple[float, float] | None = None,
    previous: Status | None = None,
) -> CheckResult:
    """Pass or fail a measured value against the check's limits.

    ``previous`` is this check's status on the last frame of a stream; with
    it the limits move by `HYSTERESIS` tolerances in favour of that status.
    """
    if value is None:
        return CheckResult(check, None, Status.UNKNOWN, anchor_px=anchor_px)
    lim = check.limits
    scale = lim.tolerance or _NATURAL_SCALE[_suffix(check)]
    shift = 0.0
    if previous == Status.PASS:
        shift = HYSTERESIS * scale
    elif previous == Status.FAIL:
        shift = -HYSTERESIS * scale
    if lim.high is not None and value > lim.high + shift:
        return CheckResult(
            check, value, Status.FAIL, check.cue_high, (value - lim.high) / scale, anchor_px
        )
    if lim.low is not None and value < lim.low - shift:
        return CheckResult(
            check, value, Status.FAIL, check.cue_low, (lim.low - value) / scale, anchor_px
        )
    return CheckResult(check, value, Status.PASS, anchor_px=anchor_px)


def _applies(check: Check, view: View | None) -> bool:
    return not check.views or view in check.views


def _evaluate_checks(
    pose: Pose,
    checks: Sequence[Check],
    sides: Mapping[str, str],
    facing: str | None,
    previous: Mapping[str, Status] | None = None,
) -> list[CheckResult]:
    before = previous or {}
    return [judge(c, *measure(pose, c, sides, facing), before.get(c.id)) for c in checks]


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
    costs = [_fit_cost(_evaluate_checks(pose, role_checks, o, facing)) for o in options]
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


def _out_of_frame_cue(missing: set[str]) -> str:
    if missing & _LOWER_BODY and missing & _HEAD:
        return "Move back so your whole body is in the picture"
    if missing & {"ankle", "heel", "foot_index"}:
        return "Move back: your feet are out of the picture"
    if missing & _LOWER_BODY:
        return "Move back: your legs are out of the picture"
    if missing & _HEAD:
        return "Move back: your head is out of the picture"
    return "Move back: your arms are out of the picture"


def _score(results: Sequence[CheckResult]) -> int:
    judged = [r for r in results if r.status != Status.UNKNOWN]
    if not judged:
        return 0
    weights = [1.0 / r.check.priority for r in judged]
    parts = [1.0 if r.status == Status.PASS else max(0.0, 1.0 - r.excess) for r in judged]
    return round(100.0 * sum(w * p for w, p in zip(weights, parts, strict=True)) / sum(weights))


def _unseen_cue(results: Sequence[CheckResult]) -> str | None:
    unknown = [r for r in results if r.status == Status.UNKNOWN]
    if not unknown:
        return None
    worst = min(unknown, key=lambda r: r.check.priority)
    part = worst.check.points[1 if worst.check.kind == CheckKind.ANGLE else 0].part
    return (
        f"I can't see your {part.replace('_', ' ')} clearly: check the light and the camera angle"
    )


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

    used_parts: set[tuple[str, str]] = set()
    for c in checks:
        for p in c.points + (c.unit or ()):
            used_parts.add((p.prefix or "", p.part))
    out_of_frame: set[str] = set()
    for prefix, part in used_parts:
        if prefix == "":
            lms = [PoseLandmark[part.upper()]]
        elif prefix in SIDES:
            lms = [side_landmark(prefix, part)]
        else:  # mid or a role: either side may be the one used
            lms = [side_landmark(s, part) for s in SIDES]
        if not _in_frame(pose, lms):
            out_of_frame.add(part)

    gates = [GateResult("person", True)]
    gates.append(
        GateResult(
            "in-frame", not out_of_frame, _out_of_frame_cue(out_of_frame) if out_of_frame else None
        )
    )
    view_ok = view in reference.views
    gates.append(GateResult("view", view_ok, None if view_ok else VIEW_CUES[reference.views[0]]))
    position_ok = position in reference.positions
    gates.append(
        GateResult(
            "position", position_ok, None if position_ok else POSITION_CUES[reference.positions[0]]
        )
    )

    previous_roles = previous.roles if previous is not None and previous.roles else None
    previous_status = (
        {r.check.id: r.status for r in previous.results} if previous is not None else None
    )
    roles = assign_roles(pose, reference, checks, facing, previous_roles)
    results = _evaluate_checks(pose, checks, roles, facing, previous_status)
    gates_ok = all(g.passed for g in gates)
    if not gates_ok:
        # Not judged: the values are kept for display, the verdicts are not given.
        results = [
            CheckResult(r.check, r.value, Status.UNKNOWN, None, 0.0, r.anchor_px) for r in results
        ]
    side = None
    if reference.roles is not None and reference.prescription.sides == "each":
        side = true_side(pose, roles[reference.roles[0]], facing, view)

    failing_gates = [g for g in gates if not g.passed]
    failing_checks = sorted(
        (r for r in results if r.status == Status.FAIL),
        key=lambda r: (r.check.priority, -r.excess),
    )
    cue: str | None
    if failing_gates:
        cue = failing_gates[0].cue
    elif failing_checks:
        cue = failing_checks[0].cue
    else:
        cue = _unseen_cue(results)
    hard_gates_failed = any(r.check.gate for r in failing_checks)
    aligned = gates_ok and bool(results) and all(r.status == Status.PASS for r in results)
    score = 0 if not gates_ok or hard_gates_failed else _score(results)
    return Verdict(
        stretch=reference.id,
        person=True,
        view=view,
        position=position,
        gates=tuple(gates),
        results=tuple(results),
        roles=roles,
        side=side,
        aligned=aligned,
        score=score,
        cue=cue,
    )
