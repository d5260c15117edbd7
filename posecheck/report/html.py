"""The score report as one self-contained HTML page, for a person reviewing a recording.

Everything is inside the file: inline CSS, plots as inline SVG (`svg`),
snapshots as data: URIs, the system font stack. It opens offline, can be
mailed as one attachment, and prints. Every text that comes from data (file
names, labels, cues, captions) goes through `html.escape`.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path, PurePath
from urllib.parse import quote

import posecheck
from posecheck import atomic
from posecheck.catalog.reference import Prescription
from posecheck.coaching.reps import RepSummary
from posecheck.report import svg
from posecheck.report.summary import ScoreReport, Snapshot, form_pct, paused_s, rep_score_pct
from posecheck.report.svg import PASS_COLOUR

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
#summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
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
video.annotated { display: block; width: 100%; max-height: 70vh; background: #000;
  border-radius: 8px; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #d0d7de;
  font-size: 13px; color: #57606a; }
footer p { margin: 6px 0; }
.context { margin: 10px 0 0; font-size: 14px; }
.context dt { font-weight: 600; float: left; clear: left; width: 9em; color: #57606a; }
.context dd { margin: 0 0 2px 9.5em; }
.note { white-space: pre-wrap; }
.definition { border-left: 3px solid #d0d7de; padding: 2px 0 2px 12px; color: #1f2328; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; line-height: 1.35; }
  h1 { font-size: 20px; }
  h2 { font-size: 15px; margin-top: 18px; break-after: avoid; }
  .card .value { font-size: 18px; }
  .card, tr, .snapshot, .plot-figure, .definition { break-inside: avoid; }
  #summary { grid-template-columns: repeat(3, 1fr); }
  .snapshots { grid-template-columns: 1fr 1fr; }
  #snapshots { break-before: page; }
  video.annotated { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""
)


def render_html(report: ScoreReport, annotated: str | None = None) -> str:
    """The whole report as one HTML document (UTF-8 text). Its only outside reference
    is the annotated video, when ``annotated`` (a path relative to the page) is given."""
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
        _definition(report),
        _reps_section(report, labels),
        svg.form_score_section(report),
        svg.plots_section(report),
        _video_section(annotated),
        _snapshots_section(report.snapshots),
        _footer(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def write_html(report: ScoreReport, path: Path, annotated: Path | None = None) -> None:
    """Write the report to ``path`` whole or not at all, linking the ``annotated`` video
    (by its path relative to the page, so the two can be moved or mailed together)."""
    link = None
    if annotated is not None:
        folder = path.resolve().parent
        link = PurePath(os.path.relpath(annotated.resolve(), folder)).as_posix()
    atomic.write(path, render_html(report, link))


def _video_section(link: str | None) -> str:
    if link is None:
        return ""
    src = escape(quote(link))
    return (
        '<section id="annotated-video"><h2>Annotated video</h2>'
        f'<video class="annotated" controls preload="metadata" src="{src}"></video>'
        f'<p class="muted">The recording with the overlay: <a href="{src}">{escape(link)}</a>'
        " (H.264 MP4, kept beside this report).</p></section>"
    )


# --- header and summary ------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return _seconds(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f} ({seconds:.0f} s)"


def _prescription_text(report: ScoreReport) -> str:
    """The prescription in the words `posecheck show` uses, and the holds it makes."""
    try:
        prescription = Prescription(**report.prescription)
    except (TypeError, ValueError):
        return f"{report.reps_prescribed} holds"
    holds = "hold" if report.reps_prescribed == 1 else "holds"
    return escape(f"{prescription.text()} ({report.reps_prescribed} {holds})")


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
            f"<h1>{escape(report.stretch_name)}</h1>",
            f'<p class="meta">{"".join(meta)}</p>',
            f'<p class="meta">Prescribed: {_prescription_text(report)}</p>',
            _context(report),
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
    prescribed = report.prescribed_s
    speed = (
        f"{report.realtime_factor:.1f}&times; real time"
        if report.processing_s > 0
        else "not measured"
    )
    cards = [
        _card("Score", f"{report.score}%", "of the prescribed time in form"),
        _card(
            "Reps completed",
            f"{report.reps_completed} / {report.reps_prescribed}",
            f"{len(report.reps)} started",
        ),
        _card("Time held", _seconds(report.held_s), f"of {prescribed:g} s prescribed"),
        _card("Time in form", _seconds(report.time_in_form_s), f"of {prescribed:g} s prescribed"),
        _card("Person visible", f"{report.person_visible_pct:.1f}%", "of the frames"),
        _card("Processing", _seconds(report.processing_s), speed),
    ]
    return f'<section id="summary">{"".join(cards)}</section>'


def _when(iso: str) -> str:
    """An ISO 8601 time as a person reads it: ``2026-12-01 14:05 (UTC+01:00)``."""
    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = stamp.strftime("%z")
    offset = f" (UTC{zone[:3]}:{zone[3:]})" if zone else ""
    return stamp.strftime("%Y-%m-%d %H:%M") + offset


def _context(report: ScoreReport) -> str:
    c = report.context
    rows = []
    if c.name:
        rows.append(("Name", escape(c.name)))
    if c.recorded_at:
        rows.append(
            (
                "Recorded",
                f'{escape(_when(c.recorded_at))} <span class="muted">(from the '
                f"{escape(c.recorded_at_from or 'file')})</span>",
            )
        )
    if c.scored_at:
        rows.append(("Scored", escape(_when(c.scored_at))))
    if c.note:
        rows.append(("Note", f'<span class="note">{escape(c.note)}</span>'))
    if not rows:
        return ""
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="context" id="context">{items}</dl>'


SCORE_DEFINITION = (
    "The score is the time held in form, summed over the prescribed reps, as a "
    "percentage of the prescribed hold time (the hold times the number of holds). "
    "Time in form is time counted toward a hold while every form check passed; a "
    "borderline value (outside the target by less than the pose model's measurement "
    "error) counts as passing, and advice checks never count against it. Time held "
    "also counts slips shorter than the 1 s grace period; a longer fault pauses the "
    "hold, and that time (paused) counts neither as held nor in form. A rep never "
    "started adds 0 s."
)


def _definition(report: ScoreReport) -> str:
    reps = " + ".join(f"{r.in_form_s:.1f}" for r in report.reps[: report.reps_prescribed])
    worked = (
        f"Here: ({reps or '0'}) s in form / {report.prescribed_s:g} s prescribed = {report.score}%."
        if report.prescribed_s
        else ""
    )
    return (
        f'<p class="definition" id="definition"><strong>How the score is defined.</strong> '
        f"{escape(SCORE_DEFINITION)} {escape(worked)}</p>"
    )


# --- reps --------------------------------------------------------------------


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
            for name in (
                "Rep",
                "Side",
                "Start&ndash;end",
                "Held / target",
                "Paused",
                "In form",
                "Rep score",
                "Completed",
            )
        )
        + "<th>Main fault</th></tr></thead>"
    )
    rows = [_rep_rows(rep, labels, report) for rep in report.reps]
    return (
        '<section id="reps"><h2>Reps</h2>'
        f'<table class="rep-table">{head}<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _rep_rows(rep: RepSummary, labels: dict[str, str], report: ScoreReport) -> str:
    done = '<span class="yes">yes</span>' if rep.completed else '<span class="no">no</span>'
    main = report.main_fault(rep)
    main_html = _check_name(main, labels) if main else '<span class="muted">none</span>'
    row = (
        f'<tr class="rep-row" data-rep="{rep.rep}">'
        f'<td class="num">{rep.rep}</td>'
        f"<td>{escape(rep.side) if rep.side else '&mdash;'}</td>"
        f'<td class="num">{rep.start_s:.1f}&ndash;{rep.end_s:.1f} s</td>'
        f'<td class="num">{rep.held_s:.1f} / {rep.target_s:g} s</td>'
        f'<td class="num">{paused_s(rep):.1f} s</td>'
        f'<td class="num">{rep.in_form_s:.1f} s ({form_pct(rep):.0f}% of held)</td>'
        f'<td class="num">{rep_score_pct(rep):.0f}%</td>'
        f"<td>{done}</td>"
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
        + (" (advice)" if f.check_id in report.advice_ids else "")
        + (f': <span class="muted">{escape(f.cue)}</span>' if f.cue else "")
        + "</li>"
        for f in rep.faults
    )
    if not faults:
        faults = '<li class="muted">none</li>'
    detail = (
        f'<tr class="rep-detail" data-rep="{rep.rep}"><td colspan="9"><div class="cols">'
        "<div><h4>Checks passed (share of the rep's judged frames, held or paused;"
        f" borderline counts as passed)</h4><ul>{rates}</ul></div>"
        "<div><h4>Faults (a fault longer than the grace period pauses the hold)</h4>"
        f"<ul>{faults}</ul></div></div></td></tr>"
    )
    return row + detail


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


def _footer(report: ScoreReport) -> str:
    c = report.context
    refs = "".join(
        f"<li>{escape(r.stretch)}: <code>{escape(r.file)}</code> sha256 "
        f"<code>{escape(r.sha256_12)}</code></li>"
        for r in c.references
    )
    refs_html = f"<p>Reference used:</p><ul>{refs}</ul>" if refs else ""
    version = c.posecheck_version or posecheck.__version__
    return (
        "<footer>"
        f"<p>Scored by posecheck {escape(version)}"
        + (f" on {escape(_when(c.scored_at))}" if c.scored_at else "")
        + f" from <code>{escape(PurePath(report.video.path).name)}</code>.</p>"
        f"{refs_html}"
        "</footer>"
    )
