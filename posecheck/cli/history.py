"""`posecheck history`, and the hooks with which `live`, `demo` and `score` log into it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from posecheck.catalog.reference import Reference, load_references
from posecheck.cli.app import (
    EXIT_USAGE,
    DbOption,
    JsonOption,
    _error,
    _reported,
    app,
)
from posecheck.coaching.session import RepSummary
from posecheck.errors import PosecheckError
from posecheck.history.database import default_path
from posecheck.history.export import export
from posecheck.history.log import SessionLog, content_hash
from posecheck.history.plot import build_chart, write_plot
from posecheck.history.records import SessionRecord
from posecheck.history.stats import (
    compare_with_last,
    minutes_per_week,
    more_range,
    rom_series,
    streaks,
)
from posecheck.history.store import delete_before, read_sessions
from posecheck.report.summary import ScoreReport

RECENT_SESSIONS = 10
WEEKS_SHOWN = 4
_UNIT_SYMBOL = {"deg": "°", "len": " len", "ratio": ""}
_UNIT_WORDS = {"deg": "degrees", "len": "body lengths", "ratio": "ratio"}


def _now() -> datetime:
    return datetime.now().astimezone()


def _warn(text: str) -> None:
    typer.secho(text, fg=typer.colors.YELLOW, err=True)


# --- logging a session ---------------------------------------------------------


def open_log(
    db: Path | None,
    *,
    enabled: bool,
    source: str,
    stretch: str | None,
    routine: str | None = None,
) -> SessionLog | None:
    """The session's log, or None with --no-history. A file that cannot be used is one
    warning line; the session then runs unrecorded."""
    if not enabled:
        return None
    path = db or default_path()
    return SessionLog(
        path, source=source, started=_now(), stretch=stretch, routine=routine, on_warning=_warn
    )


def hold_keeper(log: SessionLog | None, reference: Reference) -> Callable[[RepSummary], None]:
    """``on_rep`` for `run_session`: each hold committed the moment it completes."""

    def keep(rep: RepSummary) -> None:
        if log is not None:
            log.add_hold(reference, rep, _now())

    return keep


def finish_log(
    log: SessionLog | None, reference: Reference, reps: Sequence[RepSummary], *, compare: bool
) -> None:
    """Keep the hold cut short at the end (if any), then, with ``compare``, say how the
    session went against the last one of the same stretch."""
    if log is None:
        return
    for rep in reps[log.holds :]:
        log.add_hold(reference, rep, _now())
    session_id = log.session_id
    active = log.active
    log.close()
    if not (compare and active and session_id is not None):
        return
    try:
        sessions = read_sessions(log.path)
    except PosecheckError as error:
        _warn(f"warning: {error}")
        return
    current = next((s for s in sessions if s.id == session_id), None)
    if current is not None:
        for line in comparison_lines(sessions, current, reference):
            typer.echo(line)


def log_scored(
    db: Path | None,
    *,
    enabled: bool,
    video: Path,
    reference: Reference,
    report: ScoreReport,
) -> None:
    """Log a scored recording, keyed by its content: scoring it again replaces the entry.

    It is dated by the file's modification time, when the recording ended."""
    reps = report.reps
    if not enabled or not reps:
        return
    try:
        key = content_hash(video)
        ended = datetime.fromtimestamp(video.stat().st_mtime).astimezone()
    except OSError as error:
        _warn(f"warning: {video}: cannot be read to log it in the history ({error.strerror})")
        return
    started = ended - timedelta(seconds=report.video.duration_s)
    with SessionLog(
        db or default_path(),
        source="score",
        started=started,
        stretch=reference.id,
        content_hash=key,
        on_warning=_warn,
    ) as log:
        for rep in reps:
            log.add_hold(reference, rep, started + timedelta(seconds=rep.end_s))


def comparison_lines(
    sessions: Sequence[SessionRecord], current: SessionRecord, reference: Reference
) -> list[str]:
    change = compare_with_last(sessions, current, reference.id)
    if change is None:
        return [f"First {reference.name} session in your history."]
    held = change.held_s - change.previous_held_s
    when = change.previous.started.strftime("%Y-%m-%d")
    if abs(held) < 0.5:
        how = f"held about as long ({change.held_s:.0f} s)"
    else:
        how = (
            f"held {abs(held):.0f} s {'longer' if held > 0 else 'shorter'} ({change.held_s:.0f} s)"
        )
    lines = [f"Compared with your last {reference.name} session ({when}): {how}."]
    checks = {c.id: c for c in reference.checks}
    for label, unit, check_id, now, then in change.ranges:
        sign = more_range(checks[check_id]) if check_id in checks else 0
        verdict = _change(now, then, unit, sign).replace("more range", "range up")
        verdict = verdict.replace("less range", "range down")
        lines.append(f"  {label}: {_value(now, unit)}, last time {_value(then, unit)}: {verdict}")
    return lines


def _change(now: float, then: float, unit: str, sign: int) -> str:
    """``+3° (more range)``; a change too small to show is ``no change``."""
    digits = 0 if unit == "deg" else 2
    step = round(now - then, digits)
    if step == 0:
        return "no change"
    text = f"{step:+.{digits}f}{_UNIT_SYMBOL.get(unit, '')}"
    if sign == 0:
        return text
    return f"{text} ({'more' if step * sign > 0 else 'less'} range)"


def _value(value: float, unit: str) -> str:
    digits = 0 if unit == "deg" else 2
    return f"{value:.{digits}f}{_UNIT_SYMBOL.get(unit, '')}"


# --- the history command ---------------------------------------------------------


def _names() -> dict[str, str]:
    try:
        return {ref_id: ref.name for ref_id, ref in load_references([]).items()}
    except PosecheckError:
        return {}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _error(f"--delete-before must be a date as YYYY-MM-DD (got {text!r})")
        raise typer.Exit(EXIT_USAGE) from None


def _session_line(s: SessionRecord, names: dict[str, str]) -> str:
    what = names.get(s.what, s.what)
    holds = len(s.holds)
    done = sum(h.completed for h in s.holds)
    form = sum(h.form_pct * h.held_s for h in s.holds) / s.held_s if s.held_s else 0.0
    tag = "  (demo, not counted)" if s.demo else ""
    return (
        f"  {s.started:%Y-%m-%d %H:%M}  {s.source:<5}  {what:<32} "
        f"{done}/{holds} holds, {s.held_s:4.0f} s held, in form {form:3.0f}%{tag}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _days(n: int) -> str:
    return _count(n, "day")


def _summary(sessions: list[SessionRecord], path: Path, today: date) -> list[str]:
    if not sessions:
        return [f"No sessions recorded yet (history file: {path})."]
    names = _names()
    streak = streaks(sessions, today)
    lines = [
        f"Practice history: {_count(len(sessions), 'session')} in {path}",
        f"Current streak: {_days(streak.current)} in a row; longest: {_days(streak.longest)}",
        "Minutes stretched per week:",
    ]
    lines += [
        f"  week of {monday:%Y-%m-%d}  {minutes:5.1f} min"
        for monday, minutes in minutes_per_week(sessions, today, WEEKS_SHOWN)
    ]
    lines.append("Recent sessions:")
    lines += [_session_line(s, names) for s in reversed(sessions[-RECENT_SESSIONS:])]
    return lines


def _trend(sessions: list[SessionRecord], stretch: str) -> list[str]:
    refs = load_references([]) if stretch else {}
    reference = refs.get(stretch)
    name = reference.name if reference else stretch
    series = rom_series(sessions, stretch)
    if not series:
        return [f"No range-of-motion measurements for {name} yet."]
    checks = {c.id: c for c in reference.checks} if reference else {}
    lines = [f"{name}: range of motion, session by session"]
    for s in series:
        sign = more_range(checks[s.check_id]) if s.check_id in checks else 0
        way = {1: "; higher is more range", -1: "; lower is more range"}.get(sign, "")
        lines.append(f"  {s.label} ({_UNIT_WORDS.get(s.unit, s.unit)}{way})")
        for p in s.points:
            plural = "s" if p.holds != 1 else ""
            lines.append(
                f"    {p.session.started:%Y-%m-%d %H:%M}  {_value(p.value, s.unit):>8}"
                f"  ({p.holds} hold{plural}, {p.session.source})"
            )
        if len(s.points) > 1:
            first, last = s.points[0].value, s.points[-1].value
            lines.append(f"    since the first: {_change(last, first, s.unit, sign)}")
    return lines


@app.command()
def history(
    stretch: Annotated[
        str | None,
        typer.Option("--stretch", "-s", help="Show the range-of-motion trend of this stretch."),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Draw minutes per day and range of motion to FILE.png or FILE.html.",
            dir_okay=False,
        ),
    ] = None,
    export_to: Annotated[
        Path | None,
        typer.Option(
            "--export", help="Write the whole history to FILE.csv or FILE.json.", dir_okay=False
        ),
    ] = None,
    before: Annotated[
        str | None,
        typer.Option(
            "--delete-before",
            help="Delete sessions before this date (YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show your practice history: recent sessions, streaks, minutes per week, progress."""
    path = db or default_path()
    today = _now().date()
    for option, target, allowed in (
        ("--plot", plot, (".png", ".html")),
        ("--export", export_to, (".csv", ".json")),
    ):
        if target is not None and target.suffix.lower() not in allowed:
            _error(f"{option} {target}: use a {' or '.join(allowed)} file")
            raise typer.Exit(EXIT_USAGE)
    with _reported():
        if before is not None:
            _delete(path, _day(before), yes=yes)
        sessions = read_sessions(path)
        if export_to is not None:
            export(sessions, export_to)
        if plot is not None:
            write_plot(plot, build_chart(sessions, today))
    chosen = [s for s in sessions if stretch is None or any(h.stretch == stretch for h in s.holds)]
    if as_json:
        for s in chosen:
            typer.echo(json.dumps(s.to_json()))
        return
    if before is None or sessions:
        lines = _trend(sessions, stretch) if stretch else _summary(sessions, path, today)
        for line in lines:
            typer.echo(line)
    for label, target in (("history exported", export_to), ("plot", plot)):
        if target is not None:
            typer.echo(f"{label}: {target}")


def _delete(path: Path, day: date, *, yes: bool) -> None:
    doomed = [s for s in read_sessions(path) if s.day < day]
    if not doomed:
        typer.echo(f"No sessions before {day.isoformat()}.")
        return
    what = f"{len(doomed)} session{'s' if len(doomed) != 1 else ''} before {day.isoformat()}"
    if not yes:
        if not sys.stdin.isatty():
            _error(f"deleting {what} needs confirmation: add --yes")
            raise typer.Exit(EXIT_USAGE)
        if not typer.confirm(f"Delete {what} from {path}?"):
            typer.echo("Nothing deleted.")
            return
    deleted = delete_before(path, day)
    typer.echo(f"Deleted {deleted} session{'s' if deleted != 1 else ''} before {day.isoformat()}.")
