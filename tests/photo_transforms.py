"""Re-photographing a labelled photo: mirror, scale, rotation, brightness, crop.

The robustness test and bench/error_bands.py both ask how much a check's
value and a verdict move when the same pose is photographed a little
differently. Each transform keeps the whole body in the picture.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]


def mirror(image: Image) -> Image:
    return np.ascontiguousarray(image[:, ::-1])


def scale(image: Image, factor: float) -> Image:
    h, w = image.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)


def rotate(image: Image, degrees: float) -> Image:
    """Turned about the centre on a canvas grown to hold the whole photo (edges repeated)."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += new_w / 2.0 - w / 2.0
    matrix[1, 2] += new_h / 2.0 - h / 2.0
    out = cv2.warpAffine(image, matrix, (new_w, new_h), borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.uint8)


def brightness(image: Image, factor: float) -> Image:
    return np.asarray(np.clip(image.astype(np.float32) * factor, 0, 255), dtype=np.uint8)


def crop_to(image: Image, box: Box, margin: float = 0.15) -> Image:
    """The photo cut down to the body's box grown by ``margin`` of its size on each side."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    left, top = max(0, int(x0 - mx)), max(0, int(y0 - my))
    right, bottom = min(w, int(x1 + mx) + 1), min(h, int(y1 + my) + 1)
    return np.ascontiguousarray(image[top:bottom, left:right])


def transforms(box: Box) -> dict[str, Callable[[Image], Image]]:
    """The re-photographs, by name; ``box`` is the body's box in the original photo."""
    return {
        "mirror": mirror,
        "scale 0.7": lambda im: scale(im, 0.7),
        "scale 1.3": lambda im: scale(im, 1.3),
        "rotate -10": lambda im: rotate(im, -10.0),
        "rotate +10": lambda im: rotate(im, 10.0),
        "brightness -30%": lambda im: brightness(im, 0.7),
        "brightness +30%": lambda im: brightness(im, 1.3),
        "crop": lambda im: crop_to(im, box),
    }
