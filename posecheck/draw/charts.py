"""Charts as plain data, and the arithmetic every renderer of them shares: where a
value lands and which ticks to label. No OpenCV here, so an SVG page can use it.

`posecheck.draw.chart_image` draws a `Chart` as a picture; the practice
history draws the same `Chart` as SVG for its HTML page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bars:
    """One bar per slot (a day), left to right; ``ticks`` labels some slots by index."""

    title: str
    unit: str
    values: tuple[float, ...]
    ticks: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Lines:
    """A value over slots (days since the start of the axis); ``ticks`` as in `Bars`."""

    title: str
    unit: str
    slots: int
    points: tuple[tuple[int, float], ...]
    ticks: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Chart:
    title: str
    bars: Bars
    lines: tuple[Lines, ...] = ()


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``count`` ticks."""
    raw = max(span, 1e-9) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def value_ticks(low: float, high: float, count: int = 4) -> list[float]:
    step = nice_step(high - low, count)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def value_range(values: list[float], *, from_zero: bool) -> tuple[float, float]:
    """The axis range for these values, padded; bars always start at zero."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if from_zero:
        low = min(0.0, low)
    pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
    return (low if from_zero else low - pad), high + pad


def tick_text(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:g}"
