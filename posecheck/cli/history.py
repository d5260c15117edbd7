"""`posecheck history`: the practice log read back, plotted, exported or trimmed."""

from __future__ import annotations

import json
import sys
from datetime import date
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
from posecheck.cli.practice import UNIT_WORDS, change_text, now, value_text
from posecheck.errors import PosecheckError
from posecheck.history.database import default_path
from posecheck.history.export import export
from posecheck.history.plot import build_chart, write_plot
from posecheck.history.records import SessionRecord
from posecheck.history.stats import (
    minutes_per_week,
    more_range,
    rom_series,
    streaks,
)
from posecheck.history.store import delete_before, read_sessions

RECENT_SESSIONS = 10
WEEKS_SHOWN = 4


def _references() -> dict[str, Reference]:
    """The bundled and user stretches, to name them; none when a user file is broken."""
    try:
        return load_references([])
    except PosecheckError:
        return {}


def _names() -> dict[str, str]:
    return {ref_id: ref.name for ref_id, ref in _references().items()}


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
    reference = _references().get(stretch)
    name = reference.name if reference else stretch
    series = rom_series(sessions, stretch)
    if not series:
        return [f"No range-of-motion measurements for {name} yet."]
    checks = {c.id: c for c in reference.checks} if reference else {}
    lines = [f"{name}: range of motion, session by session"]
    for s in series:
        sign = more_range(checks[s.check_id]) if s.check_id in checks else 0
        way = {1: "; higher is more range", -1: "; lower is more range"}.get(sign, "")
        lines.append(f"  {s.label} ({UNIT_WORDS.get(s.unit, s.unit)}{way})")
        for p in s.points:
            plural = "s" if p.holds != 1 else ""
            lines.append(
                f"    {p.session.started:%Y-%m-%d %H:%M}  {value_text(p.value, s.unit):>8}"
                f"  ({p.holds} hold{plural}, {p.session.source})"
            )
        if len(s.points) > 1:
            first, last = s.points[0].value, s.points[-1].value
            lines.append(f"    since the first: {change_text(last, first, s.unit, sign)}")
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
    today = now().date()
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
            write_plot(plot, build_chart(sessions, today, _references()))
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
