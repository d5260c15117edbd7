"""How posecheck's pictures look: colours, sizes and fonts in one frozen dataclass,
and the small in-place drawing helpers every part of the overlay shares.

Style lives in one place so every picture posecheck makes looks the same and
a test can rebuild the expected image from the same numbers. The default
palette is one that colour-blind eyes tell apart (blue for right, orange for
wrong, after Okabe and Ito); `styled` picks another palette or text size.
Status never shows by colour alone: the marks carry a tick, tilde or cross
and a failing bone is dashed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from posecheck.draw import text as fonts
from posecheck.form.results import Status

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]
Xy = tuple[float, float]

# Font scales below are in the units of OpenCV's Hershey fonts, which this
# style used first: the bundled font at EM_PX * scale pixels has about the
# capital height a Hershey font has at that scale.
EM_PX = 30.0

# name -> (pass, borderline, fail), BGR. "colour-blind" is Okabe and Ito's sky
# blue, yellow and vermillion: deuteranopes and protanopes tell blue from
# orange, and yellow from vermillion by lightness.
PALETTES: dict[str, tuple[BGR, BGR, BGR]] = {
    "colour-blind": ((233, 180, 86), (66, 228, 240), (0, 94, 213)),
    "classic": ((80, 200, 60), (0, 170, 255), (40, 40, 230)),
}


@dataclass(frozen=True)
class Style:
    """Colours (BGR), sizes in pixels at the base frame and font scales; `scale_for`
    says how much to enlarge them on a given frame."""

    # Plain bones are neutral, so no colour of the palette is taken by them.
    bone: BGR = (215, 215, 215)
    bone_unseen: BGR = (120, 120, 120)
    joint: BGR = (255, 255, 255)
    text: BGR = (255, 255, 255)
    text_shadow: BGR = (0, 0, 0)
    passed: BGR = PALETTES["colour-blind"][0]
    failed: BGR = PALETTES["colour-blind"][2]
    unknown: BGR = (150, 150, 150)
    banner: BGR = (30, 30, 30)
    bone_px: int = 3
    joint_radius_px: int = 4
    font_scale: float = 0.75
    # Every text size times this (`--text-scale`).
    text_scale: float = 1.0
    # Reference size the sizes here are meant for; larger frames scale up.
    base_height_px: int = 480
    base_width_px: int = 640
    # Borderline checks and a paused hold (amber in the classic palette).
    amber: BGR = PALETTES["colour-blind"][1]
    ring_track: BGR = (110, 110, 110)
    plate: BGR = (20, 20, 20)
    canvas: BGR = (45, 45, 45)
    # Share of the plate or banner colour over the picture behind it.
    plate_alpha: float = 0.6
    banner_alpha: float = 0.65
    text_px: float = 1.5
    # How far the dark outline reaches beyond the letters.
    outline_px: float = 2.0
    margin_px: int = 10
    plate_pad_px: int = 8
    line_gap_px: int = 4
    dot_radius_px: int = 7
    # The tick, tilde or cross inside a check's status mark.
    mark_ink: BGR = (255, 255, 255)
    mark_px: int = 2
    label_step_px: int = 22
    label_font_scale: float = 0.66
    # The cue: its letters from top to the descender's foot are over 5% of the
    # frame's height at text_scale 1 (meant to read from 2-3 m).
    banner_font_scale: float = 0.9
    phase_font_scale: float = 0.85
    ring_font_scale: float = 1.3
    ring_caption_font_scale: float = 0.55
    # The big centred text (a countdown number), as a share of the frame's height.
    headline_share: float = 0.3
    # A failing bone is drawn in dashes this long, with gaps this long.
    dash_px: int = 12
    dash_gap_px: int = 8
    arc_radius_px: int = 26
    arc_px: int = 3
    arc_fill_alpha: float = 0.3
    # At most this share of the shorter limb, so the arc never reaches the next joint.
    arc_limb_share: float = 0.6
    ring_radius_px: int = 46
    ring_px: int = 7
    progress_px: int = 5
    # Width kept free at each side of the phase line for the counters and the ring.
    side_reserve_px: int = 130

    def scale_for(self, frame: Frame) -> float:
        # The narrower ratio wins so a portrait frame does not get text wider than itself.
        h, w = frame.shape[:2]
        return max(1.0, min(float(h) / self.base_height_px, float(w) / self.base_width_px))


DEFAULT_STYLE = Style()


def styled(palette: str = "colour-blind", text_scale: float = 1.0) -> Style:
    """The default style with another palette (a name in `PALETTES`) or text size."""
    if palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}; one of {', '.join(PALETTES)}")
    if not 0.25 <= text_scale <= 4.0:
        raise ValueError(f"text scale must be 0.25 to 4 (got {text_scale})")
    passed, borderline, failed = PALETTES[palette]
    return replace(
        DEFAULT_STYLE, passed=passed, amber=borderline, failed=failed, text_scale=text_scale
    )


def pt(xy: npt.NDArray[np.float64] | Xy) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))


def px(size: float, k: float, least: int = 1) -> int:
    return max(least, round(size * k))


def font_px(scale: float, style: Style) -> int:
    """The font size in pixels for a font scale, with the style's text scale."""
    return max(6, round(scale * EM_PX * style.text_scale))


def text_size(text: str, scale: float, k: float, style: Style) -> tuple[int, int, int]:
    """Width, height above the baseline, and depth below it, of a line of text."""
    return fonts.line_size(text, font_px(scale, style))


def put_text(
    out: Frame, text: str, org: tuple[int, int], colour: BGR, scale: float, k: float, style: Style
) -> None:
    """Text in place, its baseline starting at ``org``, with a dark outline ``outline_px``
    wide (at the base frame) so it reads on bright and dark backgrounds alike."""
    fonts.draw_line(
        out,
        text,
        org,
        colour,
        font_px(scale, style),
        outline=style.text_shadow,
        outline_px=px(style.outline_px, k),
    )


def fit(text: str, scale: float, max_w: int, k: float, style: Style) -> float:
    """The font scale, shrunk if needed so the text fits in ``max_w`` pixels."""
    w = text_size(text, scale, k, style)[0]
    return scale if w <= max_w else scale * max_w / w


# One step of an 8-bit mask as a share, in single precision: the overlay blends
# several regions per frame, and float32 halves the time float64 takes.
_BYTE = np.float32(1.0 / 255.0)


def blend(roi: Frame, colour: BGR, share: npt.NDArray[np.float32] | float) -> None:
    """Mix ``colour`` into ``roi`` in place: by ``share`` (0 to 1), one value for the
    whole region or one per pixel with shape (H, W, 1)."""
    if isinstance(share, float) and colour[0] == colour[1] == colour[2]:
        # A grey at one share (the plates, the banner): OpenCV's scale-and-add in one
        # pass, several times faster than numpy's floats.
        roi[:] = cv2.convertScaleAbs(roi, alpha=1.0 - share, beta=colour[0] * share)
        return
    keep = np.float32(1.0) - share
    mixed = roi * keep + np.asarray(colour, np.float32) * share
    roi[:] = mixed.astype(np.uint8)


def shade(out: Frame, box: tuple[int, int, int, int], style: Style) -> None:
    """Darken a rectangle (x0, y0, x1, y1) in place with the translucent plate colour."""
    h, w = out.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    roi = out[y0:y1, x0:x1]
    blend(roi, style.plate, style.plate_alpha)


def tint_sector(
    out: Frame,
    centre: tuple[int, int],
    radius: int,
    angles: tuple[float, float],
    colour: BGR,
    alpha: float,
) -> None:
    """Blend a filled pie slice (a disc for 0 to 360 degrees) into the frame in place,
    with a smooth edge."""
    h, w = out.shape[:2]
    x0, y0 = max(0, centre[0] - radius - 1), max(0, centre[1] - radius - 1)
    x1, y1 = min(w, centre[0] + radius + 2), min(h, centre[1] + radius + 2)
    if x1 <= x0 or y1 <= y0:
        return
    roi = out[y0:y1, x0:x1]
    mask = np.zeros(roi.shape[:2], np.uint8)
    local = (centre[0] - x0, centre[1] - y0)
    cv2.ellipse(mask, local, (radius, radius), 0.0, angles[0], angles[1], 255, -1, cv2.LINE_AA)
    blend(roi, colour, mask[..., None] * np.float32(alpha / 255.0))


def status_colour(status: Status, style: Style) -> BGR:
    """The palette's pass, borderline and fail colours; grey for unknown."""
    colours = {Status.PASS: style.passed, Status.BORDERLINE: style.amber, Status.FAIL: style.failed}
    return colours.get(status, style.unknown)


def blank_canvas(image_wh: tuple[int, int], style: Style = DEFAULT_STYLE) -> Frame:
    """A dark grey BGR frame of ``image_wh`` (width, height), to replay recorded
    landmarks on when there is no video."""
    w, h = image_wh
    if w <= 0 or h <= 0:
        raise ValueError(f"blank_canvas needs a positive size (got {image_wh})")
    return np.full((h, w, 3), style.canvas, np.uint8)
