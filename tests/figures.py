"""Stick figures for tests: a body given as the directions of its segments,
placed in 3D with adult limb lengths and seen from a camera as a full
33-landmark `Pose`, with the world landmarks the estimator would give.

1. A `Figure`: where the body is, as directions of its segments (torso, each
   thigh, shin, foot, upper arm and forearm) in the body's own frame, in
   metres: ``forward`` (the way a standing person faces; for a person lying
   down, toward the feet), ``up``, and ``left`` (the person's left). `aim`
   turns an elevation and a heading in degrees into such a direction.
2. `place` chains the segments with the limb lengths of `LIMBS` from the
   pelvis outward, and adds the face, hands and feet, giving all 33 points.
3. `pose` looks at those points from a camera (`side`, `side-left`, `front`,
   `back`, optionally from above), and fills both the pixel landmarks and
   the world landmarks (metres, camera axes) the way the estimator does, so
   view, position, facing and every check are measured on it as on a real
   frame. `recording` writes a landmark recording of a script of figures.

`tests/bodies.py` builds every stretch of the catalog from these.
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


def rotate(v: Vec, axis: Vec, angle_deg: float) -> Vec:
    """``v`` turned ``angle_deg`` about ``axis`` (right-handed)."""
    k, a = unit(axis), math.radians(angle_deg)
    return np.asarray(
        v * math.cos(a)
        + np.cross(k, v) * math.sin(a)
        + k * float(np.dot(k, v)) * (1 - math.cos(a)),
        dtype=np.float64,
    )


def turned_leg(leg: Leg, axis: Vec, angle_deg: float) -> Leg:
    return Leg(*(rotate(v, axis, angle_deg) for v in (leg.thigh, leg.shin, leg.foot)))


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
