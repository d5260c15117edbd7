"""Everyday poses that are no stretch, built from body measurements: standing,
walking, sitting on a chair, on all fours between two stretches.

Each is drawn in the body's own plane (x forward, y up, metres, the floor at
y = 0) for one leg and arm per side, then placed in 3D with the left side
nearer the camera, and seen from the side, facing the image's right: the
world landmarks are the 3D points (y pointing down, as the model gives them)
and the pixels their picture, 400 px to the metre.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.body.landmarks import NUM_LANDMARKS, Pose, PoseLandmark

L = PoseLandmark
WH = (1280, 720)
PX_PER_M = 400.0
HALF_WIDTH_M = 0.1  # half the hip and shoulder width

Point2 = tuple[float, float]


def _at(start: Point2, length_m: float, angle_deg: float) -> Point2:
    """The point ``length_m`` from ``start`` in the direction ``angle_deg``
    (0: forward, 90: up, -90: down)."""
    a = math.radians(angle_deg)
    return (start[0] + length_m * math.cos(a), start[1] + length_m * math.sin(a))


def _leg(hip: Point2, thigh_deg: float, shin_deg: float) -> dict[str, Point2]:
    knee = _at(hip, 0.45, thigh_deg)
    ankle = _at(knee, 0.42, shin_deg)
    return {
        "knee": knee,
        "ankle": ankle,
        "heel": (ankle[0] - 0.05, ankle[1] - 0.04),
        "foot_index": (ankle[0] + 0.15, ankle[1] - 0.06),
    }


def _arm(shoulder: Point2, upper_deg: float, fore_deg: float) -> dict[str, Point2]:
    elbow = _at(shoulder, 0.3, upper_deg)
    wrist = _at(elbow, 0.27, fore_deg)
    hand = _at(wrist, 0.08, fore_deg)
    return {"elbow": elbow, "wrist": wrist, "index": hand, "pinky": hand, "thumb": hand}


def build(
    hip: Point2,
    torso_deg: float,
    legs: tuple[tuple[float, float], tuple[float, float]],
    arms: tuple[tuple[float, float], tuple[float, float]] = ((-90, -90), (-90, -90)),
    timestamp_ms: int = 0,
) -> Pose:
    """A side-view pose: the hip centre, the torso's direction from the hips
    (90: upright), and (thigh, shin) and (upper arm, forearm) directions for
    the left then the right limb."""
    shoulder = _at(hip, 0.5, torso_deg)
    head = _at(shoulder, 0.22, torso_deg)
    plane: dict[str, dict[str, Point2]] = {}
    for side, (thigh, shin), (upper, fore) in zip(("left", "right"), legs, arms, strict=True):
        plane[side] = {
            "hip": hip,
            "shoulder": shoulder,
            **_leg(hip, thigh, shin),
            **_arm(shoulder, upper, fore),
        }
    world = np.zeros((NUM_LANDMARKS, 3))
    for side, z in (("left", -HALF_WIDTH_M), ("right", HALF_WIDTH_M)):
        for part, (x, y) in plane[side].items():
            world[L[f"{side}_{part}".upper()]] = (x, -y, z)
        for part, dx, dz in (
            ("eye", 0.08, 0.03),
            ("eye_inner", 0.09, 0.015),
            ("eye_outer", 0.07, 0.045),
            ("ear", 0.0, 0.07),
        ):
            sign = -1.0 if side == "left" else 1.0
            world[L[f"{side}_{part}".upper()]] = (head[0] + dx, -head[1], sign * dz)
        sign = -1.0 if side == "left" else 1.0
        world[L[f"mouth_{side}".upper()]] = (head[0] + 0.08, -(head[1] - 0.04), sign * 0.02)
    world[L.NOSE] = (head[0] + 0.1, -(head[1] - 0.02), 0.0)
    centre = np.array([WH[0] / 2, WH[1] * 0.85])
    xy = centre + PX_PER_M * world[:, :2]
    xy[:, 0] -= PX_PER_M * hip[0]
    return Pose(
        xy_px=xy,
        z_px=world[:, 2] * PX_PER_M,
        world_xyz_m=world - np.array([hip[0], -hip[1], 0.0]),
        visibility=np.ones(NUM_LANDMARKS),
        presence=np.ones(NUM_LANDMARKS),
        image_wh=WH,
        timestamp_ms=timestamp_ms,
    )


def standing() -> Pose:
    """Standing upright, arms hanging."""
    return build((0.0, 0.92), 90, ((-90, -90), (-90, -90)))


def walking() -> Pose:
    """Mid-stride: one leg forward with its heel landing, the other pushing off behind."""
    return build((0.0, 0.9), 85, ((-70, -85), (-112, -130)), ((-70, -50), (-110, -100)))


def chair_sitting() -> Pose:
    """Sitting upright on a chair: thighs level, shins straight down, hands on the thighs."""
    return build((0.0, 0.47), 90, ((0, -90), (0, -90)), ((-60, 0), (-60, 0)))


def all_fours() -> Pose:
    """On hands and knees, as when moving from one floor stretch to the next."""
    return build((0.0, 0.55), 0, ((-90, 180), (-90, 180)), ((-90, -90), (-90, -90)))
