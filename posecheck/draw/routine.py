"""The routine plate: which step this is, what it prescribes, and the keys.

Drawn in place at the left edge, below the rep counters, on a frame the
caller owns (a copy `overlay.compose` made). Drawing only, never state.
"""

from __future__ import annotations

from collections.abc import Sequence

from posecheck.draw.style import DEFAULT_STYLE, Frame, Style, fit, put_text, px, shade, text_size


def draw_routine_plate(
    out: Frame, lines: Sequence[str], counter_lines: int = 2, style: Style = DEFAULT_STYLE
) -> None:
    """Lines of text on one translucent plate at the left, under the rep counters
    (``counter_lines`` of them: the rep, and the side of a sided stretch); each
    line shrunk to fit half the frame's width."""
    if not lines:
        return
    k = style.scale_for(out)
    pad, gap, m = px(style.plate_pad_px, k), px(style.line_gap_px, k), px(style.margin_px, k)
    base = style.font_scale * k
    _, line_h, line_d = text_size("Ag", base, k, style)
    top = m + 2 * pad + counter_lines * (line_h + line_d + gap) + m
    room = max(1, out.shape[1] // 2 - 2 * pad)
    scales = [fit(line, base, room, k, style) for line in lines]
    sizes = [text_size(line, s, k, style) for line, s in zip(lines, scales, strict=True)]
    width = max(w for w, _, _ in sizes)
    height = sum(h + d for _, h, d in sizes) + gap * (len(lines) - 1)
    shade(out, (m, top, m + width + 2 * pad, top + height + 2 * pad), style)
    y = top + pad
    for line, scale, (_, h, d) in zip(lines, scales, sizes, strict=True):
        put_text(out, line, (m + pad, y + h), style.text, scale, k, style)
        y += h + d + gap
