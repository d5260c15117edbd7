"""The history as a picture: minutes per day over the last 12 weeks as bars, and
each stretch's range of motion as a line, session by session.

The same `Chart` becomes an HTML page with inline SVG (no OpenCV loaded) or a
PNG drawn by `posecheck.draw.chart_image`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path

from posecheck import atomic
from posecheck.catalog.reference import Reference
from posecheck.draw.charts import Bars, Chart, Lines, tick_text, value_range, value_ticks
from posecheck.errors import InputError
from posecheck.history.records import SessionRecord
from posecheck.history.stats import calendar, minutes_per_day, more_range, rom_series

PLOT_DAYS = 12 * 7
PLOT_SUFFIXES = (".png", ".html")
_UNIT_WORDS = {"deg": "degrees", "len": "body lengths", "ratio": "ratio"}


def build_chart(
    sessions: Sequence[SessionRecord],
    today: date,
    references: Mapping[str, Reference] | None = None,
) -> Chart:
    """Minutes per day over the `PLOT_DAYS` ending today, and one line per progress
    check of each stretch, over the same days. ``references`` give the stretches' names
    and which way each line means more range."""
    references = references or {}
    days = calendar(today, PLOT_DAYS)
    ticks = tuple((i, d.strftime("%d %b")) for i, d in enumerate(days) if d.weekday() == 0)
    bars = Bars(
        "Minutes stretched per day, last 12 weeks",
        "minutes",
        tuple(round(m, 2) for m in minutes_per_day(sessions, days)),
        ticks[::2],
    )
    index = {d: i for i, d in enumerate(days)}
    lines = []
    for series in rom_series(sessions):
        points = tuple(
            (index[p.session.day], p.value) for p in series.points if p.session.day in index
        )
        if points:
            lines.append(
                Lines(
                    f"{_name(references, series.stretch)}: {series.label}",
                    _UNIT_WORDS.get(series.unit, series.unit)
                    + _WAY[_direction(references, series.stretch, series.check_id)],
                    len(days),
                    points,
                    ticks[::2],
                )
            )
    return Chart(f"posecheck practice history to {today.isoformat()}", bars, tuple(lines))


_WAY = {1: "; higher is more range", -1: "; lower is more range", 0: ""}


def _name(references: Mapping[str, Reference], stretch: str) -> str:
    ref = references.get(stretch)
    return ref.name if ref else stretch


def _direction(references: Mapping[str, Reference], stretch: str, check_id: str) -> int:
    ref = references.get(stretch)
    check = next((c for c in ref.checks if c.id == check_id), None) if ref else None
    return more_range(check) if check else 0


def write_plot(path: Path, chart: Chart) -> None:
    """Write the chart as .html (inline SVG) or .png, atomically."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        atomic.write(path, html_page(chart), keep_suffix=True)
    elif suffix == ".png":
        # Only a PNG needs OpenCV; the HTML page never loads it.
        from posecheck.draw.chart_image import render
        from posecheck.io.video import write_image

        write_image(path, render(chart))
    else:
        raise InputError(f"{path}: cannot plot to this suffix; use .png or .html")


_W, _H = 900, 240
_X0, _X1, _Y0, _Y1 = 60, 885, 30, 205


def html_page(chart: Chart) -> str:
    panels = [_svg_bars(chart.bars)] + [_svg_lines(lines) for lines in chart.lines]
    if not chart.lines:
        panels.append(
            "<p>No range-of-motion measurements in these 12 weeks yet: they come from "
            "holds of stretches whose reference file names its progress checks.</p>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(chart.title)}</title><style>body{{font-family:sans-serif;"
        "margin:2em;color:#24292f}svg{display:block;margin:1em 0}text{font-size:12px}"
        "</style></head><body>"
        f"<h1>{escape(chart.title)}</h1>\n" + "\n".join(panels) + "\n</body></html>\n"
    )


def _axes(title: str, unit: str, low: float, high: float) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(title)}">',
        f'<text x="{_X0}" y="16" font-weight="bold">{escape(title)} ({escape(unit)})</text>',
    ]
    for value in value_ticks(low, high):
        y = _y(value, low, high)
        parts.append(f'<line x1="{_X0}" x2="{_X1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{_X0 - 6}" y="{y + 4:.1f}" text-anchor="end">{tick_text(value)}</text>'
        )
    parts.append(f'<line x1="{_X0}" x2="{_X1}" y1="{_Y1}" y2="{_Y1}" stroke="#24292f"/>')
    return parts


def _y(value: float, low: float, high: float) -> float:
    return _Y1 - (value - low) / (high - low) * (_Y1 - _Y0)


def _x(index: int, slots: int) -> float:
    return _X0 + (index + 0.5) * (_X1 - _X0) / max(slots, 1)


def _x_ticks(ticks: tuple[tuple[int, str], ...], slots: int) -> list[str]:
    return [
        f'<text x="{_x(i, slots):.1f}" y="{_Y1 + 18}" text-anchor="middle">{escape(label)}</text>'
        for i, label in ticks
    ]


def _svg_bars(bars: Bars) -> str:
    low, high = value_range(list(bars.values), from_zero=True)
    parts = _axes(bars.title, bars.unit, low, high)
    slots = len(bars.values)
    width = 0.7 * (_X1 - _X0) / max(slots, 1)
    for i, value in enumerate(bars.values):
        if value > 0:
            y = _y(value, low, high)
            parts.append(
                f'<rect x="{_x(i, slots) - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{_Y1 - y:.1f}" fill="#0969da"><title>{value:g} min</title></rect>'
            )
    return "".join(parts + _x_ticks(bars.ticks, slots) + ["</svg>"])


def _svg_lines(lines: Lines) -> str:
    low, high = value_range([v for _, v in lines.points], from_zero=False)
    parts = _axes(lines.title, lines.unit, low, high)
    xy = [(_x(i, lines.slots), _y(v, low, high)) for i, v in lines.points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    parts.append(f'<polyline points="{path}" fill="none" stroke="#1a7f37" stroke-width="2"/>')
    parts += [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1a7f37"><title>{v:g}</title></circle>'
        for (x, y), (_, v) in zip(xy, lines.points, strict=True)
    ]
    return "".join(parts + _x_ticks(lines.ticks, lines.slots) + ["</svg>"])
