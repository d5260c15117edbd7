"""Drawing on frames: the skeleton and short captions. Drawing only, never state.

Style lives in one frozen dataclass so every picture posecheck makes looks
the same and a test can rebuild the expected image from the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from posecheck.checks import Status, Verdict
from posecheck.landmarks import SKELETON, VISIBLE, Pose

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    """Colours (BGR), thickness and font size, scaled to the frame by `scale_for`."""

    bone: BGR = (255, 200, 0)
    bone_unseen: BGR = (140, 140, 140)
    joint: BGR = (255, 255, 255)
    text: BGR = (255, 255, 255)
    text_shadow: BGR = (0, 0, 0)
    passed: BGR = (80, 200, 60)
    failed: BGR = (40, 40, 230)
    unknown: BGR = (150, 150, 150)
    banner: BGR = (30, 30, 30)
    bone_px: int = 3
    joint_radius_px: int = 4
    font_scale: float = 0.6
    # Reference height the sizes above are meant for; larger frames scale up.
    base_height_px: int = 480

    def scale_for(self, frame: Frame) -> float:
        return max(1.0, float(frame.shape[0]) / self.base_height_px)


DEFAULT_STYLE = Style()


def _pt(xy: npt.NDArray[np.float64]) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))


def draw_skeleton(frame: Frame, pose: Pose, style: Style = DEFAULT_STYLE) -> Frame:
    """Draw the bones and joints of ``pose`` on a copy of a BGR uint8 (H, W, 3) frame.

    Bones with an end the model does not see are drawn grey, so a guessed
    limb never looks as certain as a seen one.
    """
    out = frame.copy()
    k = style.scale_for(frame)
    bone_px = max(1, round(style.bone_px * k))
    radius = max(1, round(style.joint_radius_px * k))
    for a, b in SKELETON:
        seen = pose.visibility[a] >= VISIBLE and pose.visibility[b] >= VISIBLE
        colour = style.bone if seen else style.bone_unseen
        cv2.line(out, _pt(pose.xy_px[a]), _pt(pose.xy_px[b]), colour, bone_px, cv2.LINE_AA)
    for a in {lm for bone in SKELETON for lm in bone}:
        if pose.visibility[a] >= VISIBLE:
            cv2.circle(out, _pt(pose.xy_px[a]), radius, style.joint, -1, cv2.LINE_AA)
    return out


def draw_caption(frame: Frame, lines: Sequence[str], style: Style = DEFAULT_STYLE) -> Frame:
    """Write lines of text at the top left of a copy of the frame, with a shadow for contrast."""
    out = frame.copy()
    k = style.scale_for(frame)
    scale = style.font_scale * k
    thickness = max(1, round(1.5 * k))
    y = 0
    for line in lines:
        (_, h), baseline = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        y += h + baseline + round(4 * k)
        _text(out, line, (round(10 * k), y), style.text, scale, k, style)
    return out


def _status_colour(status: Status, style: Style) -> BGR:
    return {Status.PASS: style.passed, Status.FAIL: style.failed}.get(status, style.unknown)


def _text(
    out: Frame, text: str, org: tuple[int, int], colour: BGR, scale: float, k: float, style: Style
) -> None:
    """Text in place with a dark outline, readable on bright and dark backgrounds."""
    thickness = max(1, round(1.5 * k))
    cv2.putText(
        out,
        text,
        org,
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        style.text_shadow,
        thickness + max(2, round(2 * k)),
        cv2.LINE_AA,
    )
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA)


def draw_banner(frame: Frame, text: str, style: Style = DEFAULT_STYLE) -> Frame:
    """A dark band across the bottom of a copy of the frame with one line of text."""
    out = frame.copy()
    k = style.scale_for(frame)
    scale = style.font_scale * k * 1.1
    thickness = max(1, round(1.5 * k))
    (w_text, h_text), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = round(10 * k)
    h, w = out.shape[:2]
    top = h - h_text - baseline - 2 * pad
    band = out[top:, :]
    band[:] = (band * 0.35 + np.array(style.banner) * 0.65).astype(np.uint8)
    x = max(pad, (w - w_text) // 2)
    _text(out, text, (x, h - pad - baseline), style.text, scale, k, style)
    return out


def draw_verdict(frame: Frame, pose: Pose, verdict: Verdict, style: Style = DEFAULT_STYLE) -> Frame:
    """Skeleton, each check's measured value at its joint (green pass, red fail, grey
    unknown), a title line and the top cue in a banner."""
    out = draw_skeleton(frame, pose, style)
    k = style.scale_for(frame)
    scale = style.font_scale * k * 0.9
    radius = max(3, round(7 * k))
    stacked: dict[tuple[int, int], int] = {}
    for result in verdict.results:
        if result.anchor_px is None:
            continue
        colour = _status_colour(result.status, style)
        centre = _pt(np.asarray(result.anchor_px))
        cv2.circle(out, centre, radius, colour, -1, cv2.LINE_AA)
        if result.value is None:
            continue
        # Hershey fonts have no degree sign; lengths and ratios get two decimals.
        degrees = result.check.kind.value in ("angle", "inclination")
        value = f"{result.value:.0f}" if degrees else f"{result.value:.2f}"
        # Labels at the same joint stack downwards instead of overprinting.
        row = stacked.get(centre, 0)
        stacked[centre] = row + 1
        org = (centre[0] + radius + round(4 * k), centre[1] + round(row * 22 * k))
        _text(out, f"{result.check.id} {value}", org, colour, scale, k, style)
    state = "aligned" if verdict.aligned else "not aligned"
    out = draw_caption(out, [f"{verdict.stretch}: {state}, score {verdict.score}"], style)
    if verdict.cue:
        out = draw_banner(out, verdict.cue, style)
    return out
