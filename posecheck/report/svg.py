"""The plots of a score report: each check's value over time as inline SVG.

Each plot shows the allowed range as a band, the reps as shaded spans, the
value as a line coloured by its status (breaks where it was not measured) and
a status strip below. Long recordings are thinned to `MAX_PLOT_POINTS` per
plot, keeping each slot's lowest and highest value so no spike is lost.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from posecheck.catalog.reference import CheckKind
from posecheck.report.summary import ScoreReport, Series

# Enough for one point per pixel column twice over (min and max) on a wide screen;
# a 10-minute video at 30 fps has 18,000 frames per check.
MAX_PLOT_POINTS = 1500

PASS_COLOUR = "#1a7f37"
FAIL_COLOUR = "#cf222e"
UNKNOWN_COLOUR = "#8c959f"
LINE_COLOUR = "#24292f"
BAND_COLOUR = "#2da44e"
REP_COLOUR = "#0969da"

_STATUS_COLOURS = {"pass": PASS_COLOUR, "fail": FAIL_COLOUR}
FORM_SCORE_KIND = "form-score"


@dataclass(frozen=True)
class _Axes:
    """Where a plot's data lands in the SVG: seconds and values to pixels."""

    x0: float
    x1: float
    y0: float
    y1: float
    t_max: float
    v_low: float
    v_high: float

    def x(self, t: float) -> float:
        return self.x0 + (self.x1 - self.x0) * min(max(t / self.t_max, 0.0), 1.0)

    def y(self, v: float) -> float:
        share = (v - self.v_low) / (self.v_high - self.v_low)
        return self.y1 - (self.y1 - self.y0) * min(max(share, 0.0), 1.0)


_WIDTH, _HEIGHT = 960, 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 58, 14, 10, 44
_STRIP_H = 7


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _downsample(
    times: Sequence[float], values: Sequence[float | None], max_points: int = MAX_PLOT_POINTS
) -> list[tuple[float, float | None]]:
    """At most ``max_points`` points: each bucket of samples keeps its lowest and
    highest value in time order, so spikes stay visible; an all-gap bucket stays a gap."""
    n = min(len(times), len(values))
    if n <= max_points:
        return [(times[i], _finite(values[i])) for i in range(n)]
    buckets = max_points // 2
    out: list[tuple[float, float | None]] = []
    for b in range(buckets):
        lo, hi = b * n // buckets, (b + 1) * n // buckets
        seen = [(i, v) for i in range(lo, hi) if (v := _finite(values[i])) is not None]
        if not seen:
            out.append((times[lo], None))
            continue
        first = min(seen, key=lambda iv: iv[1])
        last = max(seen, key=lambda iv: iv[1])
        if first[0] > last[0]:
            first, last = last, first
        out.append((times[first[0]], first[1]))
        if last[0] != first[0]:
            out.append((times[last[0]], last[1]))
    return out


def _status_runs(
    times: Sequence[float], statuses: Sequence[str], t_max: float, buckets: int
) -> list[tuple[float, float, str]]:
    """(start_s, end_s, status) runs over time buckets about one pixel wide; a
    bucket with any fail is a fail, so a short fault never vanishes."""
    n = min(len(times), len(statuses))
    if n == 0 or buckets < 1:
        return []
    rank = {"fail": 2, "pass": 1}
    width = t_max / buckets
    cells: list[str | None] = [None] * buckets
    for i in range(n):
        b = min(max(int(times[i] / width), 0), buckets - 1)
        old = cells[b]
        if old is None or rank.get(statuses[i], 0) > rank.get(old, 0):
            cells[b] = statuses[i]
    # A frame's status lasts until the next frame, so a bucket without a frame of
    # its own (video slower than the buckets) continues the one before it.
    end = min(buckets, math.ceil((times[n - 1] + _typical_step(times[:n])) / width))
    runs: list[tuple[float, float, str]] = []
    for b in range(end):
        status = cells[b]
        if status is None:
            if not runs:
                continue
            status = runs[-1][2]
        if runs and runs[-1][2] == status and runs[-1][1] == b * width:
            runs[-1] = (runs[-1][0], (b + 1) * width, status)
        else:
            runs.append((b * width, (b + 1) * width, status))
    return runs


def _typical_step(times: Sequence[float]) -> float:
    if len(times) < 2:
        return 0.0
    steps = sorted(b - a for a, b in itertools.pairwise(times))
    return steps[len(steps) // 2]


def _nice_step(span: float, count: int) -> float:
    raw = max(span / max(count, 1), 1e-9)
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _ticks(low: float, high: float, count: int) -> list[float]:
    step = _nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    t = first
    while t <= high + 1e-9 * step:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _value_range(series: Series, values: list[float]) -> tuple[float, float]:
    """The y range: the data and both limits, padded, widened to whole tick steps."""
    if series.kind == FORM_SCORE_KIND:
        return 0.0, 100.0
    candidates = [*values, *(v for v in (series.low, series.high) if v is not None)]
    low, high = min(candidates), max(candidates)
    if series.kind in ("angle", "inclination"):
        pad = max(5.0, 0.08 * (high - low))
    else:
        pad = max(0.05 * max(abs(low), abs(high), 0.1), 0.08 * (high - low))
    low, high = low - pad, high + pad
    if series.kind in ("angle", "inclination") and min(candidates) >= 0:
        low = max(low, 0.0)  # a joint angle below 0° means nothing
    step = _nice_step(high - low, 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _tick_label(value: float, unit: str) -> str:
    text = f"{value:g}" if abs(value) >= 1e-9 else "0"
    return text + "°" if unit == "degrees" else text


def _line_path(points: list[tuple[float, float | None]], frame: _Axes) -> str:
    parts: list[str] = []
    pen_down = False
    for t, v in points:
        if v is None:
            pen_down = False
            continue
        command = "L" if pen_down else "M"
        parts.append(f"{command}{_num(frame.x(t))} {_num(frame.y(v))}")
        pen_down = True
    return "".join(parts)


def _span(frame: _Axes, start_s: float, end_s: float, y: float, height: float) -> str:
    """A rectangle as a closed subpath, at least a hairline wide."""
    x = frame.x(start_s)
    width = _num(max(frame.x(end_s) - x, 0.8))
    return f"M{_num(x)} {_num(y)}h{width}v{_num(height)}h-{width}z"


def _plot(index: int, series: Series, report: ScoreReport) -> str:
    raw = [v for v in (_finite(v) for v in series.values) if v is not None]
    t_last = max(series.times_s) if series.times_s else 0.0
    t_max = max(report.video.duration_s, t_last + _typical_step(series.times_s), 1e-3)
    v_low, v_high = _value_range(series, raw)
    plot_bottom = _HEIGHT - _BOTTOM
    frame = _Axes(_LEFT, _WIDTH - _RIGHT, _TOP, plot_bottom, t_max, v_low, v_high)
    unit = series.axis or CheckKind(series.kind).unit.words
    uid = f"plot{index}"
    svg: list[str] = []

    for rep in report.reps:
        x_a, x_b = frame.x(rep.start_s), frame.x(rep.end_s)
        svg.append(
            f'<rect class="rep-span" x="{_num(x_a)}" y="{_TOP}" width="{_num(max(x_b - x_a, 1))}"'
            f' height="{plot_bottom - _TOP}" fill="{REP_COLOUR}" fill-opacity="0.07"/>'
        )
        name = f"rep {rep.rep}" + (f" {rep.side}" if rep.side else "")
        if x_b - x_a >= 6.5 * len(name):  # a label wider than its rep would run into the next
            svg.append(f'<text x="{_num(x_a + 3)}" y="{_TOP + 11}">{escape(name)}</text>')
    if series.low is not None or series.high is not None:
        y_top = frame.y(series.high) if series.high is not None else _TOP
        y_bottom = frame.y(series.low) if series.low is not None else plot_bottom
        svg.append(
            f'<rect class="allowed" x="{_LEFT}" y="{_num(y_top)}" width="{frame.x1 - _LEFT}"'
            f' height="{_num(max(y_bottom - y_top, 0.5))}" fill="{BAND_COLOUR}"'
            ' fill-opacity="0.14"/>'
        )
    for tick in _ticks(v_low, v_high, 5):
        y = _num(frame.y(tick))
        svg.append(
            f'<line x1="{_LEFT}" x2="{frame.x1}" y1="{y}" y2="{y}" stroke="#d8dee4"'
            ' stroke-width="0.6"/>'
            f'<text x="{_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{_tick_label(tick, unit)}</text>"
        )
    strip_y = plot_bottom + 3
    for tick in _ticks(0.0, t_max, 10):
        x = _num(frame.x(tick))
        svg.append(
            f'<line x1="{x}" x2="{x}" y1="{plot_bottom}" y2="{strip_y + _STRIP_H + 3}"'
            ' stroke="#afb8c1" stroke-width="0.6"/>'
            f'<text x="{x}" y="{strip_y + _STRIP_H + 14}" text-anchor="middle">{tick:g}</text>'
        )
    svg.append(
        f'<rect x="{_LEFT}" y="{_TOP}" width="{frame.x1 - _LEFT}" height="{plot_bottom - _TOP}"'
        ' fill="none" stroke="#afb8c1" stroke-width="0.8"/>'
        f'<text x="{frame.x1}" y="{_HEIGHT - 3}" text-anchor="end">time (s)</text>'
        f'<text transform="translate(13 {(_TOP + plot_bottom) / 2}) rotate(-90)"'
        f' text-anchor="middle">{unit}</text>'
    )

    runs = _status_runs(series.times_s, series.statuses, t_max, int(frame.x1 - frame.x0))
    # One path per status rather than a rect per run: a flickering check over
    # ten minutes has hundreds of runs.
    strips: dict[str, list[str]] = {}
    for a, b, status in runs:
        strips.setdefault(status, []).append(_span(frame, a, b, strip_y, _STRIP_H))
    for status, spans in strips.items():
        colour = _STATUS_COLOURS.get(status, UNKNOWN_COLOUR)
        svg.append(
            f'<path class="status status-{escape(status)}" d="{"".join(spans)}" fill="{colour}"/>'
        )

    path = _line_path(_downsample(series.times_s, series.values), frame)
    # Drawn once in <defs>, then used twice: dark everywhere, red where clipped
    # to the failing spans, so the file carries the points only once.
    defs = [f'<path id="{uid}-line" d="{path}"/>']
    fails = "fail" in strips
    if fails:
        clip = "".join(_span(frame, a, b, 0, _HEIGHT) for a, b, s in runs if s == "fail")
        defs.append(f'<clipPath id="{uid}-fail"><path d="{clip}"/></clipPath>')
    svg.append(
        f'<use href="#{uid}-line" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.4"'
        ' stroke-linejoin="round" stroke-linecap="round"/>'
    )
    if fails:
        svg.append(
            f'<use class="fail-line" href="#{uid}-line" fill="none" stroke="{FAIL_COLOUR}"'
            ' stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round"'
            f' clip-path="url(#{uid}-fail)"/>'
        )

    label = escape(series.label)
    target = escape(series.target)
    caption = (
        ""
        if series.kind == FORM_SCORE_KIND
        else f'<figcaption><h3>{label}<span class="target">target {target}</span></h3></figcaption>'
    )
    return (
        f'<figure class="plot-figure">{caption}'
        f'<svg class="plot" data-check="{escape(series.check_id)}" role="img"'
        f' viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}">'
        f"<title>{label}, target {target}, {escape(unit)} over time</title>"
        f"<defs>{''.join(defs)}</defs>{''.join(svg)}</svg></figure>"
    )


def _swatch(colour: str, opacity: float = 1.0) -> str:
    return f'<span class="swatch" style="background:{colour};opacity:{opacity}"></span>'


def form_score_section(report: ScoreReport) -> str:
    """The per-frame form score over time: what the checks of each frame add up to."""
    if not any(v is not None for v in report.form_scores):
        return ""
    series = Series(
        "form-score",
        "Form score per frame",
        FORM_SCORE_KIND,
        "100",
        None,
        None,
        axis="form score (100 = all pass)",
        times_s=list(report.form_times_s),
        values=[None if v is None else float(v) for v in report.form_scores],
    )
    return (
        '<section id="form-score"><h2>Form score per frame</h2>'
        '<p class="muted">Each frame\'s blocking checks, weighted by priority: a pass counts '
        "fully, a borderline or failing check less the further it is outside its target. "
        "It shows how far off the form was; the session score above counts time in form. "
        "Breaks in the line: no person measured.</p>"
        f"{_plot(-1, series, report)}</section>"
    )


def plots_section(report: ScoreReport) -> str:
    drawable = [s for s in report.series if any(_finite(v) is not None for v in s.values)]
    if not drawable:
        return (
            '<section id="plots"><h2>Checks over time</h2>'
            '<p class="muted">No check could be measured in this recording.</p></section>'
        )
    legend = (
        '<p class="legend">'
        f"<span>{_swatch(BAND_COLOUR, 0.3)}allowed range</span>"
        f"<span>{_swatch(REP_COLOUR, 0.15)}rep (hold) in progress</span>"
        f"<span>{_swatch(FAIL_COLOUR)}failing (line and strip)</span>"
        f"<span>{_swatch(PASS_COLOUR)}passing</span>"
        f"<span>{_swatch(UNKNOWN_COLOUR)}not judged</span>"
        "<span>breaks in the line: not measured</span></p>"
    )
    plots = "".join(_plot(i, s, report) for i, s in enumerate(drawable))
    unmeasured = [s for s in report.series if s not in drawable]
    note = ""
    if unmeasured:
        names = ", ".join(escape(s.label) for s in unmeasured)
        note = (
            f'<p class="muted" id="unmeasured">Never measured in this recording, so not '
            f"plotted: {names}.</p>"
        )
    return f'<section id="plots"><h2>Checks over time</h2>{legend}{plots}{note}</section>'
