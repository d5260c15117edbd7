"""The coaching panel: the rep and side counters, the phase line and the hold ring;
and the text every picture can carry, a caption and the cue banner.

Draws in place on a frame the caller owns.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2

from posecheck.coaching.session import TIMED_PHASES, CoachState, Phase
from posecheck.draw.style import (
    DEFAULT_STYLE,
    EM_PX,
    Frame,
    Style,
    blend,
    fit,
    put_text,
    px,
    shade,
    text_size,
    tint_sector,
)

# The phases whose hold timer is running or waiting to resume.


def draw_panel(out: Frame, state: CoachState, style: Style = DEFAULT_STYLE) -> None:
    """The coaching panel in place: the rep and side counters (top left), the phase
    line (top centre) and, while holding or paused, the hold ring (top right)."""
    k = style.scale_for(out)
    m = px(style.margin_px, k)
    _lines_on(out, counter_lines(state), m, m, style.font_scale * k, style)
    draw_phase(out, state, style)
    if state.phase in TIMED_PHASES:
        draw_hold_ring(out, state.held_s, state.target_s, state.phase == Phase.PAUSED, style)


def _ring_centre(out: Frame, k: float, style: Style) -> tuple[tuple[int, int], int, int]:
    """Centre, stroke radius and plate radius of the hold ring in the top right corner."""
    radius = px(style.ring_radius_px, k)
    plate = radius + px(style.ring_px, k) // 2 + px(style.line_gap_px, k)
    m = px(style.margin_px, k)
    return (out.shape[1] - m - plate, m + plate), radius, plate


def draw_hold_ring(
    out: Frame,
    held_s: float,
    target_s: float,
    paused: bool = False,
    style: Style = DEFAULT_STYLE,
) -> None:
    """The hold timer in place, in the top right corner: a grey ring filled clockwise
    from 12 o'clock by ``held_s / target_s`` (the pass colour, borderline's while paused), with the
    seconds held in the middle and the target under them."""
    k = style.scale_for(out)
    centre, radius, plate = _ring_centre(out, k, style)
    ring_px = px(style.ring_px, k)
    tint_sector(out, centre, plate, (0.0, 360.0), style.plate, style.plate_alpha)
    cv2.circle(out, centre, radius, style.ring_track, ring_px, cv2.LINE_AA)
    share = min(1.0, max(0.0, held_s / target_s)) if target_s > 0 else 0.0
    if share > 0:
        colour = style.amber if paused else style.passed
        # cv2 angles run clockwise on screen; -90 is 12 o'clock.
        end = -90.0 + 360.0 * share
        cv2.ellipse(out, centre, (radius, radius), 0.0, -90.0, end, colour, ring_px, cv2.LINE_AA)
    inner = 2 * radius - ring_px - 2 * px(style.line_gap_px, k)
    number, caption = f"{held_s:.0f}", f"/ {target_s:.0f} s"
    big = fit(number, style.ring_font_scale * k, inner, k, style)
    small = fit(caption, style.ring_caption_font_scale * k, inner, k, style)
    nw, nh, _ = text_size(number, big, k, style)
    cw, ch, _ = text_size(caption, small, k, style)
    gap = px(style.line_gap_px, k) * 2
    top = centre[1] - (nh + gap + ch) // 2
    put_text(out, number, (centre[0] - nw // 2, top + nh), style.text, big, k, style)
    put_text(out, caption, (centre[0] - cw // 2, top + nh + gap + ch), style.text, small, k, style)


def counter_lines(state: CoachState) -> list[str]:
    """The rep counter and, for a sided stretch, the side: ``["Rep 2 of 4", "Left side"]``."""
    lines = [f"Rep {state.rep} of {state.reps_total}"]
    if state.side is not None:
        lines.append(f"{state.side.capitalize()} side")
    return lines


def _lines_on(out: Frame, lines: Sequence[str], x: int, y: int, scale: float, style: Style) -> None:
    """Lines of text on one plate whose top left corner is (x, y)."""
    k = style.scale_for(out)
    pad, gap = px(style.plate_pad_px, k), px(style.line_gap_px, k)
    sizes = [text_size(line, scale, k, style) for line in lines]
    width = max(w for w, _, _ in sizes)
    height = sum(h + d for _, h, d in sizes) + gap * (len(lines) - 1)
    shade(out, (x, y, x + width + 2 * pad, y + height + 2 * pad), style)
    y += pad
    for line, (_, h, d) in zip(lines, sizes, strict=True):
        put_text(out, line, (x + pad, y + h), style.text, scale, k, style)
        y += h + d + gap


def draw_phase(out: Frame, state: CoachState, style: Style = DEFAULT_STYLE) -> None:
    """The phase line in place, at the top centre on a plate; while confirming, a thin
    bar under it fills as the alignment is confirmed."""
    k = style.scale_for(out)
    frame_w = out.shape[1]
    pad, gap, m = px(style.plate_pad_px, k), px(style.line_gap_px, k), px(style.margin_px, k)
    room = max(frame_w // 3, frame_w - 2 * px(style.side_reserve_px, k) - 2 * pad)
    scale = fit(state.phase_text, style.phase_font_scale * k, room, k, style)
    w, h, d = text_size(state.phase_text, scale, k, style)
    confirming = state.phase == Phase.CONFIRMING
    bar_h = px(style.progress_px, k) if confirming else 0
    x = (frame_w - w) // 2
    bottom = m + pad + h + d + (gap + bar_h if confirming else 0) + pad
    shade(out, (x - pad, m, x + w + pad, bottom), style)
    put_text(out, state.phase_text, (x, m + pad + h), style.text, scale, k, style)
    if confirming:
        top = m + pad + h + d + gap
        fill = round(w * min(1.0, max(0.0, state.confirm_progress)))
        cv2.rectangle(out, (x, top), (x + w - 1, top + bar_h - 1), style.ring_track, -1)
        if fill > 0:
            cv2.rectangle(out, (x, top), (x + fill - 1, top + bar_h - 1), style.passed, -1)


def draw_caption(out: Frame, lines: Sequence[str], style: Style = DEFAULT_STYLE) -> None:
    """Write lines of text in place at the top left of the frame, outlined for contrast."""
    k = style.scale_for(out)
    scale = style.font_scale * k
    y = 0
    for line in lines:
        _, h, baseline = text_size(line, scale, k, style)
        y += h + baseline + px(style.line_gap_px, k)
        put_text(out, line, (px(style.margin_px, k), y), style.text, scale, k, style)


def _wrap(text: str, scale: float, max_w: int, k: float, style: Style) -> list[str]:
    """Words grouped into lines no wider than ``max_w`` (a single long word stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and text_size(trial, scale, k, style)[0] > max_w:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line]


def draw_banner(out: Frame, text: str, style: Style = DEFAULT_STYLE) -> None:
    """A dark band in place across the bottom of the frame with the text centred,
    wrapped onto more lines when it is wider than the frame. The text is
    `Style.banner_font_scale` of the frame's height (times the text scale)."""
    k = style.scale_for(out)
    h, w = out.shape[:2]
    # Sized by the frame's height, even in a portrait frame: the cue is what
    # must read from across the room, and it wraps onto more lines instead.
    scale = style.banner_font_scale * max(k, h / style.base_height_px)
    pad, gap = px(style.margin_px, k), px(style.line_gap_px, k)
    lines = _wrap(text, scale, w - 2 * pad, k, style)
    _, h_text, baseline = text_size(text, scale, k, style)
    step = h_text + baseline + gap
    top = h - len(lines) * step + gap - 2 * pad
    band = out[top:, :]
    blend(band, style.banner, style.banner_alpha)
    for i, line in enumerate(lines):
        w_line = text_size(line, scale, k, style)[0]
        x = max(pad, (w - w_line) // 2)
        put_text(out, line, (x, top + pad + h_text + i * step), style.text, scale, k, style)


def draw_headline(out: Frame, text: str, style: Style = DEFAULT_STYLE) -> None:
    """Big text in place at the centre of the frame (a get-ready countdown: "3"), on a
    translucent plate; `Style.headline_share` of the frame's height, shrunk to fit
    its width."""
    if not text.strip():
        return
    k = style.scale_for(out)
    h, w = out.shape[:2]
    pad = px(style.plate_pad_px, k)
    scale = style.headline_share * h / style.text_scale / EM_PX
    scale = fit(text, scale, w - 4 * pad, k, style)
    tw, th, td = text_size(text, scale, k, style)
    x, top = (w - tw) // 2, (h - th - td) // 2
    shade(out, (x - 2 * pad, top - pad, x + tw + 2 * pad, top + th + td + pad), style)
    put_text(out, text, (x, top + th), style.text, scale, k, style)


def draw_key_legend(
    out: Frame, keys: Sequence[tuple[str, str]], style: Style = DEFAULT_STYLE
) -> None:
    """The keys a window answers to, in place at the bottom right above the banner's
    usual place: one line per (key, what it does), e.g. ("q", "quit")."""
    if not keys:
        return
    k = style.scale_for(out)
    scale = style.ring_caption_font_scale * k
    lines = [f"{key}  {what}" for key, what in keys]
    pad, gap = px(style.plate_pad_px, k), px(style.line_gap_px, k)
    sizes = [text_size(line, scale, k, style) for line in lines]
    width = max(w for w, _, _ in sizes) + 2 * pad
    height = sum(a + d for _, a, d in sizes) + gap * (len(lines) - 1) + 2 * pad
    h, w = out.shape[:2]
    m = px(style.margin_px, k)
    # Above where a one-line cue banner goes, so the cue never hides it.
    banner_scale = style.banner_font_scale * max(k, h / style.base_height_px)
    _, ba, bd = text_size("Ag", banner_scale, k, style)
    bottom = h - (ba + bd + 2 * px(style.margin_px, k)) - m
    _lines_on(out, lines, w - m - width, max(m, bottom - height), scale, style)
