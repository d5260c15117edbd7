"""Writing a session into the history as it happens: each hold committed the moment
it completes, so a session killed halfway loses at most the hold under way.

The log never stops a session. When the file cannot be opened or written
(damaged, locked for longer than the busy timeout, a folder that cannot be
created) the log says so once through ``on_warning`` and records nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from posecheck.catalog.reference import Reference
from posecheck.coaching.reps import RepSummary
from posecheck.history.database import HistoryError, connect, problem
from posecheck.history.records import SOURCES, offset_minutes
from posecheck.report.summary import form_pct

_HASH_BLOCK = 1 << 20


def content_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes: the same recording under any name is one key."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class SessionLog:
    """One session's entry in the history.

    The session row is written with its first hold, so a session in which no
    hold started leaves nothing behind. With ``content_hash`` (a scored
    recording), an earlier entry for the same recording and stretch is
    replaced in the same transaction: scoring a recording twice counts once.
    """

    def __init__(
        self,
        path: Path,
        *,
        source: str,
        started: datetime,
        stretch: str | None = None,
        routine: str | None = None,
        content_hash: str | None = None,
        on_warning: Callable[[str], None] = lambda text: None,
    ) -> None:
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES} (got {source!r})")
        self.path = path
        self.source = source
        self.started = started
        self.stretch = stretch
        self.routine = routine
        self.content_hash = content_hash
        self.on_warning = on_warning
        self.session_id: int | None = None
        self.holds = 0
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = connect(path)
        except HistoryError as error:
            self._fail(error)

    @property
    def active(self) -> bool:
        """Whether holds are still being recorded."""
        return self._conn is not None

    def _fail(self, error: BaseException) -> None:
        self.close()
        what = "the rest of this session is" if self.holds else "this session is"
        self.on_warning(f"warning: {problem(self.path, error)}; {what} not recorded")

    def add_hold(self, reference: Reference, rep: RepSummary, now: datetime) -> bool:
        """Commit one finished hold (and the session, with the first); True when kept."""
        conn = self._conn
        if conn is None:
            return False
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self.session_id is None:
                    self.session_id = self._insert_session(conn, now)
                self._insert_hold(conn, self.session_id, reference, rep)
                conn.execute(
                    "UPDATE sessions SET ended_utc = ? WHERE id = ?",
                    (now.timestamp(), self.session_id),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self.session_id = None if self.holds == 0 else self.session_id
            self._fail(error)
            return False
        self.holds += 1
        return True

    def _insert_session(self, conn: sqlite3.Connection, now: datetime) -> int:
        if self.content_hash is not None:
            conn.execute(
                "DELETE FROM sessions WHERE content_hash = ? AND stretch IS ?",
                (self.content_hash, self.stretch),
            )
        cursor = conn.execute(
            "INSERT INTO sessions (started_utc, utc_offset_min, ended_utc, source, stretch, "
            "routine, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.started.timestamp(),
                offset_minutes(self.started),
                now.timestamp(),
                self.source,
                self.stretch,
                self.routine,
                self.content_hash,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @staticmethod
    def _insert_hold(
        conn: sqlite3.Connection, session_id: int, reference: Reference, rep: RepSummary
    ) -> None:
        cursor = conn.execute(
            "INSERT INTO holds (session_id, stretch, side, rep, target_s, held_s, form_pct, "
            "main_fault, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                reference.id,
                rep.side,
                rep.rep,
                rep.target_s,
                rep.held_s,
                form_pct(rep),
                rep.main_fault,
                int(rep.completed),
            ),
        )
        checks = {c.id: c for c in reference.checks}
        conn.executemany(
            "INSERT INTO measurements (hold_id, check_id, label, unit, value) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    cursor.lastrowid,
                    check_id,
                    checks[check_id].label,
                    checks[check_id].kind.unit.value,
                    value,
                )
                for check_id, value in rep.progress.items()
                if check_id in checks
            ],
        )

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
