"""Text on pictures with a real font: the bundled DejaVu Sans, rendered by Pillow.

OpenCV's own fonts draw ASCII only, and the opencv wheels carry no
``cv2.freetype``, so each line is rendered once by Pillow into two masks (the
letters, and the letters grown by an outline) and blended into the frame in
place. The last lines drawn are kept ready to blend (a label repeats frame
after frame), so a line costs its blend, not its rendering, from the second
frame on; the keep is bounded (`_KEPT` lines, a few tens of MB at 1080p).

Sizes are in pixels: ``size_px`` is the font size (the em), and a line's
height is its ascent above the baseline plus its descent below it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from posecheck import resources
from posecheck.errors import ModelError

FONT_FILE = "DejaVuSans.ttf"
# How many drawn lines are kept ready to blend.
_KEPT = 128

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]
Share = npt.NDArray[np.float32]


@functools.lru_cache(maxsize=64)
def font(size_px: int) -> ImageFont.FreeTypeFont:
    """The bundled font at ``size_px``; a missing or damaged file is a `ModelError`."""
    path = resources.find("fonts", FONT_FILE)
    try:
        return ImageFont.truetype(str(path), max(1, size_px))
    except OSError:
        raise ModelError(
            f"{path}: the bundled font is missing or damaged; reinstall posecheck-stretch"
        ) from None


@functools.lru_cache(maxsize=4096)
def line_size(text: str, size_px: int) -> tuple[int, int, int]:
    """Width, ascent above the baseline and descent below it, of a line at ``size_px``.

    Ascent and descent are the font's, not the line's, so lines of the same
    size stack evenly whatever letters they hold.
    """
    face = font(size_px)
    ascent, descent = face.getmetrics()
    return round(face.getlength(text)), int(ascent), int(descent)


@dataclass(frozen=True)
class Rendered:
    """A line's two masks as shares (H, W, 1): the letters and the outline under them;
    ``left`` and ``top`` place the masks' corner relative to the text's origin on
    its baseline."""

    ink: Share
    halo: Share
    left: int
    top: int


def _mask(
    text: str, face: ImageFont.FreeTypeFont, box: tuple[int, int, int, int], grow: int
) -> Share:
    image = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
    ImageDraw.Draw(image).text(
        (-box[0], -box[1]),
        text,
        font=face,
        fill=255,
        anchor="ls",
        stroke_width=grow,
        stroke_fill=255,
    )
    return (np.asarray(image, np.float32) * np.float32(1.0 / 255.0))[..., None]


def rendered(text: str, size_px: int, outline_px: int) -> Rendered:
    """``text`` rendered at ``size_px`` with an outline ``outline_px`` wide."""
    face = font(size_px)
    box = face.getbbox(text, anchor="ls", stroke_width=outline_px)
    box = (
        int(box[0]),
        int(box[1]),
        max(int(box[2]), int(box[0]) + 1),
        max(int(box[3]), int(box[1]) + 1),
    )
    ink = _mask(text, face, box, 0)
    halo = _mask(text, face, box, outline_px) if outline_px > 0 else np.zeros_like(ink)
    return Rendered(ink, halo, box[0], box[1])


def draw_line(
    out: Frame,
    text: str,
    origin: tuple[int, int],
    colour: BGR,
    size_px: int,
    *,
    outline: BGR | None = None,
    outline_px: int = 0,
) -> None:
    """Draw one line in place with the start of its baseline at ``origin`` (x, y),
    outlined in ``outline`` when given, clipped to the frame."""
    if not text.strip():
        return
    grow = outline_px if outline is not None else 0
    keep, add, left, top = _painted(text, size_px, grow, colour, outline or colour)
    h, w = out.shape[:2]
    x0, y0 = origin[0] + left, origin[1] + top
    mh, mw = keep.shape[:2]
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(w, x0 + mw), min(h, y0 + mh)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    roi = out[cy0:cy1, cx0:cx1]
    cut = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    roi[:] = (roi * keep[cut] + add[cut]).astype(np.uint8)


@functools.lru_cache(maxsize=_KEPT)
def _painted(
    text: str, size_px: int, outline_px: int, colour: BGR, outline: BGR
) -> tuple[Share, npt.NDArray[np.float32], int, int]:
    """A line in its colours as one blend, kept: the picture behind is multiplied by
    the first array and the second added (the outline under the letters, and half
    a step for rounding), so drawing it costs one multiply and one add per pixel;
    then where the arrays' corner goes from the text's origin, as in `Rendered`."""
    line = rendered(text, size_px, outline_px)
    one = np.float32(1.0)
    halo = line.halo if outline_px > 0 else np.zeros_like(line.ink)
    keep = (one - halo) * (one - line.ink)
    add = (
        np.asarray(outline, np.float32) * halo * (one - line.ink)
        + np.asarray(colour, np.float32) * line.ink
        + np.float32(0.5)
    )
    return keep, add, line.left, line.top
