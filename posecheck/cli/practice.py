"""How `live`, `demo` and `score` log into the practice history, and the words a
session's end uses to compare it with the last one (see `posecheck.cli.history`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import typer

from posecheck.catalog.reference import Reference
from posecheck.coaching.reps import RepSummary
from posecheck.errors import PosecheckError
from posecheck.history.database import default_path
from posecheck.history.log import SessionLog, content_hash
from posecheck.history.records import SessionRecord
from posecheck.history.stats import compare_with_last, more_range
from posecheck.history.store import read_sessions
from posecheck.report.summary import ScoreReport

UNIT_SYMBOL = {"deg": "°", "len": " len", "ratio": ""}
UNIT_WORDS = {"deg": "degrees", "len": "body lengths", "ratio": "ratio"}


def now() -> datetime:
    return datetime.now().astimezone()


def _warn(text: str) -> None:
    typer.secho(text, fg=typer.colors.YELLOW, err=True)


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
        path, source=source, started=now(), stretch=stretch, routine=routine, on_warning=_warn
    )


def hold_keeper(log: SessionLog | None, reference: Reference) -> Callable[[RepSummary], None]:
    """``on_rep`` for `run_session`: each hold committed the moment it completes."""

    def keep(rep: RepSummary) -> None:
        if log is not None:
            log.add_hold(reference, rep, now())

    return keep


def finish_log(
    log: SessionLog | None, reference: Reference, reps: Sequence[RepSummary], *, compare: bool
) -> None:
    """Keep the hold cut short at the end (if any), then, with ``compare``, say how the
    session went against the last one of the same stretch."""
    if log is None:
        return
    for rep in reps[log.holds :]:
        log.add_hold(reference, rep, now())
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
    for label, unit, check_id, value_now, value_then in change.ranges:
        sign = more_range(checks[check_id]) if check_id in checks else 0
        verdict = change_text(value_now, value_then, unit, sign)
        verdict = verdict.replace("more range", "range up").replace("less range", "range down")
        lines.append(
            f"  {label}: {value_text(value_now, unit)}, "
            f"last time {value_text(value_then, unit)}: {verdict}"
        )
    return lines


def change_text(now: float, then: float, unit: str, sign: int) -> str:
    """``+3° (more range)``; a change too small to show is ``no change``."""
    digits = 0 if unit == "deg" else 2
    step = round(now - then, digits)
    if step == 0:
        return "no change"
    text = f"{step:+.{digits}f}{UNIT_SYMBOL.get(unit, '')}"
    if sign == 0:
        return text
    return f"{text} ({'more' if step * sign > 0 else 'less'} range)"


def value_text(value: float, unit: str) -> str:
    digits = 0 if unit == "deg" else 2
    return f"{value:.{digits}f}{UNIT_SYMBOL.get(unit, '')}"
