"""A `Chart` drawn as a picture (BGR uint8), for a PNG: bars for minutes per day,
one panel of lines per range-of-motion series below."""

from __future__ import annotations

import cv2
import numpy as np

from posecheck.draw import text as fonts
from posecheck.draw.charts import Bars, Chart, Lines, tick_text, value_range, value_ticks
from posecheck.draw.style import Frame

WIDTH_PX = 1000
PANEL_PX = 240
TITLE_PX = 40
LEFT_PX, RIGHT_PX, TOP_PX, BOTTOM_PX = 60, 20, 34, 30
BACKGROUND = (255, 255, 255)
INK = (41, 41, 36)
GRID = (222, 218, 216)
BAR = (218, 105, 9)
LINE = (55, 127, 26)


def render(chart: Chart) -> Frame:
    """The whole chart: its title, the bars, then each line panel."""
    height = TITLE_PX + PANEL_PX * (1 + len(chart.lines))
    image = np.full((height, WIDTH_PX, 3), BACKGROUND, np.uint8)
    _text(image, chart.title, (LEFT_PX - 40, 28), 0.8)
    _bars(image, chart.bars, TITLE_PX)
    for i, lines in enumerate(chart.lines):
        _lines(image, lines, TITLE_PX + PANEL_PX * (i + 1))
    return image


def _text(image: Frame, text: str, org: tuple[int, int], scale: float = 0.45) -> None:
    """Text in the bundled font, its baseline at ``org``; ``scale`` as OpenCV's
    Hershey scale (about 30 px per unit)."""
    fonts.draw_line(image, text, org, INK, round(scale * 30))


def _frame(
    image: Frame, top: int, title: str, unit: str, low: float, high: float
) -> tuple[int, int, int, int]:
    """Title, value grid and labels of a panel; returns its plot area (x0, y0, x1, y1)."""
    x0, x1 = LEFT_PX, WIDTH_PX - RIGHT_PX
    y0, y1 = top + TOP_PX, top + PANEL_PX - BOTTOM_PX
    _text(image, f"{title} ({unit})", (x0 - 40, top + 20), 0.55)
    for value in value_ticks(low, high):
        y = round(y1 - (value - low) / (high - low) * (y1 - y0))
        cv2.line(image, (x0, y), (x1, y), GRID, 1)
        _text(image, tick_text(value), (8, y + 5))
    cv2.line(image, (x0, y1), (x1, y1), INK, 1)
    return x0, y0, x1, y1


def _x_ticks(image: Frame, ticks: tuple[tuple[int, str], ...], x_of: list[int], y1: int) -> None:
    for index, label in ticks:
        if 0 <= index < len(x_of):
            cv2.line(image, (x_of[index], y1), (x_of[index], y1 + 4), INK, 1)
            _text(image, label, (x_of[index] - 18, y1 + 20), 0.4)


def _bars(image: Frame, bars: Bars, top: int) -> None:
    low, high = value_range(list(bars.values), from_zero=True)
    x0, y0, x1, y1 = _frame(image, top, bars.title, bars.unit, low, high)
    slot = (x1 - x0) / max(len(bars.values), 1)
    centres = [round(x0 + (i + 0.5) * slot) for i in range(len(bars.values))]
    for centre, value in zip(centres, bars.values, strict=True):
        if value > 0:
            y = round(y1 - (value - low) / (high - low) * (y1 - y0))
            half = max(1, round(slot * 0.35))
            cv2.rectangle(image, (centre - half, y), (centre + half, y1 - 1), BAR, -1)
    _x_ticks(image, bars.ticks, centres, y1)


def _lines(image: Frame, lines: Lines, top: int) -> None:
    low, high = value_range([v for _, v in lines.points], from_zero=False)
    x0, y0, x1, y1 = _frame(image, top, lines.title, lines.unit, low, high)
    slot = (x1 - x0) / max(lines.slots, 1)
    xs = [round(x0 + (i + 0.5) * slot) for i in range(lines.slots)]
    points = [
        (xs[i], round(y1 - (v - low) / (high - low) * (y1 - y0)))
        for i, v in lines.points
        if 0 <= i < lines.slots
    ]
    if len(points) > 1:
        cv2.polylines(image, [np.array(points, np.int32)], False, LINE, 2, cv2.LINE_AA)
    for p in points:
        cv2.circle(image, p, 4, LINE, -1, cv2.LINE_AA)
    _x_ticks(image, lines.ticks, xs, y1)
