"""Stick-figure bodies for tests: a full 33-landmark `Pose` for the correct
position of every stretch in the catalog, and a few named faults.

A body is built in three steps, each usable on its own:

1. A `Figure`: where the body is, as directions of its segments (torso, each
   thigh, shin, foot, upper arm and forearm) in the body's own frame, in
   metres: ``forward`` (the way a standing person faces; for a person lying
   down, toward the feet), ``up``, and ``left`` (the person's left). `aim`
   turns an elevation and a heading in degrees into such a direction.
2. `place` chains the segments with the limb lengths of `LIMBS` from the
   pelvis outward, and adds the face, hands and feet, giving all 33 points.
3. `pose` looks at those points from a camera (`side`, `side-left`, `front`,
   `back`), and fills both the pixel landmarks and the world landmarks
   (metres, camera axes) the way the estimator does, so view, position,
   facing and every check are measured on it as on a real frame.

`correct_pose(id)` is a stretch's good position in its own view;
`fault_pose(id, name)` one of its named faults, with `FAULTS[id][name].fails`
the check id (or ``gate:<id>``) that must catch it. Recordings over time are
sequences of poses: vary a figure's parameters frame by frame and give each
`pose` its ``timestamp_ms``, or write a landmark recording of a script of
figures with `recording`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import NUM_LANDMARKS, Detection, Pose, PoseLandmark
from posecheck.io.recording import RecordingWriter

Vec = npt.NDArray[np.float64]
FORWARD = np.array([1.0, 0.0, 0.0])
UP = np.array([0.0, 1.0, 0.0])
LEFT = np.array([0.0, 0.0, 1.0])
DOWN = -UP
BACK = -FORWARD


def aim(elevation_deg: float, heading_deg: float = 0.0) -> Vec:
    """A unit direction ``elevation_deg`` above the horizontal (-90 is straight
    down), turned ``heading_deg`` from forward toward the left (180 is back,
    90 is out to the left, -90 to the right)."""
    e, h = math.radians(elevation_deg), math.radians(heading_deg)
    return np.array([math.cos(e) * math.cos(h), math.sin(e), math.cos(e) * math.sin(h)])


def unit(v: npt.ArrayLike) -> Vec:
    a = np.asarray(v, dtype=np.float64)
    n = float(np.linalg.norm(a))
    if n == 0:
        raise ValueError("a direction must not be zero")
    return a / n


@dataclass(frozen=True)
class Limbs:
    """Segment lengths of an adult of about 1.75 m, in metres."""

    torso: float = 0.50  # mid-hip to mid-shoulder
    hip_width: float = 0.20
    shoulder_width: float = 0.36
    neck: float = 0.20  # mid-shoulder to the centre of the head
    upper_arm: float = 0.29
    forearm: float = 0.26
    thigh: float = 0.44
    shin: float = 0.42
    foot: float = 0.17  # ankle to the toes
    heel: float = 0.06


LIMBS = Limbs()


@dataclass(frozen=True)
class Leg:
    thigh: Vec  # hip to knee
    shin: Vec  # knee to ankle
    foot: Vec  # ankle to toes


@dataclass(frozen=True)
class Arm:
    upper: Vec  # shoulder to elbow
    fore: Vec  # elbow to wrist


def standing_leg() -> Leg:
    return Leg(aim(-90), aim(-90), aim(0))


def hanging_arm() -> Arm:
    return Arm(aim(-90), aim(-90))


@dataclass(frozen=True)
class Figure:
    """A body as segment directions in its own frame (see the module doc)."""

    torso: Vec = field(default_factory=lambda: aim(90))  # mid-hip to mid-shoulder
    face: Vec = field(default_factory=lambda: aim(0))  # where the face points
    legs: Mapping[str, Leg] = field(
        default_factory=lambda: {"left": standing_leg(), "right": standing_leg()}
    )
    arms: Mapping[str, Arm] = field(
        default_factory=lambda: {"left": hanging_arm(), "right": hanging_arm()}
    )
    hips_left: Vec = field(default_factory=lambda: LEFT.copy())  # across the hips, to the left
    shoulders_left: Vec | None = None  # across the shoulders; None: as the hips
    neck: Vec | None = None  # mid-shoulder to the head; None: along the torso
    limbs: Limbs = LIMBS

    def with_leg(self, side: str, **parts: Vec) -> Figure:
        legs = dict(self.legs)
        legs[side] = replace(legs[side], **parts)
        return replace(self, legs=legs)

    def with_arm(self, side: str, **parts: Vec) -> Figure:
        arms = dict(self.arms)
        arms[side] = replace(arms[side], **parts)
        return replace(self, arms=arms)


def _perpendicular(v: Vec, to: Vec) -> Vec:
    """The part of ``v`` at right angles to ``to``, as a unit vector."""
    t = unit(to)
    return unit(v - float(np.dot(v, t)) * t)


def place(fig: Figure) -> dict[PoseLandmark, Vec]:
    """All 33 points of the figure in its body frame, metres, the mid-hip at the origin."""
    lb = fig.limbs
    lm = PoseLandmark
    out: dict[PoseLandmark, Vec] = {}
    torso = unit(fig.torso)
    hips_left = _perpendicular(unit(fig.hips_left), torso)
    shoulders_left = (
        hips_left if fig.shoulders_left is None else _perpendicular(unit(fig.shoulders_left), torso)
    )
    mid_shoulder = torso * lb.torso
    sign = {"left": 1.0, "right": -1.0}
    for side, s in sign.items():
        up = side.upper()
        hip = s * hips_left * lb.hip_width / 2
        shoulder = mid_shoulder + s * shoulders_left * lb.shoulder_width / 2
        leg, arm = fig.legs[side], fig.arms[side]
        knee = hip + unit(leg.thigh) * lb.thigh
        ankle = knee + unit(leg.shin) * lb.shin
        foot = unit(leg.foot)
        sole = _perpendicular(unit(leg.shin), foot)
        elbow = shoulder + unit(arm.upper) * lb.upper_arm
        fore = unit(arm.fore)
        wrist = elbow + fore * lb.forearm
        out[lm[f"{up}_HIP"]] = hip
        out[lm[f"{up}_KNEE"]] = knee
        out[lm[f"{up}_ANKLE"]] = ankle
        out[lm[f"{up}_FOOT_INDEX"]] = ankle + foot * lb.foot
        out[lm[f"{up}_HEEL"]] = ankle - foot * lb.heel + sole * 0.05
        out[lm[f"{up}_SHOULDER"]] = shoulder
        out[lm[f"{up}_ELBOW"]] = elbow
        out[lm[f"{up}_WRIST"]] = wrist
        out[lm[f"{up}_INDEX"]] = wrist + fore * 0.08
        out[lm[f"{up}_PINKY"]] = wrist + fore * 0.07 - s * shoulders_left * 0.02
        out[lm[f"{up}_THUMB"]] = wrist + fore * 0.05 + s * shoulders_left * 0.02
    face = _perpendicular(unit(fig.face), shoulders_left)
    head = mid_shoulder + (torso if fig.neck is None else unit(fig.neck)) * lb.neck
    crown = _perpendicular(torso, face)
    out[lm.NOSE] = head + face * 0.09
    for side, s in sign.items():
        up = side.upper()
        across = s * shoulders_left
        out[lm[f"{up}_EAR"]] = head + across * 0.07 - face * 0.01
        eye = head + face * 0.07 + crown * 0.03
        out[lm[f"{up}_EYE"]] = eye + across * 0.03
        out[lm[f"{up}_EYE_INNER"]] = eye + across * 0.015
        out[lm[f"{up}_EYE_OUTER"]] = eye + across * 0.045
        out[lm[f"MOUTH_{up}"]] = head + face * 0.08 - crown * 0.04 + across * 0.025
    return out


# Body frame (forward, up, left) to camera axes (x right, y down, z away), per view.
_VIEWS: dict[str, Callable[[Vec], Vec]] = {
    # Facing the image's right: the left side is the far one.
    "side": lambda p: np.array([p[0], -p[1], p[2]]),
    "side-left": lambda p: np.array([-p[0], -p[1], -p[2]]),
    # Facing the camera (lying down: the feet toward it); the left side is on the image's right.
    "front": lambda p: np.array([p[2], -p[1], -p[0]]),
    "back": lambda p: np.array([-p[2], -p[1], p[0]]),
}
VIEWS = tuple(_VIEWS)


def pose(
    fig: Figure,
    view: str = "side",
    wh: tuple[int, int] = (1280, 720),
    *,
    fill: float = 0.7,
    tilt_deg: float = 0.0,
    timestamp_ms: int = 0,
    visibility: Mapping[PoseLandmark, float] | None = None,
) -> Pose:
    """The figure seen from ``view``: the body fills ``fill`` of the picture's
    width or height, whichever it reaches first, centred. ``tilt_deg`` raises
    the camera to look down on the body by that many degrees."""
    if view not in _VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)} (got {view!r})")
    points = place(fig)
    world = np.zeros((NUM_LANDMARKS, 3))
    for landmark, p in points.items():
        world[landmark] = _VIEWS[view](p)
    if tilt_deg:
        t = math.radians(tilt_deg)
        y, z = world[:, 1].copy(), world[:, 2].copy()
        # Looking down: what is nearer the camera sits lower in the picture.
        world[:, 1] = y * math.cos(t) - z * math.sin(t)
        world[:, 2] = y * math.sin(t) + z * math.cos(t)
    x0, y0 = world[:, 0].min(), world[:, 1].min()
    x1, y1 = world[:, 0].max(), world[:, 1].max()
    w, h = wh
    scale = fill * min(w / max(x1 - x0, 1e-6), h / max(y1 - y0, 1e-6))
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    xy = (world[:, :2] - centre) * scale + np.array([w / 2, h / 2])
    vis = np.ones(NUM_LANDMARKS)
    for landmark, v in (visibility or {}).items():
        vis[landmark] = v
    return Pose(
        xy_px=xy,
        z_px=world[:, 2] * scale,
        world_xyz_m=world,
        visibility=vis,
        presence=np.ones(NUM_LANDMARKS),
        image_wh=wh,
        timestamp_ms=timestamp_ms,
    )


# --- building a leg or an arm toward points -------------------------------------


def hip_at(side: str, limbs: Limbs = LIMBS) -> Vec:
    """Where a hip sits in the body frame (hips level, across the left axis)."""
    return LEFT * (limbs.hip_width / 2) * (1.0 if side == "left" else -1.0)


def shoulder_at(side: str, torso: Vec, limbs: Limbs = LIMBS) -> Vec:
    s = 1.0 if side == "left" else -1.0
    return unit(torso) * limbs.torso + _perpendicular(LEFT, torso) * (limbs.shoulder_width / 2) * s


def leg_toward(
    side: str, knee: npt.ArrayLike, ankle: npt.ArrayLike, foot: Vec | None = None
) -> Leg:
    """A leg whose thigh points from the hip toward ``knee`` and whose shin points
    from where that knee lands toward ``ankle`` (points in metres, body frame)."""
    hip = hip_at(side)
    thigh = unit(np.asarray(knee, dtype=np.float64) - hip)
    knee_at = hip + thigh * LIMBS.thigh
    shin = unit(np.asarray(ankle, dtype=np.float64) - knee_at)
    return Leg(thigh, shin, aim(0) if foot is None else foot)


def arm_toward(side: str, torso: Vec, elbow: npt.ArrayLike, wrist: npt.ArrayLike) -> Arm:
    shoulder = shoulder_at(side, torso)
    upper = unit(np.asarray(elbow, dtype=np.float64) - shoulder)
    elbow_at = shoulder + upper * LIMBS.upper_arm
    return Arm(upper, unit(np.asarray(wrist, dtype=np.float64) - elbow_at))


def _rotate(v: Vec, axis: Vec, angle_deg: float) -> Vec:
    """``v`` turned ``angle_deg`` about ``axis`` (right-handed)."""
    k, a = unit(axis), math.radians(angle_deg)
    return np.asarray(
        v * math.cos(a)
        + np.cross(k, v) * math.sin(a)
        + k * float(np.dot(k, v)) * (1 - math.cos(a)),
        dtype=np.float64,
    )


def turned_leg(leg: Leg, axis: Vec, angle_deg: float) -> Leg:
    return Leg(*(_rotate(v, axis, angle_deg) for v in (leg.thigh, leg.shin, leg.foot)))


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def both(front: str, front_part: Leg, back_part: Leg) -> dict[str, Leg]:
    """Both legs, the ``front`` one (left or right) getting ``front_part``."""
    return {front: front_part, other(front): back_part}


def arms_both(arm: Arm) -> dict[str, Arm]:
    return {"left": arm, "right": arm}


def mirrored(fig: Figure) -> Figure:
    """The same body with left and right swapped (the other side's rep)."""

    def flip(v: Vec) -> Vec:
        return np.array([v[0], v[1], -v[2]])

    legs = {other(s): Leg(flip(g.thigh), flip(g.shin), flip(g.foot)) for s, g in fig.legs.items()}
    arms = {other(s): Arm(flip(a.upper), flip(a.fore)) for s, a in fig.arms.items()}
    shoulders = None if fig.shoulders_left is None else -flip(fig.shoulders_left)
    return replace(
        fig,
        torso=flip(fig.torso),
        face=flip(fig.face),
        legs=legs,
        arms=arms,
        shoulders_left=shoulders,
    )


# --- the positions ------------------------------------------------------------
#
# Each builder takes the numbers that tell a good pose from a faulty one, with
# the good values as defaults; a fault is the same builder with other numbers.
# Lying bodies lie with the head toward -forward (face up) or +forward (face
# down), so "forward" runs toward the feet of a body lying on its back.


def half_kneel(
    *,
    front_thigh: float = 0.0,
    front_shin: float = -90.0,
    back_thigh: float = -70.0,
    torso: float = 90.0,
    arm_up: bool = False,
) -> Figure:
    """Kneeling on the right (back) knee, the left (front) foot planted; elevations
    in degrees. ``front_shin`` -90 is a vertical shin; -60 sets the foot 30
    degrees ahead (the knee behind the ankle), -120 leans the knee 30 degrees
    past the ankle."""
    shin = aim(front_shin) if front_shin >= -90 else aim(-180 - front_shin, 180)
    front_leg = Leg(aim(front_thigh), shin, aim(0))
    back_leg = Leg(aim(back_thigh, 180), aim(-5, 180), aim(-10, 180))
    arms = arms_both(hanging_arm())
    if arm_up:
        arms = {"left": hanging_arm(), "right": Arm(aim(80), aim(85))}
    return Figure(torso=aim(torso), legs=both("left", front_leg, back_leg), arms=arms)


def ninety_ninety_hip_flexor(**kw: float) -> Figure:
    args: dict[str, float] = {"back_thigh": -88.0}
    args.update(kw)
    return half_kneel(arm_up=True, **args)


def side_bend(*, bend: float = 20.0, kneel: bool = True) -> Figure:
    """The 90-90 kneel seen from the front, the trunk bent ``bend`` degrees to the
    front leg's side; ``kneel`` False lifts the back knee off the floor."""
    fig = half_kneel(back_thigh=-88.0, arm_up=True)
    if not kneel:
        fig = fig.with_leg("right", thigh=aim(-20, 180), shin=aim(-85, 180))
    return replace(fig, torso=aim(90 - bend, 90))


def low_lunge(
    *, front_shin: float = -90.0, back_thigh: float = -45.0, front_thigh: float = 15.0
) -> Figure:
    return half_kneel(
        front_thigh=front_thigh, front_shin=front_shin, back_thigh=back_thigh, torso=85.0
    )


def assisted_kneel(*, back_knee: float = 35.0, foot_up: bool = True) -> Figure:
    """Half-kneeling, the back shin up a couch: ``back_knee`` is the back knee's
    inside angle (180 straight); ``foot_up`` False lays the back shin on the floor."""
    fig = half_kneel(back_thigh=-75.0, torso=85.0)
    if not foot_up:
        return fig
    # The shin turns from the thigh's line, behind and up.
    elevation = -75.0 + (180.0 - back_knee)
    shin = aim(180.0 - elevation, 0) if elevation > 90 else aim(elevation, 180)
    return fig.with_leg("right", shin=shin, foot=aim(-20, 180))


def lunge_stretch(*, back_thigh: float = -50.0, front_reach: float = 0.0) -> Figure:
    """Kneeling lunge, leaning forward; ``front_reach`` below 0 draws the front foot
    back toward the kneeling knee (degrees the front shin tips back)."""
    return half_kneel(
        back_thigh=back_thigh, front_thigh=10.0, front_shin=-75.0 - front_reach, torso=75.0
    )


def runners_lunge(*, front_shin: float = -85.0, back_knee: float = 170.0) -> Figure:
    """Deep lunge on the back toes, hands down by the front foot."""
    back_thigh = aim(-35, 180)
    back_shin = aim(-35 + (180.0 - back_knee), 180)
    front_leg = Leg(aim(-5), aim(front_shin), aim(0))
    back_leg = Leg(back_thigh, back_shin, aim(-70, 180))
    torso = aim(35)
    return Figure(
        torso=torso,
        face=aim(-20),
        legs=both("left", front_leg, back_leg),
        arms=arms_both(Arm(aim(-85), aim(-85))),
    )


def kneeling_fold(
    *, hips_up: float = 0.0, wide: bool = False, reach: bool = False, torso: float = -10.0
) -> Figure:
    """Kneeling fold (child's pose): ``hips_up`` lifts the seat off the heels by
    steepening the thighs (degrees); ``wide`` spreads the knees; ``reach``
    stretches the arms forward along the floor."""
    spread = 35.0 if wide else 0.0
    shin, foot = aim(-3, 180), aim(-10, 180)
    fold = {
        "left": Leg(aim(-17 - hips_up, spread), shin, foot),
        "right": Leg(aim(-17 - hips_up, -spread), shin, foot),
    }
    arm = Arm(aim(-5), aim(-5)) if reach else Arm(aim(-20, 180), aim(-10, 180))
    return Figure(torso=aim(torso), face=aim(-80), legs=fold, arms=arms_both(arm))


def wide_child_pose(*, hips_up: float = 35.0, reach: bool = True, torso: float = -20.0) -> Figure:
    return kneeling_fold(hips_up=hips_up, wide=True, reach=reach, torso=torso)


def supine(
    *,
    left: Leg | None = None,
    right: Leg | None = None,
    arms: Mapping[str, Arm] | None = None,
    torso: Vec | None = None,
    neck: Vec | None = None,
) -> Figure:
    """Lying on the back, the head toward -forward, legs long unless given."""
    long_leg = Leg(aim(0), aim(0), aim(80))
    return Figure(
        torso=aim(0, 180) if torso is None else torso,
        face=aim(90),
        neck=neck,
        legs={"left": left or long_leg, "right": right or long_leg},
        arms=arms if arms is not None else arms_both(Arm(aim(-5), aim(0))),
    )


def knees_up_leg(spread: float = 0.0) -> Leg:
    """A leg of a body on its back with the knee bent and the foot flat on the floor."""
    return Leg(aim(50, spread), aim(-58, spread), aim(10, spread))


def knee_drops(*, drop: float = 70.0, toward: str = "left", bent: bool = True) -> Figure:
    """On the back, knees bent and feet wide, both knees dropped ``drop`` degrees
    toward ``toward``'s side; ``bent`` False lies flat."""
    if not bent:
        return supine()
    turn = drop if toward == "left" else -drop
    dropped = {}
    for side in ("left", "right"):
        base = knees_up_leg(12.0 if side == "left" else -12.0)
        axis = base.thigh * LIMBS.thigh + base.shin * LIMBS.shin  # hip to foot
        dropped[side] = Leg(
            _rotate(base.thigh, axis, turn), _rotate(base.shin, axis, turn), base.foot
        )
    return supine(left=dropped["left"], right=dropped["right"])


def bridge(*, lift: float = 25.0, knee_spread: float = 0.0) -> Figure:
    """On the back, the hips lifted ``lift`` degrees (torso slope); feet flat, the
    heels drawn in; ``knee_spread`` lets the knees fall out (degrees)."""
    torso = aim(-lift, 180)
    thigh_elevation = max(lift - 5.0, 0.0)

    def leg(side: str) -> Leg:
        s = 1.0 if side == "left" else -1.0
        return Leg(aim(thigh_elevation, s * knee_spread), aim(-70, 180), aim(0))

    return supine(
        left=leg("left"),
        right=leg("right"),
        torso=torso,
        neck=aim(5, 180),
        arms=arms_both(Arm(aim(-20), aim(-5))),
    )


def knee_to_chest(*, hug: float = 125.0, other_bent: bool = False) -> Figure:
    """On the back, the left hip flexed ``hug`` degrees (knee toward the chest),
    the right leg long (or bent, foot flat)."""
    working = Leg(aim(180 - hug, 180) if hug > 90 else aim(hug), aim(-40), aim(60))
    resting = knees_up_leg() if other_bent else None
    return supine(left=working, right=resting, arms=arms_both(Arm(aim(40), aim(30))))


def figure_four_legs(*, crossed: bool = True, draw_in: float = 80.0) -> dict[str, Leg]:
    """The right leg supports (knee bent, thigh drawn in ``draw_in`` degrees), the
    left ankle rests across the right knee."""
    resting = Leg(aim(draw_in), aim(0 if draw_in <= 90 else -20), aim(80))
    knee = hip_at("right") + unit(resting.thigh) * LIMBS.thigh
    if crossed:
        working = leg_toward(
            "left",
            knee + np.array([0.0, 0.12, 0.38]),
            knee + np.array([0.0, 0.0, 0.02]),
            aim(0, -90),
        )
    else:
        working = Leg(aim(draw_in, 10), resting.shin, resting.foot)
    return {"left": working, "right": resting}


def supine_legs(legs: Mapping[str, Leg]) -> Figure:
    return supine(left=legs["left"], right=legs["right"])


def supine_figure_4(*, crossed: bool = True) -> Figure:
    return supine_legs(figure_four_legs(crossed=crossed))


def figure_4_twist(*, lower: float = 70.0, crossed: bool = True) -> Figure:
    """The figure 4 legs lowered ``lower`` degrees toward the supporting (right) leg's side."""
    points = place(supine_legs(figure_four_legs(crossed=crossed)))
    legs = {}
    for side in ("left", "right"):
        up = side.upper()
        knee, ankle = (
            _rotate(points[PoseLandmark[f"{up}_{part}"]], FORWARD, -lower)
            for part in ("KNEE", "ANKLE")
        )
        legs[side] = leg_toward(side, knee, ankle, aim(0, -90))
    return supine_legs(legs)


def happy_baby(*, draw_in: float = 130.0, feet_up: bool = True) -> Figure:
    """On the back, knees drawn toward the armpits ``draw_in`` degrees of hip
    flexion, shins upright, hands at the feet."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        thigh = aim(180 - draw_in, 180 - s * 35) if draw_in > 90 else aim(draw_in, s * 35)
        shin = aim(90) if feet_up else aim(-10, 0)
        legs[side] = Leg(thigh, shin, aim(0))
    fig = supine(left=legs["left"], right=legs["right"])
    points = place(fig)
    arms = {
        side: arm_toward(
            side,
            fig.torso,
            (
                points[PoseLandmark[f"{side.upper()}_SHOULDER"]]
                + points[PoseLandmark[f"{side.upper()}_ANKLE"]]
            )
            / 2
            + np.array([0.0, -0.05, 0.0]),
            points[PoseLandmark[f"{side.upper()}_ANKLE"]],
        )
        for side in ("left", "right")
    }
    return replace(fig, arms=arms)


def foam_roll_quads(*, hips_up: float = 0.0, prop: float = 25.0) -> Figure:
    """Face down over a roller under the thighs, propped on the forearms; ``hips_up``
    pikes the hips (degrees of bend at the hip)."""
    thigh = aim(-hips_up, 180)
    return Figure(
        torso=aim(prop - hips_up),
        face=aim(-60),
        legs=legs_both(Leg(thigh, aim(-hips_up / 2, 180), aim(-70, 180))),
        arms=arms_both(Arm(aim(-90), aim(0))),
    )


def legs_both(leg: Leg) -> dict[str, Leg]:
    return {"left": leg, "right": leg}


def foam_roller_psoas(*, lift: float = 16.0, stretched: float = -12.0) -> Figure:
    """On the back over a roller under the hips (torso slope ``lift``); the left
    leg long at ``stretched`` degrees, the right thigh drawn in."""
    return supine(
        torso=aim(-lift, 180),
        neck=aim(5, 180),
        left=Leg(aim(stretched), aim(0), aim(70)),
        right=Leg(aim(80, 180), aim(0), aim(60)),
    )


def seated(torso: float = 90.0, **legs: Leg) -> Figure:
    return Figure(torso=aim(torso), legs=legs, arms=arms_both(Arm(aim(-70), aim(-30))))


def soles_together(*, feet_forward: float = 0.30, knee_height: float = -0.05) -> dict[str, Leg]:
    """Seated legs, soles together ``feet_forward`` metres ahead of the hips, knees out."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([feet_forward * 0.8, knee_height, s * 0.42])
        ankle = np.array([feet_forward, -0.15, s * 0.04])
        legs[side] = leg_toward(side, knee, ankle, aim(-10, -s * 60))
    return legs


def butterfly(*, torso: float = 90.0, feet_forward: float = 0.30) -> Figure:
    return seated(torso, **soles_together(feet_forward=feet_forward))


def seated_hip_stretch(*, lean: float = 30.0, feet_forward: float = 0.60) -> Figure:
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([0.35, 0.10, s * 0.30])
        ankle = np.array([feet_forward, -0.12, s * 0.04])
        legs[side] = leg_toward(side, knee, ankle, aim(-10, -s * 60))
    return seated(90 - lean, **legs)


def seated_long_legs(*, lean: float = 0.0) -> Figure:
    long_leg = Leg(aim(-5), aim(-5), aim(80))
    return seated(90 - lean, left=long_leg, right=long_leg)


def ninety_ninety_seated(*, front_knee: float = 90.0) -> Figure:
    """Seated 90-90: the left thigh forward-out, the right out to the side, each knee
    at ``front_knee`` / 90 degrees, shins on the floor."""
    front_thigh = aim(-10, 45)
    side_thigh = aim(-10, -45)
    front_shin = aim(-5, 45 - (180 - front_knee))
    side_shin = aim(-5, -45 - 90)
    return seated(
        85.0,
        left=Leg(front_thigh, front_shin, aim(0, -45)),
        right=Leg(side_thigh, side_shin, aim(0, -135)),
    )


def squat(
    *, depth: float = 0.12, feet: float = 0.28, knees_out: float = 0.30, torso: float = 70.0
) -> Figure:
    """A squat facing forward: ``depth`` metres of hip below knee height, each
    ankle ``feet`` metres out from the midline, each knee ``knees_out``."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([0.35, depth, s * knees_out])
        ankle = np.array([0.10, -0.35, s * feet])
        legs[side] = leg_toward(side, knee, ankle, aim(0, s * 20))
    return Figure(torso=aim(torso), legs=legs, arms=arms_both(Arm(aim(-30), aim(40))))


def wide_fold(*, fold: float = 120.0, feet: float = 0.45, knee: float = 175.0) -> Figure:
    """Standing wide, the trunk folded ``fold`` degrees forward from upright."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        down = aim(-90)
        out = unit(down * 0.9 + LEFT * s * (feet - 0.1) / 0.86)
        bend = 180.0 - knee
        legs[side] = Leg(
            _rotate(out, LEFT, -bend / 2), _rotate(out, LEFT, bend / 2), aim(0, s * 15)
        )
    return Figure(
        torso=aim(90 - fold), face=aim(-90), legs=legs, arms=arms_both(Arm(aim(-90), aim(-90)))
    )


def cow_face(*, stacked: bool = True) -> Figure:
    """Seated, the left knee stacked on the right, each foot out beside the other hip."""
    if not stacked:
        return butterfly()
    right = leg_toward(
        "right", np.array([0.40, -0.02, -0.02]), np.array([0.05, -0.12, 0.33]), aim(-10, 120)
    )
    left = leg_toward(
        "left", np.array([0.40, 0.12, -0.02]), np.array([0.05, -0.08, -0.33]), aim(-10, -120)
    )
    return seated(85.0, left=left, right=right)


def seated_twist(*, turn: float = 70.0, knee_up: bool = True) -> Figure:
    """Seated, the left leg long, the right knee bent up with its foot over the
    left leg; shoulders turned ``turn`` degrees toward the bent knee."""
    long_leg = Leg(aim(-5), aim(-5), aim(80))
    bent = (
        leg_toward("right", np.array([0.30, 0.30, -0.05]), np.array([0.35, -0.12, 0.12]), aim(-10))
        if knee_up
        else long_leg
    )
    torso = aim(88)
    shoulders = _rotate(LEFT, UP, -turn)
    fig = seated(88.0, left=long_leg, right=bent)
    return replace(fig, torso=torso, shoulders_left=shoulders, face=_rotate(aim(0), UP, -turn))


def pigeon(*, back_knee: float = 170.0, front_folded: bool = True, torso: float = 80.0) -> Figure:
    """Left knee folded forward with the shin across, right leg long behind."""
    back_thigh = aim(-12, 180)
    back_shin = aim(-12 + (180.0 - back_knee), 180)
    if front_folded:
        front = leg_toward(
            "left", np.array([0.38, -0.15, 0.15]), np.array([0.25, -0.18, -0.25]), aim(0, -90)
        )
    else:
        front = Leg(aim(-20), aim(-20), aim(80))
    return Figure(
        torso=aim(torso),
        legs={"left": front, "right": Leg(back_thigh, back_shin, aim(-5, 180))},
        arms=arms_both(Arm(aim(-85), aim(-85))),
    )


def standing() -> Figure:
    return Figure()


# --- the catalog ----------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A stretch's good position and the camera view it is judged from."""

    figure: Callable[[], Figure]
    view: str
    tilt_deg: float = 0.0  # a camera above the body, looking down


CORRECT: dict[str, Built] = {
    "90-90-hip-flexor": Built(ninety_ninety_hip_flexor, "side"),
    "90-90-hip-flexor-side-bend": Built(side_bend, "front"),
    "knee-drops": Built(knee_drops, "front"),
    "foam-roll-quads": Built(foam_roll_quads, "side"),
    "half-kneeling-hip-flexor": Built(half_kneel, "side"),
    "assisted-half-kneeling-hip-flexor": Built(assisted_kneel, "side"),
    "foam-roller-psoas": Built(foam_roller_psoas, "side"),
    "bent-knee-to-low-lunge": Built(low_lunge, "side"),
    "static-low-lunge": Built(low_lunge, "side"),
    "lunge-stretch": Built(lunge_stretch, "side"),
    "90-90-hip-stretch": Built(ninety_ninety_seated, "front", tilt_deg=55.0),
    "prayer-squat": Built(squat, "front"),
    "wide-child-pose": Built(wide_child_pose, "side"),
    "knee-to-chest": Built(knee_to_chest, "side"),
    "pigeon": Built(pigeon, "side"),
    "butterfly": Built(butterfly, "front"),
    "seated-hip-stretch": Built(seated_hip_stretch, "side"),
    "bridge": Built(bridge, "side"),
    "childs-pose": Built(kneeling_fold, "side"),
    "supine-figure-4": Built(supine_figure_4, "side"),
    "figure-4-twist": Built(figure_4_twist, "front"),
    "runners-lunge": Built(runners_lunge, "side"),
    "adductor-opener": Built(lambda: squat(feet=0.40, knees_out=0.45, torso=80.0), "front"),
    "wide-legged-forward-fold": Built(wide_fold, "front"),
    "cow-face-legs": Built(cow_face, "front"),
    "seated-twist": Built(seated_twist, "side"),
    "happy-baby": Built(happy_baby, "side"),
}


def correct_pose(stretch_id: str, view: str | None = None, **kw: object) -> Pose:
    """The stretch's good position, seen from its own view unless ``view`` is given."""
    built = CORRECT[stretch_id]
    kw.setdefault("tilt_deg", built.tilt_deg)
    return pose(built.figure(), view or built.view, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Fault:
    """A named wrong pose of a stretch and what must catch it: a check id, or
    ``gate:<id>`` for a gate (``gate:position``, ``gate:view``)."""

    figure: Callable[[], Figure]
    fails: str


FAULTS: dict[str, dict[str, Fault]] = {
    "90-90-hip-flexor": {
        "front-knee-open": Fault(
            lambda: ninety_ninety_hip_flexor(front_shin=-45.0), "front-knee-90"
        ),
    },
    "90-90-hip-flexor-side-bend": {
        "no-side-bend": Fault(lambda: side_bend(bend=0.0), "side-bend"),
        "back-knee-up": Fault(lambda: side_bend(kneel=False), "gate:position"),
    },
    "knee-drops": {
        "knees-up": Fault(lambda: knee_drops(drop=0.0), "knees-dropped"),
        "legs-flat": Fault(lambda: knee_drops(bent=False), "knees-bent"),
    },
    "foam-roll-quads": {
        "hips-piked": Fault(lambda: foam_roll_quads(hips_up=45.0), "gate:position"),
        "standing": Fault(standing, "gate:position"),
    },
    "half-kneeling-hip-flexor": {
        "knee-past-toes": Fault(lambda: half_kneel(front_shin=-135.0), "front-knee-over-toes"),
    },
    "assisted-half-kneeling-hip-flexor": {
        "back-shin-down": Fault(lambda: assisted_kneel(foot_up=False), "back-foot-up"),
    },
    "foam-roller-psoas": {
        "stretched-leg-drawn-in": Fault(
            lambda: foam_roller_psoas(stretched=80.0), "working-hip-open"
        ),
    },
    "bent-knee-to-low-lunge": {
        "knee-behind-ankle": Fault(lambda: low_lunge(front_shin=-50.0), "front-knee-over-ankle"),
    },
    "static-low-lunge": {
        "knee-past-ankle": Fault(lambda: low_lunge(front_shin=-130.0), "front-knee-over-ankle"),
    },
    "lunge-stretch": {
        "hips-back": Fault(lambda: lunge_stretch(back_thigh=-95.0), "leaning-forward"),
    },
    "90-90-hip-stretch": {
        "front-leg-long": Fault(lambda: ninety_ninety_seated(front_knee=170.0), "front-knee-90"),
    },
    "prayer-squat": {
        "hips-above-knees": Fault(lambda: squat(depth=-0.20), "hips-below-knees"),
    },
    "wide-child-pose": {
        "sitting-up": Fault(lambda: wide_child_pose(torso=70.0, reach=False), "torso-low"),
    },
    "knee-to-chest": {
        "other-knee-bent": Fault(lambda: knee_to_chest(other_bent=True), "other-knee-straight"),
    },
    "pigeon": {
        "back-knee-bent": Fault(lambda: pigeon(back_knee=90.0), "back-leg-long"),
    },
    "butterfly": {
        "legs-long": Fault(seated_long_legs, "knees-out"),
    },
    "seated-hip-stretch": {
        "sitting-upright": Fault(lambda: seated_hip_stretch(lean=0.0), "leaning-forward"),
    },
    "bridge": {
        "hips-down": Fault(
            lambda: supine(left=knees_up_leg(), right=knees_up_leg()), "hips-lifted"
        ),
    },
    "childs-pose": {
        "on-all-fours": Fault(lambda: kneeling_fold(hips_up=70.0, torso=0.0), "hips-to-heels"),
    },
    "supine-figure-4": {
        "not-crossed": Fault(lambda: supine_figure_4(crossed=False), "ankle-on-knee"),
    },
    "figure-4-twist": {
        "legs-up": Fault(lambda: figure_4_twist(lower=0.0), "legs-lowered"),
    },
    "runners-lunge": {
        "back-knee-bent": Fault(lambda: runners_lunge(back_knee=100.0), "back-leg-long"),
    },
    "adductor-opener": {
        "standing-wide": Fault(lambda: wide_fold(fold=0.0), "hips-low"),
    },
    "wide-legged-forward-fold": {
        "standing-upright": Fault(lambda: wide_fold(fold=0.0), "head-below-hips"),
    },
    "cow-face-legs": {
        "butterfly-legs": Fault(lambda: cow_face(stacked=False), "knees-stacked"),
    },
    "seated-twist": {
        "not-turned": Fault(lambda: seated_twist(turn=0.0), "shoulders-turned"),
    },
    "happy-baby": {
        "feet-down": Fault(lambda: happy_baby(feet_up=False), "feet-up"),
    },
}


def fault_pose(stretch_id: str, name: str, **kw: object) -> Pose:
    """A named fault of the stretch, seen from the stretch's own view."""
    built = CORRECT[stretch_id]
    kw.setdefault("tilt_deg", built.tilt_deg)
    return pose(FAULTS[stretch_id][name].figure(), built.view, **kw)  # type: ignore[arg-type]


# The good body of each phase of a phased stretch, in order (the first is CORRECT's).
PHASES: dict[str, list[Callable[[], Figure]]] = {
    "wide-child-pose": [wide_child_pose, lambda: wide_child_pose(hips_up=0.0, torso=-10.0)],
}


# --- recordings -------------------------------------------------------------------

Script = Sequence[tuple[Callable[[], Figure], float]]


def recording(
    path: Path,
    script: Script,
    view: str,
    *,
    stretch: str | None = None,
    fps: float = 10.0,
    wh: tuple[int, int] = (1280, 720),
    tilt_deg: float = 0.0,
) -> Path:
    """A landmark recording (.jsonl, as `posecheck live --record` writes) of the
    figures in ``script``, each held for its seconds at ``fps``, seen from ``view``."""
    header: dict[str, object] = {"fps": fps}
    if stretch is not None:
        header["stretch"] = stretch
    step_ms = 1000.0 / fps
    frame = 0
    with RecordingWriter(path, wh, **header) as writer:
        for make, seconds in script:
            fig = make()
            for _ in range(round(seconds * fps)):
                t = round(frame * step_ms)
                p = pose(fig, view, wh, tilt_deg=tilt_deg, timestamp_ms=t)
                writer.write(Detection(t, wh, p, people=1))
                frame += 1
    return path


# --- stretches a built body of another passes as -----------------------------------
#
# The good body of the first stretch is aligned on the second too, and why. A
# stretch recogniser must expect these; a new pair showing up is a check that
# lets too much through.
LOOK_ALIKES: dict[tuple[str, str], str] = {
    **{
        (a, b): "the half-kneeling and low-lunge family: back knee down, front foot planted "
        "with the shin near upright, hips forward; the articles tell them apart by depth "
        "and by what the arms do, which their checks leave open"
        for a, b in (
            ("90-90-hip-flexor", "half-kneeling-hip-flexor"),
            ("half-kneeling-hip-flexor", "bent-knee-to-low-lunge"),
            ("half-kneeling-hip-flexor", "lunge-stretch"),
            ("assisted-half-kneeling-hip-flexor", "bent-knee-to-low-lunge"),
            ("assisted-half-kneeling-hip-flexor", "half-kneeling-hip-flexor"),
            ("assisted-half-kneeling-hip-flexor", "lunge-stretch"),
            ("bent-knee-to-low-lunge", "half-kneeling-hip-flexor"),
            ("bent-knee-to-low-lunge", "lunge-stretch"),
            ("bent-knee-to-low-lunge", "runners-lunge"),
            ("bent-knee-to-low-lunge", "static-low-lunge"),
            ("static-low-lunge", "bent-knee-to-low-lunge"),
            ("static-low-lunge", "half-kneeling-hip-flexor"),
            ("static-low-lunge", "lunge-stretch"),
            ("static-low-lunge", "runners-lunge"),
            ("lunge-stretch", "bent-knee-to-low-lunge"),
            ("lunge-stretch", "half-kneeling-hip-flexor"),
            ("lunge-stretch", "static-low-lunge"),
        )
    },
    ("prayer-squat", "adductor-opener"): "a deep squat with the feet and knees wide is both",
    ("adductor-opener", "prayer-squat"): "a deep squat with the feet and knees wide is both",
    ("childs-pose", "wide-child-pose"): "the wide child's pose is a child's pose with the knees "
    "spread, which a side camera cannot see",
    ("knee-drops", "figure-4-twist"): "both lower bent legs to one side on the back; from the "
    "feet the crossed ankle sits where the other knee drops",
    ("knee-drops", "bridge"): "from the feet the bridge checks only that the knees are up and "
    "parallel; the hip lift is judged side-on",
    ("90-90-hip-flexor-side-bend", "butterfly"): "the butterfly's seated position may be read "
    "from a kneeling body, and its front-view checks see feet close and knees apart",
    ("cow-face-legs", "seated-twist"): "from the front the twist cannot be measured, and cow face "
    "legs sit with one knee up and the other leg looking long (it crosses straight over)",
    ("seated-twist", "runners-lunge"): "the runner's lunge reads its back leg as long without "
    "asking that it reach behind; a long leg in front passes",
    ("seated-twist", "static-low-lunge"): "the static low lunge reads its back thigh's lean "
    "without asking that it lean behind; a long leg in front passes",
}
