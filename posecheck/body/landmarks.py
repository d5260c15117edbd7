"""The 33 BlazePose landmarks, the skeleton, and the `Pose` every later stage reads.

A `Pose` is posecheck's own value: the estimator converts MediaPipe's result
into one at the edge, and nothing past that knows MediaPipe exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
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
    def from_dict(cls, data: Mapping[str, Any]) -> Pose:
        """The inverse of `to_dict`, for data from a user's file: every field is
        checked, so a damaged file raises `ValueError` naming the field and what
        it must be (``xy_px must be 33 [x, y] pairs of numbers (got ...)``) and
        never yields a pose holding NaN or absurd values."""
        w, h = image_size(_field(data, "image_wh"), "image_wh")
        # Points a little outside the picture are normal (a foot out of frame);
        # ten picture sizes away is a damaged file.
        reach_px = np.array([MAX_PICTURES_AWAY * w, MAX_PICTURES_AWAY * h], dtype=np.float64)
        pictures = f"{MAX_PICTURES_AWAY} picture sizes"
        return cls(
            xy_px=_numbers(
                data, "xy_px", (NUM_LANDMARKS, 2), "[x, y] number pairs", reach_px, pictures
            ),
            z_px=_numbers(data, "z_px", (NUM_LANDMARKS,), "numbers", reach_px[0], pictures),
            world_xyz_m=_numbers(
                data,
                "world_xyz_m",
                (NUM_LANDMARKS, 3),
                "[x, y, z] number triples",
                MAX_WORLD_M,
                f"{MAX_WORLD_M:g} m",
            ),
            visibility=_scores(data, "visibility"),
            presence=_scores(data, "presence"),
            image_wh=(w, h),
            timestamp_ms=timestamp(_field(data, "timestamp_ms"), "timestamp_ms"),
        )


# Bounds on values read from files (recordings, poses): generous for anything
# real, and small enough that nothing downstream overflows or allocates a
# canvas of absurd size.
MAX_SIDE_PX = 16384
MAX_PICTURES_AWAY = 10
MAX_WORLD_M = 100.0
MAX_TIMESTAMP_MS = 24 * 3600 * 1000  # a day


def shown(value: object) -> str:
    """A short rendering of a value read from a file, for a message."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int) and abs(value) >= 10**12:
        return "a number with more than 12 digits"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _field(data: Mapping[str, Any], key: str) -> Any:
    if not isinstance(data, Mapping):
        raise ValueError(f"must be an object (got {shown(data)})")
    if key not in data:
        raise ValueError(f"{key} is missing")
    return data[key]


def image_size(value: object, name: str) -> tuple[int, int]:
    """A ``[width, height]`` read from a file: two whole numbers of pixels, 1 to 16384."""
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and all(1 <= v <= MAX_SIDE_PX for v in value)
    ):
        return int(value[0]), int(value[1])
    raise ValueError(
        f"{name} must be [width, height] in whole pixels from 1 to {MAX_SIDE_PX} "
        f"(got {_shown_list(value)})"
    )


def timestamp(value: object, name: str) -> int:
    """A time in milliseconds read from a file: a finite number from 0 to a day."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value) if not isinstance(value, int) or abs(value) < 10**18 else math.inf
        if math.isfinite(number) and 0 <= number <= MAX_TIMESTAMP_MS:
            return round(number)
    raise ValueError(
        f"{name} must be a number of milliseconds from 0 to {MAX_TIMESTAMP_MS} (got {shown(value)})"
    )


def _shown_list(value: object) -> str:
    if isinstance(value, list) and len(value) <= 4:
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return shown(value)


def _array(data: Mapping[str, Any], key: str, shape: tuple[int, ...], what: str) -> FloatArray:
    """The list under ``key`` as a float array of ``shape``; numbers only, not strings."""
    value = _field(data, key)
    try:
        array = np.array(value) if isinstance(value, list) else None
    except (ValueError, TypeError, OverflowError, RecursionError):
        array = None
    if array is None or array.shape != shape or array.dtype.kind not in "iuf":
        raise ValueError(
            f"{key} must be a list of {shape[0]} {what} (got {_described_array(value)})"
        )
    return array.astype(np.float64, copy=False)


def _numbers(
    data: Mapping[str, Any],
    key: str,
    shape: tuple[int, ...],
    what: str,
    bound: float | FloatArray,
    bound_text: str,
) -> FloatArray:
    """An array of finite numbers of ``shape``, each within ``bound`` of zero."""
    out = _array(data, key, shape, what)
    # One pass for the usual case: NaN and infinity also fail `<=`.
    if not (np.abs(out) <= bound).all():
        if not np.isfinite(out).all():
            raise ValueError(f"{key} must hold finite numbers (got NaN or infinity)")
        worst = float(np.abs(out).max())
        raise ValueError(f"{key} must stay within {bound_text} of the origin (got {worst:.6g})")
    return out


def _scores(data: Mapping[str, Any], key: str) -> FloatArray:
    out = _array(data, key, (NUM_LANDMARKS,), "scores from 0 to 1")
    inside = (out >= 0) & (out <= 1)  # False for NaN too
    if not inside.all():
        bad = float(out[~inside][0])
        raise ValueError(f"{key} must hold scores from 0 to 1 (got {bad:.6g})")
    return out


def _described_array(value: object) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}" + (
            f" whose first item is {shown(value[0])}" if value else ""
        )
    return shown(value)


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
