"""Where the history file lives, opening it, and its schema with the migrations
that bring an older file up to date in place.

SQLite from the standard library, in WAL mode: a reader never waits for a
writer, and each write is a short transaction, so two posecheck processes can
log at once. A writer that finds the file busy waits up to `BUSY_TIMEOUT_S`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from posecheck.errors import InputError

DB_ENV = "POSECHECK_DB"
DB_NAME = "history.sqlite3"
BUSY_TIMEOUT_S = 10.0

# Each entry upgrades the file by one version; PRAGMA user_version says how many
# have been applied. Never edit an entry once released: add the next one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions and their holds.
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_utc REAL NOT NULL,
            utc_offset_min INTEGER NOT NULL,
            ended_utc REAL,
            source TEXT NOT NULL CHECK (source IN ('live', 'score', 'demo')),
            stretch TEXT,
            routine TEXT
        )""",
        """CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            stretch TEXT NOT NULL,
            side TEXT,
            rep INTEGER NOT NULL,
            target_s REAL NOT NULL,
            held_s REAL NOT NULL,
            form_pct REAL NOT NULL,
            main_fault TEXT,
            completed INTEGER NOT NULL
        )""",
        "CREATE INDEX holds_by_session ON holds(session_id)",
        "CREATE INDEX sessions_by_start ON sessions(started_utc)",
    ),
    # 2: range-of-motion measurements per hold; a scored recording keyed by its content.
    (
        """CREATE TABLE measurements (
            hold_id INTEGER NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
            check_id TEXT NOT NULL,
            label TEXT NOT NULL,
            unit TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (hold_id, check_id)
        )""",
        "ALTER TABLE sessions ADD COLUMN content_hash TEXT",
        "CREATE INDEX sessions_by_content ON sessions(content_hash, stretch)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(InputError):
    """The history file cannot be opened, read or written (damaged, locked, newer)."""


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """``$POSECHECK_DB``, else ``$XDG_DATA_HOME/posecheck/history.sqlite3``
    (``~/.local/share`` when XDG_DATA_HOME is unset or not absolute)."""
    env = os.environ if env is None else env
    if env.get(DB_ENV):
        return Path(env[DB_ENV]).expanduser()
    xdg = env.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "posecheck" / DB_NAME


def problem(path: Path, error: BaseException) -> HistoryError:
    """One line naming the file and what to do about it."""
    text = str(error) or type(error).__name__
    if "locked" in text or "busy" in text:
        hint = "another program holds it locked; try again when it has finished"
    elif isinstance(error, sqlite3.DatabaseError) and "not a database" in text:
        hint = "it is damaged or not a posecheck history; move it aside to start a new one"
    elif isinstance(error, HistoryError):
        return error
    else:
        hint = "check the file and its folder, or choose another with --db"
    return HistoryError(f"{path}: history file cannot be used ({text}); {hint}")


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open the history file, creating it (and its folder) when asked, in WAL mode
    and at the current schema version. Raises `HistoryError`."""
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise HistoryError(f"{path}: no history file here yet")
        # Autocommit: every transaction is opened explicitly, and kept short.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise problem(path, error) from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, path)
    except (sqlite3.Error, HistoryError) as error:
        conn.close()
        raise problem(path, error) from None
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Apply the migrations the file lacks, in one transaction; return the version
    it had. A file from a newer posecheck is left alone (`HistoryError`)."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have just upgraded it.
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise HistoryError(
                f"{path}: history file is version {found}, newer than this posecheck "
                f"understands ({SCHEMA_VERSION}); upgrade posecheck or choose another with --db"
            )
        for statements in MIGRATIONS[found:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
