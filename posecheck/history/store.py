"""Reading the history back, and deleting old sessions from it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from posecheck.history.database import HistoryError, connect, problem
from posecheck.history.records import HoldRecord, Measurement, SessionRecord, local_time

_SESSIONS = (
    "SELECT id, started_utc, utc_offset_min, ended_utc, source, stretch, routine, content_hash "
    "FROM sessions"
)


def read_sessions(path: Path) -> list[SessionRecord]:
    """Every session in the file, oldest first, with its holds; none when there is no
    file yet. Raises `HistoryError` for a file that cannot be read."""
    if not path.exists():
        return []
    conn = connect(path, create=False)
    try:
        return _sessions(conn, f"{_SESSIONS} ORDER BY started_utc, id", ())
    except sqlite3.Error as error:
        raise problem(path, error) from None
    finally:
        conn.close()


def _sessions(
    conn: sqlite3.Connection, query: str, params: tuple[object, ...]
) -> list[SessionRecord]:
    measurements: dict[int, list[Measurement]] = {}
    for hold_id, check_id, label, unit, value in conn.execute(
        "SELECT hold_id, check_id, label, unit, value FROM measurements ORDER BY hold_id, check_id"
    ):
        measurements.setdefault(hold_id, []).append(Measurement(check_id, label, unit, value))
    holds: dict[int, list[HoldRecord]] = {}
    for row in conn.execute(
        "SELECT id, session_id, stretch, side, rep, target_s, held_s, form_pct, main_fault, "
        "completed FROM holds ORDER BY session_id, id"
    ):
        hold_id, session_id, stretch, side, rep, target_s, held_s, pct, fault, completed = row
        holds.setdefault(session_id, []).append(
            HoldRecord(
                stretch=stretch,
                side=side,
                rep=rep,
                target_s=target_s,
                held_s=held_s,
                form_pct=pct,
                main_fault=fault,
                completed=bool(completed),
                measurements=tuple(measurements.get(hold_id, ())),
            )
        )
    return [
        SessionRecord(
            id=sid,
            started=local_time(started, offset),
            ended=None if ended is None else local_time(ended, offset),
            source=source,
            stretch=stretch,
            routine=routine,
            content_hash=content,
            holds=tuple(holds.get(sid, ())),
        )
        for sid, started, offset, ended, source, stretch, routine, content in conn.execute(
            query, params
        )
    ]


def delete_before(path: Path, day: date) -> int:
    """Delete every session that started before ``day`` (each on its own local
    calendar day); return how many were deleted."""
    sessions = [s for s in read_sessions(path) if s.day < day]
    if not sessions:
        return 0
    conn = connect(path, create=False)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("DELETE FROM sessions WHERE id = ?", [(s.id,) for s in sessions])
        conn.execute("COMMIT")
    except sqlite3.Error as error:
        raise problem(path, error) from None
    finally:
        conn.close()
    return len(sessions)


__all__ = ["HistoryError", "delete_before", "read_sessions"]
