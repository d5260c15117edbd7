"""The practice history as a library: the schema and its migrations, writing holds,
a damaged or locked file, two writers at once, streaks, the export round trip."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from posecheck.catalog.reference import load_references
from posecheck.coaching.reps import RepSummary
from posecheck.history import database
from posecheck.history.database import MIGRATIONS, SCHEMA_VERSION, HistoryError, connect
from posecheck.history.export import export, read_export
from posecheck.history.log import SessionLog
from posecheck.history.records import HoldRecord, SessionRecord
from posecheck.history.stats import (
    Streaks,
    compare_with_last,
    minutes_per_day,
    minutes_per_week,
    rom_series,
    streaks,
)
from posecheck.history.store import delete_before, read_sessions

BRIDGE = load_references([])["bridge"]
UTC = UTC
PARIS = timezone(timedelta(hours=1))
TOKYO = timezone(timedelta(hours=9))
NEW_YORK = timezone(timedelta(hours=-5))


def rep(n: int = 1, held_s: float = 30.0, lift: float | None = 25.0) -> RepSummary:
    return RepSummary(
        rep=n,
        side=None,
        start_s=0.0,
        end_s=held_s,
        held_s=held_s,
        target_s=30.0,
        in_form_s=held_s * 0.8,
        completed=held_s >= 30.0,
        pass_rate={},
        faults=(),
        progress={} if lift is None else {"hips-lifted": lift},
    )


def log_session(
    db: Path,
    started: datetime,
    *,
    reps: int = 1,
    source: str = "live",
    lift: float = 25.0,
    held_s: float = 30.0,
) -> SessionLog:
    with SessionLog(db, source=source, started=started, stretch="bridge") as log:
        for n in range(1, reps + 1):
            assert log.add_hold(BRIDGE, rep(n, held_s, lift), started + timedelta(minutes=n))
    return log


# --- the file ---------------------------------------------------------------------


def test_a_new_file_gets_the_current_schema_in_wal_mode(tmp_path: Path):
    db = tmp_path / "deep" / "folder" / "history.sqlite3"
    conn = connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "holds", "measurements"} <= tables
    conn.close()


def test_a_version_1_file_is_upgraded_in_place_and_keeps_its_sessions(tmp_path: Path):
    db = tmp_path / "history.sqlite3"
    # As posecheck with schema version 1 wrote it: sessions and holds, no measurements.
    old = sqlite3.connect(db)
    for statement in MIGRATIONS[0]:
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO sessions (id, started_utc, utc_offset_min, ended_utc, source, stretch) "
        "VALUES (1, 1764000000, 60, 1764000090, 'live', 'bridge')"
    )
    old.execute(
        "INSERT INTO holds (session_id, stretch, side, rep, target_s, held_s, form_pct, "
        "main_fault, completed) VALUES (1, 'bridge', NULL, 1, 30, 28.5, 90, 'hips-lifted', 0)"
    )
    old.commit()
    old.close()

    (session,) = read_sessions(db)
    assert session.started == datetime(2025, 11, 24, 17, 0, tzinfo=PARIS)
    assert session.holds[0].held_s == 28.5 and session.holds[0].measurements == ()
    assert session.content_hash is None
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    # The upgraded file takes new holds with their measurements.
    log_session(db, datetime(2025, 11, 25, 9, 0, tzinfo=PARIS))
    assert [len(s.holds[0].measurements) for s in read_sessions(db)] == [0, 1]


def test_a_file_from_a_newer_posecheck_is_refused_not_changed(tmp_path: Path):
    db = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer than this posecheck understands"):
        read_sessions(db)


def test_the_default_file_follows_xdg_and_the_environment_overrides_it(tmp_path: Path):
    assert database.default_path({"XDG_DATA_HOME": "/data"}) == Path(
        "/data/posecheck/history.sqlite3"
    )
    assert database.default_path({"XDG_DATA_HOME": "/data", "POSECHECK_DB": "/x/h.db"}) == Path(
        "/x/h.db"
    )
    relative = database.default_path({"XDG_DATA_HOME": "not/absolute", "HOME": str(tmp_path)})
    assert relative.parts[-3:] == ("share", "posecheck", "history.sqlite3")


# --- writing ----------------------------------------------------------------------


def test_each_hold_is_in_the_file_the_moment_it_is_added(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    started = datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)
    log = SessionLog(db, source="live", started=started, stretch="bridge")
    assert read_sessions(db) == []  # no hold yet: no session either
    log.add_hold(BRIDGE, rep(1, lift=20.0), started + timedelta(minutes=1))
    (session,) = read_sessions(db)  # read by another connection while the log is open
    assert session.holds[0].measurements[0].value == 20.0
    assert session.holds[0].measurements[0].label == "Hips lifted off the floor"
    log.add_hold(BRIDGE, rep(2, lift=22.0), started + timedelta(minutes=2))
    log.close()
    (session,) = read_sessions(db)
    assert [h.rep for h in session.holds] == [1, 2]
    assert session.ended == started + timedelta(minutes=2)


def test_scoring_the_same_recording_again_replaces_its_entry(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    started = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    for held in (20.0, 30.0):
        with SessionLog(
            db, source="score", started=started, stretch="bridge", content_hash="abc"
        ) as log:
            log.add_hold(BRIDGE, rep(1, held), started)
    with SessionLog(
        db, source="score", started=started, stretch="bridge", content_hash="def"
    ) as log:
        log.add_hold(BRIDGE, rep(1, 10.0), started)
    sessions = read_sessions(db)
    assert sorted((s.content_hash, s.held_s) for s in sessions) == [("abc", 30.0), ("def", 10.0)]


def test_a_damaged_file_is_one_warning_and_the_session_goes_on_unrecorded(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    warnings: list[str] = []
    log = SessionLog(
        db, source="live", started=datetime.now(UTC), stretch="bridge", on_warning=warnings.append
    )
    assert not log.add_hold(BRIDGE, rep(), datetime.now(UTC))
    assert not log.add_hold(BRIDGE, rep(2), datetime.now(UTC))
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: {db}: history file cannot be used")
    assert "move it aside" in warnings[0] and "not recorded" in warnings[0]
    assert db.read_bytes().startswith(b"this is not a database")  # left as it was
    with pytest.raises(HistoryError, match="damaged or not a posecheck history"):
        read_sessions(db)


def test_a_file_locked_too_long_is_one_warning_not_a_wait_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    db = tmp_path / "h.sqlite3"
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    warnings: list[str] = []
    log = SessionLog(
        db, source="live", started=datetime.now(UTC), stretch="bridge", on_warning=warnings.append
    )
    assert log.add_hold(BRIDGE, rep(1), datetime.now(UTC))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    assert not log.add_hold(BRIDGE, rep(2), datetime.now(UTC))
    assert not log.add_hold(BRIDGE, rep(3), datetime.now(UTC))
    holder.execute("ROLLBACK")
    holder.close()
    (warning,) = warnings
    assert "locked" in warning and "the rest of this session is not recorded" in warning
    (session,) = read_sessions(db)
    assert [h.rep for h in session.holds] == [1]


WRITER = textwrap.dedent(
    """
    import sys
    import time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from posecheck.catalog.reference import load_references
    from posecheck.coaching.reps import RepSummary
    from posecheck.history.log import SessionLog

    db, name, holds, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    bridge = load_references([])["bridge"]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    failed = []
    Path(f"{go}.{name}").touch()  # ready
    while not go.exists():  # both start writing together
        time.sleep(0.005)
    log = SessionLog(Path(db), source="live", started=start, stretch=name, on_warning=failed.append)
    for n in range(1, holds + 1):
        rep = RepSummary(n, None, 0.0, 1.0, 1.0, 30.0, 1.0, False, {}, (), {"hips-lifted": n})
        log.add_hold(bridge, rep, start + timedelta(seconds=n))
        time.sleep(0.002)  # a moment between holds, as in a session, lets the other in
    log.close()
    print(failed)
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    holds = 300
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, str(holds), str(go)],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ,
        )
        for name in ("first", "second")
    ]
    while not all(Path(f"{go}.{name}").exists() for name in ("first", "second")):
        assert all(w.poll() is None for w in writers), "a writer died before it started"
        time.sleep(0.01)
    go.touch()
    outputs = [w.communicate(timeout=300)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0]
    assert outputs == ["[]\n", "[]\n"], "a writer gave up"
    sessions = read_sessions(db)
    assert sorted(s.stretch or "" for s in sessions) == ["first", "second"]
    for s in sessions:
        assert [h.rep for h in s.holds] == list(range(1, holds + 1))
        assert [h.measurements[0].value for h in s.holds] == list(range(1, holds + 1))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    order = [row[0] for row in conn.execute("SELECT session_id FROM holds ORDER BY id")]
    conn.close()
    switches = sum(a != b for a, b in itertools.pairwise(order))
    assert switches > 1, "the two writers never wrote at the same time"


# --- reading ----------------------------------------------------------------------


def session(
    day: date, tz: timezone = UTC, hour: int = 9, source: str = "live", held_s: float = 60.0
) -> SessionRecord:
    started = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    hold = HoldRecord("bridge", None, 1, 30.0, held_s, 100.0, None, True)
    return SessionRecord(
        id=hash((day, hour, tz)),
        started=started,
        ended=None,
        source=source,
        stretch="bridge",
        routine=None,
        holds=(hold,),
    )


D = date(2026, 3, 10)  # a Tuesday


def test_a_streak_counts_days_in_a_row_up_to_today_or_yesterday():
    days = [D - timedelta(days=n) for n in (0, 1, 2)]
    assert streaks([session(d) for d in days], D) == Streaks(3, 3)
    # Today not practised yet: yesterday's streak is still the current one.
    assert streaks([session(d) for d in days], D + timedelta(days=1)).current == 3
    # A whole missed day ends it.
    assert streaks([session(d) for d in days], D + timedelta(days=2)).current == 0


def test_a_missed_day_splits_the_streak_and_the_longest_is_kept():
    practised = [D - timedelta(days=n) for n in (0, 1, 3, 4, 5, 6)]  # day 2 missed
    assert streaks([session(d) for d in practised], D) == Streaks(2, 4)


def test_two_sessions_on_one_day_count_once_and_demos_and_empty_sessions_not_at_all():
    sessions = [
        session(D),
        session(D, hour=20),
        session(D - timedelta(days=1), source="demo"),
        session(D - timedelta(days=2), held_s=0.0),
    ]
    assert streaks(sessions, D) == Streaks(1, 1)


def test_the_day_is_the_local_calendar_day_where_the_session_was_logged():
    # 23:30 in New York on the 9th is already the 10th in UTC: it counts on the 9th.
    late = session(D - timedelta(days=1), NEW_YORK, hour=23)
    assert late.day == D - timedelta(days=1)
    assert late.started.astimezone(UTC).date() == D
    # Stretched at 22:00 in Paris on the 9th, then after a flight at 08:00 in Tokyo on
    # the 10th: two days in a row, although both fall on the 9th in UTC.
    paris = session(D - timedelta(days=1), PARIS, hour=22)
    tokyo = session(D, TOKYO, hour=8)
    assert streaks([paris, tokyo], D) == Streaks(2, 2)
    in_utc = [replace(s, started=s.started.astimezone(UTC)) for s in (paris, tokyo)]
    assert streaks(in_utc, D) == Streaks(1, 1)


def test_minutes_per_day_and_week_leave_demos_out():
    sessions = [
        session(D, held_s=90.0),
        session(D, hour=18, held_s=30.0),
        session(D - timedelta(days=1), held_s=60.0),  # Monday of the same week
        session(D - timedelta(days=2), held_s=120.0),  # Sunday, the week before
        session(D, source="demo", held_s=600.0),
    ]
    assert minutes_per_day(sessions, [D - timedelta(days=1), D]) == [1.0, 2.0]
    assert minutes_per_week(sessions, D, 2) == [(date(2026, 3, 2), 2.0), (date(2026, 3, 9), 3.0)]


def test_range_of_motion_per_session_and_against_the_last_session(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    log_session(db, datetime(2026, 3, 1, 9, tzinfo=PARIS), reps=2, lift=20.0)
    log_session(db, datetime(2026, 3, 2, 9, tzinfo=PARIS), lift=24.0, held_s=20.0)
    log_session(db, datetime(2026, 3, 3, 9, tzinfo=PARIS), lift=99.0, source="demo")
    sessions = read_sessions(db)
    (series,) = rom_series(sessions, "bridge")
    assert [(p.value, p.holds) for p in series.points] == [(20.0, 2), (24.0, 1)]
    assert rom_series(sessions, "knee-to-chest") == []
    change = compare_with_last(sessions, sessions[1], "bridge")
    assert change is not None
    assert (change.held_s, change.previous_held_s) == (20.0, 60.0)
    assert change.ranges == (("Hips lifted off the floor", "deg", "hips-lifted", 24.0, 20.0),)
    assert compare_with_last(sessions, sessions[0], "bridge") is None


def test_deleting_before_a_day_removes_those_sessions_with_their_holds(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    for day in (1, 2, 3):
        log_session(db, datetime(2026, 3, day, 23, 30, tzinfo=NEW_YORK), reps=2)
    assert delete_before(db, date(2026, 3, 3)) == 2
    assert [s.day for s in read_sessions(db)] == [date(2026, 3, 3)]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0] == 2
    assert conn.execute("SELECT COUNT(*) FROM measurements").fetchone()[0] == 2
    conn.close()


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_the_export_reads_back_as_the_same_sessions(tmp_path: Path, suffix: str):
    db = tmp_path / "h.sqlite3"
    log_session(db, datetime(2026, 3, 1, 9, 15, 30, 250000, tzinfo=PARIS), reps=2, lift=21.123)
    log_session(db, datetime(2026, 3, 2, 23, 45, tzinfo=NEW_YORK), source="demo", held_s=12.345)
    with SessionLog(
        db,
        source="score",
        started=datetime(2026, 3, 3, tzinfo=TOKYO),
        stretch="bridge",
        content_hash="f00d",
    ) as log:
        log.add_hold(BRIDGE, rep(1, lift=None), datetime(2026, 3, 3, 0, 1, tzinfo=TOKYO))
    sessions = read_sessions(db)
    assert len(sessions) == 3
    out = tmp_path / f"history{suffix}"
    export(sessions, out)
    assert read_export(out) == sessions
    assert not list(tmp_path.glob(".*partial*"))
