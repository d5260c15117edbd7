"""`posecheck history`, and `live`, `demo` and `score` logging into it, run as the
user runs them: the real command in a subprocess, on a throwaway history file
(tests/conftest.py points POSECHECK_DB at one for every test)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from posecheck.catalog.reference import load_references
from posecheck.coaching.reps import RepSummary
from posecheck.history.log import SessionLog
from posecheck.history.store import read_sessions
from tests.helpers import CLI_CODE, ROOT, SAMPLE_RECORDING, one_error_line, run, run_in

BRIDGE = load_references([])["bridge"]


def db() -> Path:
    return Path(os.environ["POSECHECK_DB"])


def history(*args: str) -> subprocess.CompletedProcess[str]:
    return run("history", *args)


def json_sessions(*args: str) -> list[dict[str, object]]:
    result = history("--json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_demo_is_shown_in_the_history_marked_and_not_counted(tmp_path: Path):
    demo = run_in(tmp_path, "demo", "--out", str(tmp_path / "demo.mp4"))
    assert demo.returncode == 0, demo.stderr
    shown = history()
    assert shown.returncode == 0, shown.stderr
    assert "Current streak: 0 days in a row; longest: 0 days" in shown.stdout
    (line,) = [line for line in shown.stdout.splitlines() if "Bridge" in line]
    assert "demo" in line and "(demo, not counted)" in line
    (session,) = json_sessions()
    assert session["source"] == "demo" and session["demo"] is True
    assert session["stretch"] == "bridge" and session["routine"] is None
    (hold,) = session["holds"]
    assert {"held_s", "target_s", "form_pct"} <= set(hold)
    assert hold["held_s"] == 10.0 and hold["target_s"] == 10.0


def test_live_logs_each_session_and_compares_with_the_last_one(tmp_path: Path):
    args = ("live", "--stretch", "bridge", "--source", str(SAMPLE_RECORDING), "--hold", "8")
    first = run_in(tmp_path, *args, "--out", str(tmp_path / "one.mp4"))
    assert first.returncode == 0, first.stderr
    assert "First Bridge session in your history." in first.stdout
    second = run_in(tmp_path, *args, "--out", str(tmp_path / "two.mp4"))
    assert second.returncode == 0, second.stderr
    assert "Compared with your last Bridge session" in second.stdout
    assert "held about as long (8 s)" in second.stdout
    assert "Hips lifted off the floor: " in second.stdout and "last time" in second.stdout
    unlogged = run_in(tmp_path, *args, "--out", str(tmp_path / "three.mp4"), "--no-history")
    assert unlogged.returncode == 0 and "Compared" not in unlogged.stdout
    sessions = json_sessions()
    assert [s["source"] for s in sessions] == ["live", "live"]
    assert history("--stretch", "bridge").stdout.count("(1 hold, live)") == 2
    shown = history()
    assert "Current streak: 1 day in a row; longest: 1 day" in shown.stdout


def test_scoring_the_same_recording_twice_counts_once(tmp_path: Path):
    copy = tmp_path / "renamed.jsonl"
    copy.write_bytes(SAMPLE_RECORDING.read_bytes())
    for video in (SAMPLE_RECORDING, copy):
        scored = run("score", str(video), "--stretch", "bridge", "--hold", "10")
        assert scored.returncode == 0, scored.stderr
    (session,) = json_sessions()
    assert session["source"] == "score" and len(session["holds"]) == 1


def test_a_damaged_history_file_warns_once_and_the_session_still_runs(tmp_path: Path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database\n" * 200)
    result = run_in(
        tmp_path,
        "live",
        "--stretch",
        "bridge",
        "--source",
        str(SAMPLE_RECORDING),
        "--hold",
        "8",
        "--out",
        str(tmp_path / "o.mp4"),
        "--db",
        str(bad),
    )
    assert result.returncode == 0
    assert "Rep 1 of 1: held 8.0 / 8 s" in result.stdout
    warning = one_error_line(result)
    assert warning.startswith(f"warning: {bad}: history file cannot be used")
    shown = history("--db", str(bad))
    assert shown.returncode == 1
    assert "damaged or not a posecheck history" in one_error_line(shown)


def _log_days(days: list[int], lift0: float = 20.0) -> None:
    today = datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0)
    for i, back in enumerate(days):
        started = today - timedelta(days=back)
        with SessionLog(db(), source="live", started=started, stretch="bridge") as log:
            held = 30.0 - back % 7
            rep = RepSummary(
                1, None, 0, held, held, 30, held, True, {}, (), {"hips-lifted": lift0 + i}
            )
            assert log.add_hold(BRIDGE, rep, started + timedelta(minutes=1))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_plot_is_written_as_png_and_html(tmp_path: Path):
    _log_days([70, 40, 20, 10, 5, 3, 2, 1, 0])
    png, page = tmp_path / "history.png", tmp_path / "history.html"
    result = history("--plot", str(png))
    assert result.returncode == 0, result.stderr
    assert f"plot: {png}" in result.stdout
    width, height = _png_size(png)
    assert (width, height) == (1000, 40 + 240 * 2)  # bars, and one range-of-motion panel
    assert png.stat().st_size > 5000
    assert history("--plot", str(page)).returncode == 0
    html = page.read_text()
    assert html.count("<svg") == 2
    assert html.count("<rect") == 9  # one bar per day practised
    assert "Bridge: Hips lifted off the floor" in html
    assert "Current streak: 4 days in a row" in history().stdout
    bad = history("--plot", str(tmp_path / "plot.gif"))
    assert bad.returncode == 2 and "use a .png or .html file" in one_error_line(bad)


def test_export_and_delete_before_with_confirmation(tmp_path: Path):
    _log_days([30, 3, 0])
    out = tmp_path / "all.json"
    assert history("--export", str(out)).returncode == 0
    assert len(json.loads(out.read_text())["sessions"]) == 3
    cutoff = (datetime.now().astimezone() - timedelta(days=5)).date().isoformat()
    unconfirmed = history("--delete-before", cutoff)  # stdin is not a terminal
    assert unconfirmed.returncode == 2
    assert "add --yes" in one_error_line(unconfirmed)
    assert len(read_sessions(db())) == 3
    deleted = history("--delete-before", cutoff, "--yes")
    assert deleted.returncode == 0 and f"Deleted 1 session before {cutoff}." in deleted.stdout
    assert len(read_sessions(db())) == 2
    bad = history("--delete-before", "last tuesday", "--yes")
    assert bad.returncode == 2 and "YYYY-MM-DD" in one_error_line(bad)


def test_an_empty_history_says_so():
    result = history()
    assert result.returncode == 0
    assert result.stdout.startswith("No sessions recorded yet")
    assert not db().exists()  # reading never creates the file


# --- killed in the middle of a session --------------------------------------------

REPS = 20


def _long_session(tmp_path: Path) -> tuple[Path, Path]:
    """The sample recording played eight times over, and a bridge of 20 reps."""
    lines = SAMPLE_RECORDING.read_text().splitlines()
    header, frames = lines[0], [json.loads(line) for line in lines[1:]]
    span = frames[-1]["timestamp_ms"] + 67
    out = [header]
    for loop in range(8):
        for frame in frames:
            shifted = dict(frame, timestamp_ms=frame["timestamp_ms"] + loop * span)
            if frame.get("pose"):
                shifted["pose"] = dict(frame["pose"], timestamp_ms=shifted["timestamp_ms"])
            out.append(json.dumps(shifted))
    recording = tmp_path / "long.jsonl"
    recording.write_text("\n".join(out) + "\n")
    refs = tmp_path / "refs"
    refs.mkdir()
    text = (ROOT / "reference_poses" / "stretches" / "bridge.toml").read_text()
    text = text.replace('id = "bridge"', 'id = "bridge-reps"').replace("reps = 1", f"reps = {REPS}")
    (refs / "bridge-reps.toml").write_text(text)
    return recording, refs


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT])
def test_a_session_killed_midway_keeps_every_hold_it_finished(tmp_path: Path, signum: int):
    recording, refs = _long_session(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI_CODE,
            "live",
            "--stretch",
            "bridge-reps",
            "--refs",
            str(refs),
            "--source",
            str(recording),
            "--hold",
            "2",
            "--out",
            str(tmp_path / "o.mp4"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    announced = 0
    try:
        for line in proc.stdout:
            announced += "rep completed" in line
            if announced == 2:
                proc.send_signal(signum)
                break
        rest, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    announced += rest.count("rep completed")
    assert 2 <= announced < REPS, "the session was not stopped in the middle"
    conn = sqlite3.connect(db())
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    (session,) = read_sessions(db())
    completed = [h for h in session.holds if h.completed]
    # Every hold announced is in the file; at most the one under way is lost.
    assert len(completed) >= announced
    assert len(completed) <= announced + 1
    assert all(h.measurements for h in completed)
    if signum == signal.SIGINT:
        # Ctrl-C ends the session normally: its summary is printed.
        assert proc.returncode == 0 and "stopped" in rest
