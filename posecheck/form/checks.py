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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from posecheck.body import geometry
from posecheck.body.geometry import Position, View
from posecheck.body.landmarks import SIDES, VISIBLE, Pose, PoseLandmark, side_landmark
from posecheck.catalog.reference import Check, CheckKind, Point, Reference, Unit

FloatArray = npt.NDArray[np.float64]


class Status(StrEnum):
    """A check's result on one frame.

    Only FAIL is a fault. BORDERLINE is a value just outside the target but
    within the measurement error of it: it counts as good, and its cue is
    worded gently. UNKNOWN is "can't tell": a point is not seen well enough.
    """

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
                    "advice": r.check.advice,
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
_NATURAL_SCALE = {Unit.DEG: 15.0, Unit.LEN: 0.15, Unit.RATIO: 0.15}


def _landmarks_of(point: Point, sides: Mapping[str, str]) -> list[PoseLandmark]:
    if point.prefix is None:
        return [PoseLandmark[point.part.upper()]]
    if point.prefix == "mid":
        return [side_landmark(s, point.part) for s in SIDES]
    side = sides.get(point.prefix, point.prefix)
    return [side_landmark(side, point.part)]


def _side_of(landmark: PoseLandmark) -> str:
    return "left" if landmark.name.startswith("LEFT_") else "right"


def _xy(pose: Pose, landmarks: Sequence[PoseLandmark]) -> FloatArray:
    return np.asarray(pose.xy_px[list(landmarks)].mean(axis=0), dtype=np.float64)


def _world(pose: Pose, landmarks: Sequence[PoseLandmark]) -> FloatArray:
    return np.asarray(pose.world_xyz_m[list(landmarks)].mean(axis=0), dtype=np.float64)


def _in_frame(pose: Pose, landmarks: Sequence[PoseLandmark]) -> bool:
    w, h = pose.image_wh
    return all(0 <= pose.xy_px[lm][0] < w and 0 <= pose.xy_px[lm][1] < h for lm in landmarks)


def target_text(check: Check) -> str:
    """The allowed range in words a person reads, e.g. ``90 ± 15°`` or ``≤ 0.15 len``."""
    lim = check.limits
    unit = check.kind.unit.symbol
    if lim.target is not None and lim.tolerance is not None:
        return f"{lim.target:g} ± {lim.tolerance:g}{unit}"
    if lim.low is not None and lim.high is not None:
        return f"{lim.low:g} to {lim.high:g}{unit}"
    if lim.high is not None:
        return f"≤ {lim.high:g}{unit}"
    return f"≥ {lim.low:g}{unit}"


# A landmark the model scores between FAINT and VISIBLE is partly hidden: the
# far foot behind the near one in a side view, the feet tucked under the hips
# in a child's pose. Its position is still inferred from the rest of the
# body, so a check falls back on it, rather than giving "can't tell" on feet
# that are plainly there, when no landmark of that point is seen clearly.
# Those values are noisier (bench/error_bands.py: a height's p75 spread 0.15
# against 0.06 torso lengths), but they come out of the same model and are
# judged by the same limits. Below FAINT the point is unseen.
FAINT = 0.3


def _seen_groups(
    pose: Pose, points: Sequence[Point], sides: Mapping[str, str]
) -> list[list[PoseLandmark]]:
    """The landmarks each point stands on; an empty group is a point not seen.

    Each point uses the landmarks seen clearly, else those seen faintly. The
    midpoints of one check stand on the same sides where they can: the near
    leg's hip, knee and ankle, not the near knee with the far ankle.
    """

    def seen(lms: list[PoseLandmark]) -> list[PoseLandmark]:
        clear = [lm for lm in lms if pose.seen(lm)]
        return clear or [lm for lm in lms if pose.seen(lm, FAINT)]

    groups = [seen(_landmarks_of(p, sides)) for p in points]
    mids = [i for i, p in enumerate(points) if p.prefix == "mid"]
    if len(mids) < 2:
        return groups

    def on(side: str, threshold: float) -> bool:
        return all(pose.seen(side_landmark(side, points[i].part), threshold) for i in mids)

    shared = [s for s in SIDES if on(s, VISIBLE)]
    if not shared:
        faint = [s for s in SIDES if on(s, FAINT)]

        def weakest(side: str) -> float:
            return min(float(pose.visibility[side_landmark(side, points[i].part)]) for i in mids)

        shared = [max(faint, key=weakest)] if faint else []
    if shared:
        for i in mids:
            groups[i] = [side_landmark(s, points[i].part) for s in shared]
    return groups


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
    every = _seen_groups(pose, check.points + (check.unit or ()), sides)
    if not all(every):
        return None, None
    groups, unit_groups = every[: len(check.points)], every[len(check.points) :]
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
        if world:
            wpts = [_world(pose, g) for g in groups]
            value = geometry.joint_angle_deg(wpts[0], wpts[1], wpts[2])
        else:
            value = geometry.joint_angle_deg(pts[0], pts[1], pts[2])
    elif check.kind == CheckKind.INCLINATION:
        if world:
            start, end = (_world(pose, g) for g in groups)
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


# The measurement error band of each check kind, in the kind's unit: how far
# a value moves when the same pose is photographed again (mirrored, scaled
# 0.7-1.3, rotated by 10 degrees, brightness 30% up or down, cropped). A value
# outside its limits by no more than this is BORDERLINE, not a fault.
#
# Measured by bench/error_bands.py on the 51 labelled photos in
# ../shared/data/fedb (459 model runs, 2026-12-01): for each check of each
# stretch whose gates the original photo passes, each re-photograph's distance
# from the median of its nine values. The band is the 75th percentile, by
# kind and camera view (a view with fewer than 50 values takes the kind's
# figure over all views, the None entry). Not the 90th: the spread is heavy-
# tailed (p90 is 2-3 times p75: side angles 9.1 against 3.1 degrees, knee over
# toe 0.19 against 0.097 shin lengths), and a band that wide would let a knee
# a fifth of a shin further past the toes count as "nearly there".
ERROR_BANDS: dict[CheckKind, dict[View | None, float]] = {
    CheckKind.ANGLE: {None: 3.6, View.SIDE: 3.1, View.FRONT: 7.5, View.OBLIQUE: 7.5},
    CheckKind.INCLINATION: {None: 7.2, View.SIDE: 7.1, View.OBLIQUE: 7.7},
    CheckKind.ALIGNMENT: {None: 0.095, View.SIDE: 0.097},
    CheckKind.HEIGHT: {None: 0.072, View.SIDE: 0.065},
    CheckKind.DISTANCE: {None: 0.082, View.SIDE: 0.068, View.FRONT: 0.13},
    CheckKind.SPACING: {None: 0.13, View.FRONT: 0.11},
}


def error_band(check: Check, view: View | None = None) -> float:
    """The measurement error of this check's value in this view (the kind's unit)."""
    bands = ERROR_BANDS[check.kind]
    return bands.get(view, bands[None])


# Hysteresis: once a check is passing or borderline, it fails only this far
# (a share of its error band) beyond the borderline band, so a value on that
# edge does not toggle from frame to frame. It only ever widens the good
# side: a value inside the limits is a pass whatever the last frame said.
HYSTERESIS = 0.25

# How a borderline cue begins: gentle, since it is not a fault.
NEARLY = "Nearly there: "


# How the cue of a failing advice check begins: it is never a fault.
TIP = "Tip: "


def _gentle(cue: str | None) -> str | None:
    if cue is None:
        return None
    return NEARLY + cue[0].lower() + cue[1:]


def judge(
    check: Check,
    value: float | None,
    anchor_px: tuple[float, float] | None = None,
    previous: Status | None = None,
    band: float | None = None,
) -> CheckResult:
    """Pass, borderline or fail a measured value against the check's limits.

    ``band`` is the measurement error of the value (default: `error_band` of
    the kind): a value outside the limits by no more than that is borderline.
    ``previous`` is this check's status on the last frame of a stream; after a
    pass or borderline, the fail edge moves out by `HYSTERESIS` of the band.
    """
    if value is None:
        return CheckResult(check, None, Status.UNKNOWN, anchor_px=anchor_px)
    lim = check.limits
    scale = lim.tolerance or _NATURAL_SCALE[check.kind.unit]
    margin = error_band(check) if band is None else band
    over = value - lim.high if lim.high is not None else -math.inf
    under = lim.low - value if lim.low is not None else -math.inf
    outside = max(over, under)
    if outside <= 0.0:
        return CheckResult(check, value, Status.PASS, anchor_px=anchor_px)
    cue = check.cue_high if over >= under else check.cue_low
    excess = outside / scale
    fail_edge = margin
    if previous in (Status.PASS, Status.BORDERLINE):
        fail_edge += HYSTERESIS * margin
    if outside <= fail_edge:
        return CheckResult(check, value, Status.BORDERLINE, _gentle(cue), excess, anchor_px)
    return CheckResult(check, value, Status.FAIL, cue, excess, anchor_px)


# Front and back stand in for each other: both see the body's full width, so
# a check meant for one measures the same widths and bends from the other,
# and the model tells them apart by the nose's depth, which a bowed head (a
# forward fold) gets wrong.
_SAME_WIDTH = {View.FRONT: View.BACK, View.BACK: View.FRONT}


def view_matches(view: View | None, wanted: Sequence[View]) -> bool:
    """Whether checks meant for the ``wanted`` views can be judged from ``view``.

    Oblique, between side and front, judges both (with world angles); front
    and back judge each other's checks.
    """
    if view is None:
        return False
    return view in wanted or view == View.OBLIQUE or _SAME_WIDTH.get(view) in wanted


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


def _blocks(check: Check) -> bool:
    return not check.advice


def is_good(status: Status) -> bool:
    """A result that does not block the hold: judged, and not a fail.

    Only a fail blocks; a borderline value (within the measurement error of
    its target) counts as good, and "can't tell" is not good.
    """
    return status in (Status.PASS, Status.BORDERLINE)


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


# Positions where the body is upright on its feet; the rest are on the floor.
_UPRIGHT = {Position.STANDING, Position.SQUATTING}
_LYING = {Position.SUPINE, Position.PRONE, Position.SIDE_LYING}

# With the body position not the one the reference names, the stretch's own
# shape decides, but only on enough evidence: at least this many of its
# blocking checks judged (or all of them, when it has fewer).
MIN_SHAPE_CHECKS = 2

# The classes the position classifier gives a body that is really in the
# named one, as seen on real bodies (issue 15) and on the labelled photos
# (the misreadings listed in tests/test_geometry.py). A stretch named for one
# is judged by its own checks when the classifier says one of these. Other
# classes, such as lying on the back for a kneeling lunge, stay a gate: the
# measured false accepts rise without it.
CONFUSED_WITH: dict[Position, frozenset[Position]] = {
    # A child's pose's flat torso reads prone; sitting back on the heels, seated.
    Position.KNEELING: frozenset({Position.PRONE, Position.SEATED}),
    # A figure-4 flickers to prone, a supine twist reads side-lying. (A knee
    # hug filmed from the feet reads standing, but that view cannot judge it;
    # and standing for a lying stretch lets a standing lunge or knee hug
    # through, which the shape checks alone do not reject.)
    Position.SUPINE: frozenset({Position.PRONE, Position.SIDE_LYING}),
    # A seated 90-90 reads standing; a butterfly from the front, squatting or
    # kneeling (a forward fold).
    Position.SEATED: frozenset({Position.STANDING, Position.SQUATTING, Position.KNEELING}),
    Position.PRONE: frozenset({Position.KNEELING, Position.SUPINE, Position.SIDE_LYING}),
    Position.SIDE_LYING: frozenset({Position.SUPINE, Position.PRONE}),
    Position.STANDING: frozenset({Position.SQUATTING}),
    Position.SQUATTING: frozenset({Position.STANDING, Position.SEATED}),
}


def _position_plausible(reference: Reference, position: Position) -> bool:
    """Whether the classified position may be one the stretch names, misread."""
    return any(position in CONFUSED_WITH[p] for p in reference.positions)


def _clearly_elsewhere(pose: Pose, reference: Reference, position: Position) -> bool:
    """Whether the body is plainly in another posture than any the stretch can take.

    A coarse sanity gate only: standing straight up for a floor stretch, or
    lying down for a standing one. The classifier's finer classes (kneeling
    or prone, seated or standing) are evidence, not a verdict: a child's pose
    whose flat torso reads as prone is still a kneeling fold, so the
    stretch's own checks judge it.
    """
    wanted = set(reference.positions)
    if not wanted & _UPRIGHT:
        return geometry.clearly_standing(pose)
    if wanted <= _UPRIGHT:
        return position in _LYING
    return False


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
    judged = [r for r in blocking if r.status != Status.UNKNOWN]

    # Gates. View: one the reference names, or oblique (between side and
    # front; judged with world angles). Position: one the reference names, or
    # one the classifier is known to confuse with it while enough of the
    # stretch's own checks can be judged; and never plainly standing for a
    # floor stretch.
    view_ok = view_matches(view, reference.views)
    position_named = position in reference.positions
    enough = len(judged) >= min(MIN_SHAPE_CHECKS, len(blocking)) and bool(blocking)
    position_ok = not _clearly_elsewhere(pose, reference, position) and (
        position_named or (enough and _position_plausible(reference, position))
    )
    out_of_frame: set[str] = set()
    for r in blocking:
        if r.status != Status.UNKNOWN:
            continue
        for p in r.check.points + (r.check.unit or ()):
            lms = _landmarks_of(p, roles)
            if not any(_in_frame(pose, [lm]) for lm in lms):
                out_of_frame.add(p.part)
    gates = [
        GateResult("person", True),
        GateResult(
            "in-frame", not out_of_frame, _out_of_frame_cue(out_of_frame) if out_of_frame else None
        ),
        GateResult("view", view_ok, None if view_ok else VIEW_CUES[reference.views[0]]),
        GateResult(
            "position",
            position_ok,
            None if position_ok else POSITION_CUES[reference.positions[0]],
        ),
    ]
    if not (view_ok and position_ok):
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
