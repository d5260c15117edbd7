"""Where a check's points are on a pose: the one place that maps a point name
(``knee``, ``mid_hip``, ``front_ankle``) to the landmarks it stands for.

Used by the checks to measure and by the drawing to put marks where the
checks measured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import SIDES, VISIBLE, Pose, PoseLandmark, side_landmark
from posecheck.catalog.reference import Point

FloatArray = npt.NDArray[np.float64]


def landmarks_of(point: Point, roles: Mapping[str, str]) -> list[PoseLandmark]:
    """The landmarks a point stands for: one for ``nose`` or ``left_knee``, both sides
    for ``mid_hip``, and the assigned side for a role such as ``front_knee``
    (none while that role is not assigned to a side)."""
    if point.prefix is None:
        return [PoseLandmark[point.part.upper()]]
    if point.prefix == "mid":
        return [side_landmark(s, point.part) for s in SIDES]
    side = roles.get(point.prefix, point.prefix)
    return [side_landmark(side, point.part)] if side in SIDES else []


def mean_xy(pose: Pose, landmarks: Sequence[PoseLandmark]) -> FloatArray:
    """The mean image position (pixels) of some landmarks."""
    return np.asarray(pose.xy_px[list(landmarks)].mean(axis=0), dtype=np.float64)


def mean_world(pose: Pose, landmarks: Sequence[PoseLandmark]) -> FloatArray:
    """The mean world position (metres) of some landmarks."""
    return np.asarray(pose.world_xyz_m[list(landmarks)].mean(axis=0), dtype=np.float64)


def in_frame(pose: Pose, landmarks: Sequence[PoseLandmark]) -> bool:
    """Whether every one of the landmarks lies inside the picture."""
    w, h = pose.image_wh
    return all(0 <= pose.xy_px[lm][0] < w and 0 <= pose.xy_px[lm][1] < h for lm in landmarks)


# far foot behind the near one in a side view, the feet tucked under the hips
# in a child's pose. Its position is still inferred from the rest of the
# body, so a check falls back on it, rather than giving "can't tell" on feet
# that are plainly there, when no landmark of that point is seen clearly.
# Those values are noisier (bench/error_bands.py: a height's p75 spread 0.15
# against 0.06 torso lengths), but they come out of the same model and are
# judged by the same limits. Below FAINT the point is unseen.
FAINT = 0.3


def seen_groups(
    pose: Pose, points: Sequence[Point], roles: Mapping[str, str]
) -> list[list[PoseLandmark]]:
    """The landmarks each point stands on; an empty group is a point not seen.

    Each point uses the landmarks seen clearly, else those seen faintly. The
    midpoints of one check stand on the same sides where they can: the near
    leg's hip, knee and ankle, not the near knee with the far ankle.
    """

    def seen(lms: list[PoseLandmark]) -> list[PoseLandmark]:
        clear = [lm for lm in lms if pose.seen(lm)]
        return clear or [lm for lm in lms if pose.seen(lm, FAINT)]

    groups = [seen(landmarks_of(p, roles)) for p in points]
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
