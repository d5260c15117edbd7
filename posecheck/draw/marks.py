"""Check marks: where each check was measured, what it measured and how it did.

An angle check gets an arc across the angle at its joint; any other check a
round mark at its anchor. Every judged value gets a label with the value and
the allowed range. Status shows twice, by colour and by shape, so it reads
without colour vision: a tick (pass), a tilde (borderline), a cross (fail),
each on a disc in the palette's colour, or a hollow grey ring (can't tell).

Draws in place on a frame the caller owns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import cv2
import numpy as np

from posecheck.body.landmarks import Pose
from posecheck.catalog.reference import CheckKind
from posecheck.draw.style import (
    DEFAULT_STYLE,
    Frame,
    Style,
    Xy,
    pt,
    put_text,
    px,
    shade,
    status_colour,
    text_size,
    tint_sector,
)
from posecheck.form.points import mean_xy, seen_groups
from posecheck.form.results import CheckResult, Status, Verdict, target_text

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# Sub-pixel precision for the mark's strokes (cv2's ``shift``: 4 fractional bits).
_SHIFT = 4


def check_label(result: CheckResult) -> str:
    """The measured value and the allowed range, e.g. ``96° / 90 ± 20°`` or
    ``0.12 / ≥ 0.15 len``: degrees whole, lengths and ratios to two decimals."""
    unit = result.check.kind.unit
    value = "?" if result.value is None else unit.value_text(result.value)
    return f"{value} / {target_text(result.check)}"


def draw_status_mark(
    out: Frame, centre: Xy, radius: int, status: Status, style: Style = DEFAULT_STYLE
) -> None:
    """A check's status as a disc in its colour with a tick (pass), a tilde
    (borderline) or a cross (fail) inside; can't tell is a hollow grey ring."""
    k = style.scale_for(out)
    colour = status_colour(status, style)
    c = pt(centre)
    if status == Status.UNKNOWN:
        cv2.circle(out, c, radius, colour, px(style.mark_px, k), cv2.LINE_AA)
        return
    cv2.circle(out, c, radius, colour, -1, cv2.LINE_AA)
    r = 0.55 * radius
    x, y = centre
    strokes: list[list[tuple[float, float]]]
    if status == Status.PASS:
        strokes = [[(x - r, y), (x - 0.3 * r, y + 0.7 * r), (x + r, y - 0.7 * r)]]
    elif status == Status.FAIL:
        d = 0.75 * r
        strokes = [[(x - d, y - d), (x + d, y + d)], [(x - d, y + d), (x + d, y - d)]]
    else:  # borderline: one wave of a sine
        strokes = [
            [
                (x + 1.2 * r * t / 8.0, y - 0.4 * r * math.sin(math.pi * t / 8.0))
                for t in range(-8, 9)
            ]
        ]
    scaled = [np.round(np.array(s) * (1 << _SHIFT)).astype(np.int32) for s in strokes]
    thickness = px(style.mark_px, k)
    cv2.polylines(out, scaled, False, style.mark_ink, thickness, cv2.LINE_AA, _SHIFT)


def _label_box(text: str, with_mark: bool, k: float, style: Style) -> tuple[int, int]:
    """Width and height of a label's content: the text, after a status mark if any."""
    w, h, d = text_size(text, style.label_font_scale * k, k, style)
    r = px(style.dot_radius_px, k, least=3)
    mark_w = 2 * r + px(style.line_gap_px, k) if with_mark else 0
    return mark_w + w, max(h + d, 2 * r if with_mark else 0)


def _inside(out: Frame, x: float, y: float, size: tuple[int, int], k: float, style: Style) -> Xy:
    """A box's top left corner moved so the whole box stays inside the frame."""
    m = px(style.margin_px, k)
    frame_h, frame_w = out.shape[:2]
    w, h = size
    return min(max(m, x), frame_w - w - m), min(max(m, y), frame_h - h - m)


def _label_on(
    out: Frame, text: str, corner: Xy, result: CheckResult, with_mark: bool, style: Style
) -> None:
    """A label on a translucent plate; ``corner`` is its content's top left."""
    k = style.scale_for(out)
    scale = style.label_font_scale * k
    w_box, h_box = _label_box(text, with_mark, k, style)
    _, h, d = text_size(text, scale, k, style)
    x, y = round(corner[0]), round(corner[1])
    pad = px(style.line_gap_px, k)
    shade(out, (x - pad, y - pad, x + w_box + pad, y + h_box + pad), style)
    if with_mark:
        r = px(style.dot_radius_px, k, least=3)
        draw_status_mark(out, (x + r, y + h_box / 2.0), r, result.status, style)
        x += 2 * r + pad
    baseline = y + (h_box - h - d) // 2 + h
    put_text(out, text, (x, baseline), status_colour(result.status, style), scale, k, style)


def _angle_ends(pose: Pose, result: CheckResult, roles: Mapping[str, str]) -> tuple[Xy, Xy] | None:
    """The far ends of an angle check's two segments, on the landmarks it measured."""
    check = result.check
    groups = seen_groups(pose, check.points + (check.unit or ()), roles)[: len(check.points)]
    if not all(groups):
        return None
    first, last = mean_xy(pose, groups[0]), mean_xy(pose, groups[-1])
    return (float(first[0]), float(first[1])), (float(last[0]), float(last[1]))


def _arc_on(out: Frame, vertex: Xy, ends: tuple[Xy, Xy], result: CheckResult, style: Style) -> Xy:
    """An arc across the measured angle at its vertex; returns where its label goes,
    outside the angle (the label's top left corner)."""
    k = style.scale_for(out)
    (ax, ay), (cx, cy) = ends
    vx, vy = vertex
    start = math.degrees(math.atan2(ay - vy, ax - vx))
    span = (math.degrees(math.atan2(cy - vy, cx - vx)) - start) % 360.0
    if span > 180.0:
        start, span = start + span, 360.0 - span
    shortest = min(math.hypot(ax - vx, ay - vy), math.hypot(cx - vx, cy - vy))
    radius = max(3, min(px(style.arc_radius_px, k), round(style.arc_limb_share * shortest)))
    colour = status_colour(result.status, style)
    centre = pt(vertex)
    arc_px = px(style.arc_px, k)
    tint_sector(out, centre, radius, (start, start + span), colour, style.arc_fill_alpha)
    cv2.ellipse(
        out, centre, (radius, radius), 0.0, start, start + span, colour, arc_px, cv2.LINE_AA
    )
    label = check_label(result)
    w, h = _label_box(label, True, k, style)
    mid = math.radians(start + span / 2.0)
    ux, uy = -math.cos(mid), -math.sin(mid)  # away from the inside of the angle
    # Along the outward ray, from the box's centre to its edge: the label then sits
    # just past the arc, whatever its direction.
    to_edge = min(w / 2.0 / max(abs(ux), 1e-6), h / 2.0 / max(abs(uy), 1e-6))
    reach = radius + arc_px + 2 * px(style.line_gap_px, k) + to_edge
    return _inside(out, vx + ux * reach - w / 2.0, vy + uy * reach - h / 2.0, (w, h), k, style)


def _free_spot(
    out: Frame, corner: Xy, size: tuple[int, int], taken: list[Box], k: float, style: Style
) -> Xy:
    """Where a label goes: at ``corner`` if it overlaps no label placed before, else the
    nearest spot above or below that does (or ``corner`` when none is free)."""
    w, h = size
    step = h + 3 * px(style.line_gap_px, k)
    for shift in (0, 1, -1, 2, -2, 3, -3):
        x, y = _inside(out, corner[0], corner[1] + shift * step, size, k, style)
        box = (x, y, x + w, y + h)
        if not any(_overlap(box, other, px(style.line_gap_px, k)) for other in taken):
            taken.append(box)
            return x, y
    taken.append((corner[0], corner[1], corner[0] + w, corner[1] + h))
    return corner


def _overlap(a: Box, b: Box, gap: int) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def draw_check_marks(
    out: Frame, pose: Pose | None, verdict: Verdict, style: Style = DEFAULT_STYLE
) -> None:
    """Draw each check in place where it was measured: an angle as an arc at its joint
    with its label outside the angle, any other check as a status mark at its
    anchor with its label beside it. The labels go on last, so no mark covers
    one, and a label that would overlap an earlier one moves up or down."""
    k = style.scale_for(out)
    radius = px(style.dot_radius_px, k, least=3)
    gap = px(style.line_gap_px, k)
    labels: list[tuple[CheckResult, Xy, bool]] = []
    for result in verdict.results:
        if result.anchor_px is None:
            continue
        ends = None
        if pose is not None and result.check.kind == CheckKind.ANGLE and result.value is not None:
            ends = _angle_ends(pose, result, verdict.roles)
        if ends is not None:
            labels.append((result, _arc_on(out, result.anchor_px, ends, result, style), True))
            continue
        draw_status_mark(out, result.anchor_px, radius, result.status, style)
        if result.value is not None:
            w, h = _label_box(check_label(result), False, k, style)
            x, y = result.anchor_px
            # Right of the mark, or left of it where the frame ends first.
            room = out.shape[1] - px(style.margin_px, k) - (x + radius + 2 * gap)
            left = x + radius + 2 * gap if w <= room else x - radius - 2 * gap - w
            labels.append((result, (left, y - h / 2.0), False))
    taken: list[Box] = []
    for result, corner, with_mark in labels:
        text = check_label(result)
        size = _label_box(text, with_mark, k, style)
        _label_on(
            out, text, _free_spot(out, corner, size, taken, k, style), result, with_mark, style
        )
