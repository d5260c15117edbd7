"""The score report as one self-contained HTML page, for a person reviewing a recording.

Everything is inside the file: inline CSS, plots drawn here as inline SVG,
snapshots as data: URIs, the system font stack. It opens offline, can be
mailed as one attachment, and prints. Every text that comes from data (file
names, labels, cues, captions) goes through `html.escape`.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePath

import posecheck
from posecheck import atomic
from posecheck.coaching.session import RepSummary
from posecheck.report.summary import ScoreReport, Series, Snapshot

# Enough for one point per pixel column twice over (min and max) on a wide screen;
# a 10-minute video at 30 fps has 18,000 frames per check.
MAX_PLOT_POINTS = 1500

PASS_COLOUR = "#1a7f37"
FAIL_COLOUR = "#cf222e"
UNKNOWN_COLOUR = "#8c959f"
LINE_COLOUR = "#24292f"
BAND_COLOUR = "#2da44e"
REP_COLOUR = "#0969da"

_UNITS = {"angle": "degrees", "inclination": "degrees", "spacing": "ratio"}
_STATUS_COLOURS = {"pass": PASS_COLOUR, "fail": FAIL_COLOUR}

CSS = (
    """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 24px 20px 40px; max-width: 1000px;
  background: #fff; color: #1f2328; line-height: 1.45; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, "Noto Sans", "Liberation Sans", sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
h1 { font-size: 26px; margin: 0 0 2px; font-weight: 600; }
h2 { font-size: 19px; margin: 32px 0 10px; font-weight: 600;
  border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.9em; color: #57606a; }
.muted { color: #57606a; }
.meta { margin: 4px 0 0; color: #57606a; }
.meta span + span::before { content: "·"; margin: 0 8px; color: #afb8c1; }
.verdict { font-size: 24px; font-weight: 600; margin: 18px 0 6px; }
.verdict.good { color: #116329; }
.verdict.bad { color: #a40e26; }
.verdict.partial { color: #1f2328; }
#summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
  gap: 10px; margin: 16px 0 0; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 14px; }
.card .label { font-size: 13px; color: #57606a; }
.card .value { font-size: 26px; font-weight: 600; line-height: 1.2; }
.card .sub { font-size: 13px; color: #57606a; }
table.rep-table { width: 100%; border-collapse: collapse; font-size: 14px; }
.rep-table th, .rep-table td { border: 1px solid #d8dee4; padding: 6px 8px;
  text-align: left; vertical-align: top; }
.rep-table th { background: #f6f8fa; font-weight: 600; }
.rep-table .tight { width: 1%; white-space: nowrap; }
.rep-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rep-table tr.rep-detail td { background: #fbfcfd; }
.rep-detail .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.rep-detail h4 { font-size: 13px; margin: 0 0 4px; color: #57606a; font-weight: 600; }
.rep-detail ul { margin: 0; padding: 0; list-style: none; }
.rep-detail li { margin: 2px 0; }
.rate { display: grid; grid-template-columns: 1fr 70px 44px; gap: 8px; align-items: center; }
.bar { display: block; height: 8px; border-radius: 4px; background: #ffd7d5; overflow: hidden; }
.bar > span { display: block; height: 100%; background: """
    + PASS_COLOUR
    + """; }
.pct { text-align: right; font-variant-numeric: tabular-nums; }
.yes, .pass { color: #116329; font-weight: 600; }
.no, .fail { color: #a40e26; font-weight: 600; }
.unknown { color: #6e7781; }
.fault-time { font-variant-numeric: tabular-nums; color: #57606a; white-space: nowrap; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; color: #57606a;
  margin: 0 0 12px; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 5px;
  vertical-align: -1px; border-radius: 2px; }
figure { margin: 0; }
.plot-figure { margin: 0 0 22px; break-inside: avoid; }
.plot-figure figcaption { margin: 0 0 4px; }
.plot-figure .target { font-weight: 400; color: #57606a; margin-left: 6px; }
svg.plot { display: block; width: 100%; height: auto; }
svg.plot text { font-family: inherit; font-size: 11px; fill: #57606a; }
.snapshots { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr));
  gap: 14px; }
.snapshot { border: 1px solid #d0d7de; border-radius: 8px; overflow: hidden;
  break-inside: avoid; }
.snapshot img { display: block; width: 100%; height: auto; background: #f6f8fa; }
.snapshot figcaption { padding: 6px 10px; font-size: 14px; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #d0d7de;
  font-size: 13px; color: #57606a; }
footer p { margin: 6px 0; }
@media print {
  body { padding: 0; max-width: none; font-size: 12px; }
  h2 { break-after: avoid; }
  .card, tr, .snapshot { break-inside: avoid; }
  #summary { grid-template-columns: repeat(5, 1fr); }
  .snapshots { grid-template-columns: 1fr 1fr; }
}
"""
)


def render_html(report: ScoreReport) -> str:
    """The whole report as one HTML document (UTF-8 text, no external references)."""
    labels = {s.check_id: s.label for s in report.series}
    title = f"{report.stretch_name}: {PurePath(report.video.path).name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} - posecheck report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        _header(report),
        _reps_section(report, labels),
        _plots_section(report),
        _snapshots_section(report.snapshots),
        _footer(),
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def write_html(report: ScoreReport, path: Path) -> None:
    """Write the report to ``path`` whole or not at all."""
    atomic.write(path, render_html(report))


# --- header and summary ------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return _seconds(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f} ({seconds:.0f} s)"


def _prescription_text(report: ScoreReport) -> str:
    p = report.prescription
    hold, per_side = p.get("hold_s"), p.get("reps")
    if not isinstance(hold, int | float):
        return f"{report.reps_prescribed} holds"
    if p.get("sides") == "each" and isinstance(per_side, int):
        order = "alternating" if p.get("alternate") else "one side, then the other"
        return (
            f"{per_side} &times; {hold:g} s hold on each side, {order} "
            f"({report.reps_prescribed} holds)"
        )
    return f"{report.reps_prescribed} &times; {hold:g} s hold"


def _header(report: ScoreReport) -> str:
    v = report.video
    meta = [
        f"<span>Video <strong>{escape(PurePath(v.path).name)}</strong></span>",
        f"<span>{escape(_duration(v.duration_s))}</span>",
        f"<span>{v.width} &times; {v.height} px</span>",
        f"<span>{v.fps:.3g} fps, {v.frames} frames</span>",
    ]
    if v.rotation_deg:
        meta.append(f"<span>rotated {v.rotation_deg}°</span>")
    if report.reps_prescribed and report.reps_completed >= report.reps_prescribed:
        mood = "good"
    elif not report.reps:
        mood = "bad"
    else:
        mood = "partial"
    return "\n".join(
        [
            "<header>",
            f"<h1>{escape(report.stretch_name)} <code>{escape(report.stretch)}</code></h1>",
            f'<p class="meta">{"".join(meta)}</p>',
            f'<p class="meta">Prescribed: {_prescription_text(report)}</p>',
            f'<p class="verdict {mood}" id="verdict">{escape(report.verdict_text())}</p>',
            _summary(report),
            "</header>",
        ]
    )


def _card(label: str, value_html: str, sub_html: str = "") -> str:
    """One summary card; the value and sub-line are HTML built from numbers here."""
    sub = f'<div class="sub">{sub_html}</div>' if sub_html else ""
    return (
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{value_html}</div>{sub}</div>'
    )


def _summary(report: ScoreReport) -> str:
    hold = report.prescription.get("hold_s")
    in_form_sub = ""
    if isinstance(hold, int | float) and report.reps_prescribed:
        in_form_sub = f"of {hold * report.reps_prescribed:g} s prescribed"
    speed = (
        f"{report.realtime_factor:.1f}&times; real time"
        if report.processing_s > 0
        else "not measured"
    )
    cards = [
        _card("Score", str(report.score), "out of 100"),
        _card(
            "Reps completed",
            f"{report.reps_completed} / {report.reps_prescribed}",
            f"{len(report.reps)} started",
        ),
        _card("Time in form", _seconds(report.time_in_form_s), in_form_sub),
        _card("Person visible", f"{report.person_visible_pct:.1f}%", "of the frames"),
        _card("Processing", _seconds(report.processing_s), speed),
    ]
    return f'<section id="summary">{"".join(cards)}</section>'


# --- reps --------------------------------------------------------------------


def _form_pct(rep: RepSummary) -> float:
    # The same formula as ScoreReport.to_json, so both files agree.
    return round(100 * rep.in_form_s / rep.held_s, 1) if rep.held_s else 0.0


def _check_name(check_id: str, labels: dict[str, str]) -> str:
    label = labels.get(check_id)
    return escape(label) if label else f"<code>{escape(check_id)}</code>"


def _no_reps_text(report: ScoreReport) -> str:
    if report.person_visible_pct > 0 and report.position_reached:
        why = (
            "The position was reached, but the form checks never all passed long "
            "enough to start the timer."
        )
    else:
        why = report.verdict_text()
    return f"No hold was started. {why}"


def _reps_section(report: ScoreReport, labels: dict[str, str]) -> str:
    if not report.reps:
        return (
            '<section id="reps"><h2>Reps</h2>'
            f'<p class="no-reps">{escape(_no_reps_text(report))}</p></section>'
        )
    head = (
        "<thead><tr>"
        + "".join(
            f'<th class="tight">{name}</th>'
            for name in ("Rep", "Side", "Start&ndash;end", "Held / target", "Completed", "In form")
        )
        + "<th>Main fault</th></tr></thead>"
    )
    rows = [_rep_rows(rep, labels) for rep in report.reps]
    return (
        '<section id="reps"><h2>Reps</h2>'
        f'<table class="rep-table">{head}<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _rep_rows(rep: RepSummary, labels: dict[str, str]) -> str:
    done = '<span class="yes">yes</span>' if rep.completed else '<span class="no">no</span>'
    main = rep.main_fault
    main_html = _check_name(main, labels) if main else '<span class="muted">none</span>'
    row = (
        f'<tr class="rep-row" data-rep="{rep.rep}">'
        f'<td class="num">{rep.rep}</td>'
        f"<td>{escape(rep.side) if rep.side else '&mdash;'}</td>"
        f'<td class="num">{rep.start_s:.1f}&ndash;{rep.end_s:.1f} s</td>'
        f'<td class="num">{rep.held_s:.1f} / {rep.target_s:g} s</td>'
        f"<td>{done}</td>"
        f'<td class="num">{_form_pct(rep):.1f}%</td>'
        f"<td>{main_html}</td></tr>"
    )
    rates = "".join(
        f'<li class="rate"><span>{_check_name(check_id, labels)}</span>'
        f'<span class="bar"><span style="width:{100 * rate:.0f}%"></span></span>'
        f'<span class="pct">{100 * rate:.0f}%</span></li>'
        for check_id, rate in sorted(rep.pass_rate.items(), key=lambda item: item[1])
    )
    if not rates:
        rates = '<li class="muted">no check was judged</li>'
    faults = "".join(
        f'<li class="fault"><span class="fault-time">'
        f"{rep.start_s + f.start_s:.1f}&ndash;{rep.start_s + f.end_s:.1f} s</span> "
        f"{_check_name(f.check_id, labels)}"
        + (f': <span class="muted">{escape(f.cue)}</span>' if f.cue else "")
        + "</li>"
        for f in rep.faults
    )
    if not faults:
        faults = '<li class="muted">none</li>'
    detail = (
        f'<tr class="rep-detail" data-rep="{rep.rep}"><td colspan="7"><div class="cols">'
        f"<div><h4>Checks passed (share of judged frames)</h4><ul>{rates}</ul></div>"
        f"<div><h4>Faults</h4><ul>{faults}</ul></div></div></td></tr>"
    )
    return row + detail


# --- plots -------------------------------------------------------------------


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
    unit = _UNITS.get(series.kind, "body lengths")
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
    return (
        f'<figure class="plot-figure"><figcaption><h3>{label}'
        f'<span class="target">target {target}</span></h3></figcaption>'
        f'<svg class="plot" data-check="{escape(series.check_id)}" role="img"'
        f' viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" height="{_HEIGHT}">'
        f"<title>{label}, target {target}, {escape(unit)} over time</title>"
        f"<defs>{''.join(defs)}</defs>{''.join(svg)}</svg></figure>"
    )


def _swatch(colour: str, opacity: float = 1.0) -> str:
    return f'<span class="swatch" style="background:{colour};opacity:{opacity}"></span>'


def _plots_section(report: ScoreReport) -> str:
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


# --- snapshots and footer ----------------------------------------------------


def _snapshots_section(snapshots: Sequence[Snapshot]) -> str:
    if not snapshots:
        return ""
    figures = "".join(
        '<figure class="snapshot">'
        f'<img src="data:image/jpeg;base64,{base64.b64encode(s.jpeg).decode("ascii")}"'
        f' alt="{escape(s.caption)}">'
        f"<figcaption><strong>{s.time_s:.1f} s</strong> {escape(s.caption)}</figcaption>"
        "</figure>"
        for s in snapshots
    )
    return (
        '<section id="snapshots"><h2>Worst moments</h2>'
        f'<div class="snapshots">{figures}</div></section>'
    )


def _footer() -> str:
    return (
        "<footer>"
        "<p><strong>How the score is defined.</strong> Each prescribed rep scores its "
        "completion (seconds held over the target, at most 1) times its form (the mean "
        "form score of the frames while it was held). The session score is the mean over "
        "the prescribed reps, out of 100; a rep that was never started scores 0. "
        "Form % in the table is the share of the held time with every check passing.</p>"
        f"<p>Generated by posecheck {escape(posecheck.__version__)}.</p>"
        "</footer>"
    )
