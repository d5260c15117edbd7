"""Pure geometry on landmarks: angles, inclinations, facing, camera view, body position.

Angles are measured on pixel coordinates (``Pose.xy_px``), which respect the
image's aspect ratio. Camera view and body position use the model's world
landmarks (metres, origin between the hips), because they need depth: a
shoulder line pointing away from the camera is what a side view looks like.

All functions are pure numpy; none reads a camera, a clock or a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import SIDES, Pose, PoseLandmark, side_landmark

L = PoseLandmark
Vector = npt.ArrayLike


def joint_angle_deg(a: Vector, vertex: Vector, c: Vector) -> float:
    """The angle a-vertex-c in degrees, in [0, 180]; NaN when a segment has no length.

    Works for 2D and 3D points alike.
    """
    u = np.asarray(a, dtype=np.float64) - np.asarray(vertex, dtype=np.float64)
    v = np.asarray(c, dtype=np.float64) - np.asarray(vertex, dtype=np.float64)
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0.0 or nv == 0.0:
        return math.nan
    # atan2 of |u x v| and u.v stays accurate near 0 and 180, where acos does not.
    cross = np.cross(u, v) if u.shape[0] == 3 else u[0] * v[1] - u[1] * v[0]
    return math.degrees(math.atan2(float(np.linalg.norm(cross)), float(np.dot(u, v))))


def inclination_deg(start: Vector, end: Vector, reference: str = "vertical") -> float:
    """How far the line start-end leans from vertical (or horizontal), in [0, 90].

    Image coordinates: y points down, so "vertical" is the image's up-down
    axis. A direction is not implied: a shin leaning 20 degrees forward or
    backward is 20 either way. NaN when the segment has no length.
    """
    if reference not in ("vertical", "horizontal"):
        raise ValueError(f"reference must be 'vertical' or 'horizontal' (got {reference!r})")
    d = np.asarray(end, dtype=np.float64)[:2] - np.asarray(start, dtype=np.float64)[:2]
    length = float(np.hypot(d[0], d[1]))
    if length == 0.0:
        return math.nan
    from_vertical = math.degrees(math.atan2(abs(float(d[0])), abs(float(d[1]))))
    return from_vertical if reference == "vertical" else 90.0 - from_vertical


def inclination_3d_deg(start: Vector, end: Vector, reference: str = "vertical") -> float:
    """Like `inclination_deg` on 3D world points: the lean from the world's vertical
    (its y axis, down) or from the horizontal plane, in [0, 90]; NaN when no length."""
    if reference not in ("vertical", "horizontal"):
        raise ValueError(f"reference must be 'vertical' or 'horizontal' (got {reference!r})")
    d = np.asarray(end, dtype=np.float64)[:3] - np.asarray(start, dtype=np.float64)[:3]
    length = float(np.linalg.norm(d))
    if length == 0.0:
        return math.nan
    across = float(np.hypot(d[0], d[2]))
    from_vertical = math.degrees(math.atan2(across, abs(float(d[1]))))
    return from_vertical if reference == "vertical" else 90.0 - from_vertical


def midpoint(a: Vector, b: Vector) -> npt.NDArray[np.float64]:
    return (np.asarray(a, dtype=np.float64) + np.asarray(b, dtype=np.float64)) / 2.0


# The joints a person reads first, each as (first point, vertex, second point)
# on one side of the body.
JOINTS: dict[str, tuple[str, str, str]] = {
    "knee": ("hip", "knee", "ankle"),
    "hip": ("shoulder", "hip", "knee"),
    "elbow": ("shoulder", "elbow", "wrist"),
    "shoulder": ("hip", "shoulder", "elbow"),
}


def side_joint_angle_deg(pose: Pose, side: str, joint: str) -> float:
    """e.g. ``side_joint_angle_deg(pose, "left", "knee")``: hip-knee-ankle in pixels."""
    a, b, c = (side_landmark(side, part) for part in JOINTS[joint])
    return joint_angle_deg(pose.px(a), pose.px(b), pose.px(c))


def main_angles_deg(pose: Pose) -> dict[str, float]:
    """Knees, hips, elbows and shoulders on each side, keyed ``"left_knee"`` etc."""
    return {
        f"{side}_{joint}": side_joint_angle_deg(pose, side, joint)
        for joint in JOINTS
        for side in SIDES
    }


class View(StrEnum):
    SIDE = "side"
    FRONT = "front"
    BACK = "back"
    OBLIQUE = "oblique"


class Position(StrEnum):
    STANDING = "standing"
    KNEELING = "kneeling"
    SEATED = "seated"
    SQUATTING = "squatting"
    SUPINE = "supine"
    PRONE = "prone"
    SIDE_LYING = "side-lying"


def _unit(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def lateral_axis(pose: Pose) -> npt.NDArray[np.float64]:
    """Unit vector from the body's right to its left, in world coordinates.

    The mean of the shoulder line and the hip line, so a twist at the waist
    counts half.
    """
    w = pose.world_xyz_m
    shoulders = _unit(w[L.LEFT_SHOULDER] - w[L.RIGHT_SHOULDER])
    hips = _unit(w[L.LEFT_HIP] - w[L.RIGHT_HIP])
    return _unit(shoulders + hips)


# |depth share| of the left-right axis: at or above SIDE the camera sees the
# body edge-on; at or below FACE it sees the chest or back. Between is oblique.
SIDE_DEPTH_SHARE = 0.6
FACE_DEPTH_SHARE = 0.45


def facing_direction(pose: Pose) -> str | None:
    """Which way across the image the person faces: ``"left"``, ``"right"`` or None.

    Votes from the nose ahead of the ears and each foot's toes ahead of its
    heel, in pixels; None when they cancel out (a person lying face up has
    neither a forward nose nor forward toes).
    """
    p = pose.xy_px
    ears = midpoint(p[L.LEFT_EAR], p[L.RIGHT_EAR])
    votes = [
        float(p[L.NOSE][0] - ears[0]),
        float(p[L.LEFT_FOOT_INDEX][0] - p[L.LEFT_HEEL][0]),
        float(p[L.RIGHT_FOOT_INDEX][0] - p[L.RIGHT_HEEL][0]),
    ]
    total = sum(votes)
    scale = torso_length_px(pose)
    if scale <= 0 or abs(total) < 0.05 * scale:
        return None
    return "right" if total > 0 else "left"


def torso_length_px(pose: Pose) -> float:
    p = pose.xy_px
    return float(
        np.linalg.norm(
            midpoint(p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER])
            - midpoint(p[L.LEFT_HIP], p[L.RIGHT_HIP])
        )
    )


def camera_view(pose: Pose) -> View:
    """Side, front, back or oblique, from how much the body's left-right axis points into depth.

    Front versus back: the nose nearer the camera than the ears means the
    face is toward it; when depth cannot tell (the head bowed or turned),
    the image order of the left and right landmarks decides (seen from the
    front, the person's left side is on the image's right).
    """
    depth_share = abs(float(lateral_axis(pose)[2]))
    if depth_share >= SIDE_DEPTH_SHARE:
        return View.SIDE
    if depth_share > FACE_DEPTH_SHARE:
        return View.OBLIQUE
    w = pose.world_xyz_m
    nose_ahead_m = float(midpoint(w[L.LEFT_EAR], w[L.RIGHT_EAR])[2] - w[L.NOSE][2])
    if abs(nose_ahead_m) >= 0.03:
        return View.FRONT if nose_ahead_m > 0 else View.BACK
    p = pose.xy_px
    left_to_right_px = (p[L.LEFT_SHOULDER][0] - p[L.RIGHT_SHOULDER][0]) + (
        p[L.LEFT_HIP][0] - p[L.RIGHT_HIP][0]
    )
    return View.FRONT if left_to_right_px > 0 else View.BACK


@dataclass(frozen=True)
class BodyShape:
    """Numbers that body position is decided from, in torso lengths (world)."""

    torso_from_vertical_deg: float
    hip_height: float
    lowest_knee_height: float
    highest_knee_height: float
    most_bent_knee_deg: float
    least_bent_knee_deg: float
    face_up: float
    lateral_vertical_share: float


_BODY_POINTS = [
    L.NOSE,
    L.LEFT_SHOULDER,
    L.RIGHT_SHOULDER,
    L.LEFT_ELBOW,
    L.RIGHT_ELBOW,
    L.LEFT_WRIST,
    L.RIGHT_WRIST,
    L.LEFT_HIP,
    L.RIGHT_HIP,
    L.LEFT_KNEE,
    L.RIGHT_KNEE,
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
    L.LEFT_HEEL,
    L.RIGHT_HEEL,
    L.LEFT_FOOT_INDEX,
    L.RIGHT_FOOT_INDEX,
]


def body_shape(pose: Pose) -> BodyShape:
    """Heights above the lowest body point, torso lean and head direction, from world landmarks.

    Heights assume a roughly level camera (world y follows the image's down
    direction), which holds for a laptop or phone set on the floor or a table.
    """
    w = pose.world_xyz_m
    shoulders = midpoint(w[L.LEFT_SHOULDER], w[L.RIGHT_SHOULDER])
    hips = midpoint(w[L.LEFT_HIP], w[L.RIGHT_HIP])
    torso = shoulders - hips
    torso_m = float(np.linalg.norm(torso)) or 1.0
    floor_y = float(w[_BODY_POINTS, 1].max())

    def height(point: npt.NDArray[np.float64]) -> float:
        return (floor_y - float(point[1])) / torso_m

    knees = [height(w[L.LEFT_KNEE]), height(w[L.RIGHT_KNEE])]
    knee_angles = [
        joint_angle_deg(
            w[side_landmark(s, "hip")], w[side_landmark(s, "knee")], w[side_landmark(s, "ankle")]
        )
        for s in SIDES
    ]
    ears = midpoint(w[L.LEFT_EAR], w[L.RIGHT_EAR])
    return BodyShape(
        torso_from_vertical_deg=joint_angle_deg(hips + np.array([0.0, -1.0, 0.0]), hips, shoulders),
        hip_height=height(hips),
        lowest_knee_height=min(knees),
        highest_knee_height=max(knees),
        most_bent_knee_deg=min(knee_angles),
        least_bent_knee_deg=max(knee_angles),
        face_up=float(ears[1] - w[L.NOSE][1]) / torso_m,
        lateral_vertical_share=abs(float(lateral_axis(pose)[1])),
    )


# Thresholds in torso lengths (about 50 cm on an adult). A kneeling knee's
# landmark sits at the joint centre, a hand's breadth above the floor.
KNEE_DOWN = 0.4
HIPS_DOWN = 0.5
HIPS_HIGH = 0.9
UPRIGHT_MAX_DEG = 50.0


def body_position(pose: Pose) -> Position:
    """Standing, kneeling, seated, squatting, supine, prone or side-lying.

    Rules, in order (heights are in torso lengths above the lowest body point):

    - torso within 50 degrees of upright:
      a knee down and the hips up: kneeling; the hips down: seated; the hips
      less than 0.3 above the higher knee with both knees bent under 110
      degrees: squatting; otherwise standing;
    - torso leaning further (lying, folded, on all fours):
      a bent knee down with the hips up: kneeling (all fours, child's pose);
      the left-right axis vertical: side-lying; the face turned up: supine;
      hips high with the knees off the floor: standing, folded forward;
      otherwise prone.
    """
    s = body_shape(pose)
    knee_down = s.lowest_knee_height < KNEE_DOWN
    if s.torso_from_vertical_deg < UPRIGHT_MAX_DEG:
        if knee_down and s.hip_height >= HIPS_DOWN:
            return Position.KNEELING
        if s.hip_height < HIPS_DOWN:
            return Position.SEATED
        if s.hip_height < s.highest_knee_height + 0.3 and s.least_bent_knee_deg < 110.0:
            return Position.SQUATTING
        return Position.STANDING
    if knee_down and s.hip_height >= HIPS_DOWN and s.most_bent_knee_deg < 120.0:
        return Position.KNEELING
    if s.lateral_vertical_share > 0.6:
        return Position.SIDE_LYING
    if s.face_up > 0.05:
        return Position.SUPINE
    if s.hip_height > HIPS_HIGH and not knee_down:
        return Position.STANDING
    return Position.PRONE


# Standing straight up, for the coarse sanity gate of floor stretches: the
# torso near upright, both knees nearly straight and the hips well above the
# lowest point. A seated 90-90 or a knee hug that the finer classifier calls
# standing bends a knee, so it never meets all three.
STANDING_TORSO_MAX_DEG = 30.0
STANDING_KNEE_MIN_DEG = 150.0
STANDING_HIPS_MIN = 1.2


def clearly_standing(pose: Pose) -> bool:
    """Whether the person plainly stands upright on straight legs (world landmarks)."""
    s = body_shape(pose)
    return (
        s.torso_from_vertical_deg < STANDING_TORSO_MAX_DEG
        and s.most_bent_knee_deg > STANDING_KNEE_MIN_DEG
        and s.hip_height > STANDING_HIPS_MIN
    )
