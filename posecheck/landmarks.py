"""The 33 BlazePose landmarks, the skeleton, and the `Pose` every later stage reads.

A `Pose` is posecheck's own value: the estimator converts MediaPipe's result
into one at the edge, and nothing past that knows MediaPipe exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

NUM_LANDMARKS = 33

# Below this visibility the model is guessing; checks treat the point as unseen.
VISIBLE = 0.5


class PoseLandmark(IntEnum):
    """BlazePose's 33 points, in the model's output order."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @classmethod
    def from_name(cls, name: str) -> PoseLandmark:
        """Look a landmark up by its lower-case name, e.g. ``"left_knee"``."""
        try:
            return cls[name.upper()]
        except KeyError:
            valid = ", ".join(lm.name.lower() for lm in cls)
            raise ValueError(f"unknown landmark {name!r}; valid landmarks: {valid}") from None


L = PoseLandmark

# Bones drawn for the skeleton: the body and limbs, not the face mesh.
SKELETON: tuple[tuple[PoseLandmark, PoseLandmark], ...] = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
    (L.NOSE, L.LEFT_EAR),
    (L.NOSE, L.RIGHT_EAR),
)

SIDES = ("left", "right")


def side_landmark(side: str, part: str) -> PoseLandmark:
    """``side_landmark("left", "knee")`` is ``PoseLandmark.LEFT_KNEE``."""
    return PoseLandmark[f"{side}_{part}".upper()]


def _frozen(array: npt.ArrayLike, shape: tuple[int, ...], name: str) -> FloatArray:
    out = np.array(array, dtype=np.float64)
    if out.shape != shape:
        raise ValueError(f"Pose.{name} must have shape {shape} (got {out.shape})")
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class Pose:
    """One person's landmarks in one image.

    - ``xy_px``: (33, 2) pixel coordinates, x right and y down, so angles
      measured here respect the image's aspect ratio.
    - ``z_px``: (33,) the model's relative depth, scaled like x (smaller is
      nearer the camera; origin at the hips). Rough; prefer ``world_xyz_m``.
    - ``world_xyz_m``: (33, 3) metres, origin between the hips, axes aligned
      with the camera (x right, y down, z away from the camera).
    - ``visibility`` and ``presence``: (33,) model scores in [0, 1].
    - ``image_wh``: (width, height) in pixels; ``timestamp_ms`` of the frame.
    """

    xy_px: FloatArray
    z_px: FloatArray
    world_xyz_m: FloatArray
    visibility: FloatArray
    presence: FloatArray
    image_wh: tuple[int, int]
    timestamp_ms: int = 0

    def __post_init__(self) -> None:
        n = NUM_LANDMARKS
        object.__setattr__(self, "xy_px", _frozen(self.xy_px, (n, 2), "xy_px"))
        object.__setattr__(self, "z_px", _frozen(self.z_px, (n,), "z_px"))
        object.__setattr__(self, "world_xyz_m", _frozen(self.world_xyz_m, (n, 3), "world_xyz_m"))
        object.__setattr__(self, "visibility", _frozen(self.visibility, (n,), "visibility"))
        object.__setattr__(self, "presence", _frozen(self.presence, (n,), "presence"))
        w, h = self.image_wh
        if w <= 0 or h <= 0:
            raise ValueError(f"Pose.image_wh must be positive (got {self.image_wh})")

    def px(self, landmark: PoseLandmark) -> FloatArray:
        """Pixel (x, y) of one landmark."""
        return np.asarray(self.xy_px[landmark], dtype=np.float64)

    def world(self, landmark: PoseLandmark) -> FloatArray:
        """World (x, y, z) in metres of one landmark."""
        return np.asarray(self.world_xyz_m[landmark], dtype=np.float64)

    def seen(self, landmark: PoseLandmark, threshold: float = VISIBLE) -> bool:
        """Whether the model reports the landmark as visible and inside the image."""
        if self.visibility[landmark] < threshold or self.presence[landmark] < threshold:
            return False
        x, y = self.xy_px[landmark]
        w, h = self.image_wh
        return bool(0.0 <= x < w and 0.0 <= y < h)

    def bbox_px(self, threshold: float = VISIBLE) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) around the landmarks seen, or around all of them if none is."""
        mask = (self.visibility >= threshold) & (self.presence >= threshold)
        pts = self.xy_px[mask] if mask.any() else self.xy_px
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``Pose.from_dict`` reads it back exactly (to 0.01 px)."""
        return {
            "timestamp_ms": self.timestamp_ms,
            "image_wh": list(self.image_wh),
            "xy_px": np.round(self.xy_px, 2).tolist(),
            "z_px": np.round(self.z_px, 2).tolist(),
            "world_xyz_m": np.round(self.world_xyz_m, 4).tolist(),
            "visibility": np.round(self.visibility, 3).tolist(),
            "presence": np.round(self.presence, 3).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pose:
        w, h = data["image_wh"]
        return cls(
            xy_px=np.asarray(data["xy_px"], dtype=np.float64),
            z_px=np.asarray(data["z_px"], dtype=np.float64),
            world_xyz_m=np.asarray(data["world_xyz_m"], dtype=np.float64),
            visibility=np.asarray(data["visibility"], dtype=np.float64),
            presence=np.asarray(data["presence"], dtype=np.float64),
            image_wh=(int(w), int(h)),
            timestamp_ms=int(data["timestamp_ms"]),
        )


@dataclass(frozen=True)
class Detection:
    """What the estimator found in one frame.

    ``pose is None`` is the explicit "no person" result. ``people`` counts the
    people the model found; when it is more than one, ``pose`` is the one
    being followed (the most prominent at the start, then the same person).
    """

    timestamp_ms: int
    image_wh: tuple[int, int]
    pose: Pose | None
    people: int = field(default=0)

    @property
    def person_found(self) -> bool:
        return self.pose is not None
