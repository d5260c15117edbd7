"""`posecheck batch` with the local engine: a folder of short clips cut from the
samples, a landmark recording, a corrupt file and a duplicate; resume after a
run killed with SIGKILL; --force; the bad-input lines."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posecheck.catalog.reference import load_references
from posecheck.coaching.session import SessionConfig
from posecheck.io import chunks
from posecheck.run import batch_ray
from posecheck.run.batch import STATE_DIR, Target, plan_batch, score_task
from posecheck.run.scoring import ScoreOptions
from tests import batch_inputs
from tests.helpers import CLI_CODE, run

FAST = ("--stretch", "bridge", "--sample-fps", "5")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return batch_inputs.clips(tmp_path_factory.mktemp("clips"), 4, length_s=1.5)


def _folder(root: Path, clips: list[Path], count: int) -> Path:
    """``count`` clips (two in a subfolder), a recording, a corrupt file, a duplicate."""
    folder = root / "in"
    for i, clip in enumerate(clips[:count]):
        target = folder / ("sub" if i % 2 else "") / clip.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, target)
    batch_inputs.recording_copy(folder / "recordings" / "bridge.jsonl")
    batch_inputs.corrupt(folder / "broken.mp4")
    (folder / "sub").mkdir(exist_ok=True)
    shutil.copyfile(clips[0], folder / "sub" / "same-as-first.mp4")
    return folder


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(newline="") as f:
        return {row["input"]: row for row in csv.DictReader(f)}


def test_a_folder_is_scored_into_mirrored_reports_and_one_summary(tmp_path, clips):
    folder = _folder(tmp_path, clips, 2)
    out = tmp_path / "out"
    result = run("batch", str(folder), *FAST, "--out", str(out), "--workers", "2", "--html")
    assert result.returncode == 1, result.stderr  # the corrupt file is a data error
    rows = _rows(out)
    assert set(rows) == {
        "clip00.mp4",
        "sub/clip01.mp4",
        "recordings/bridge.jsonl",
        "broken.mp4",
        "sub/same-as-first.mp4",
    }
    assert rows["broken.mp4"]["status"] == "error"
    assert "broken.mp4" in rows["broken.mp4"]["error"]
    assert sum(row["status"] == "error" for row in rows.values()) == 1
    for name in ("clip00.mp4", "sub/clip01.mp4", "recordings/bridge.jsonl"):
        row = rows[name]
        assert row["status"] == "scored", row
        report = json.loads((out / row["report"]).read_text())
        assert row["report"] == f"{name}.json"
        assert (out / f"{name}.html").is_file()
        # The summary's score fields are the report's own.
        assert row["score_pct"] == str(report["summary"]["score_pct"])
        assert row["time_in_form_s"] == str(report["summary"]["time_in_form_s"])
        assert float(row["duration_s"]) == pytest.approx(report["video"]["duration_s"])
    # The recording holds a real held bridge; the clips show no bridge at all.
    assert float(rows["recordings/bridge.jsonl"]["time_in_form_s"]) > 5
    assert rows["clip00.mp4"]["position_reached"] == "False"
    # The duplicate is scored once and points at the first copy's report.
    copy = rows["sub/same-as-first.mp4"]
    assert copy["status"] == "duplicate"
    assert copy["same_as"] == "clip00.mp4"
    assert copy["report"] == "clip00.mp4.json"
    assert copy["score_pct"] == rows["clip00.mp4"]["score_pct"]
    assert not (out / "sub" / "same-as-first.mp4.json").exists()
    document = json.loads((out / "summary.json").read_text())
    assert document["counts"] == {"scored": 3, "done": 0, "duplicate": 1, "error": 1, "pending": 0}
    assert "3 scored" in result.stdout
    assert "video-s per wall-s" in result.stdout and "per core" in result.stdout
    assert result.stderr.count("error") <= 2  # the failed input named once, no traceback
    assert "Traceback" not in result.stderr

    again = run("batch", str(folder), *FAST, "--out", str(out), "--workers", "2", "--html")
    statuses = {name: row["status"] for name, row in _rows(out).items()}
    assert "scored" not in statuses.values(), again.stdout
    assert statuses["clip00.mp4"] == "done"
    assert statuses["broken.mp4"] == "error"  # the same contents fail the same way

    forced = run("batch", str(folder), *FAST, "--out", str(out), "--workers", "2", "--force")
    assert forced.returncode == 1
    assert [row["status"] for row in _rows(out).values()].count("scored") == 3


def test_another_option_is_another_key(tmp_path, clips):
    reference = load_references()["bridge"]
    folder = _folder(tmp_path, clips, 1)
    out = tmp_path / "out"
    plain = plan_batch(folder, out, Target.stretch(reference), ScoreOptions(sample_fps=5))
    held = plan_batch(
        folder,
        out,
        Target.stretch(reference),
        ScoreOptions(sample_fps=5, config=SessionConfig(hold_s=9)),
    )
    assert {t.input for t in plain.tasks} == {t.input for t in held.tasks}
    assert not {t.key for t in plain.tasks} & {t.key for t in held.tasks}


def test_a_worker_process_loads_the_model_once(tmp_path, clips, monkeypatch):
    monkeypatch.setattr(chunks, "_worker_estimator", None)
    folder = _folder(tmp_path, clips, 2)
    plan = plan_batch(
        folder, tmp_path / "out", Target.stretch(load_references()["bridge"]), ScoreOptions(5)
    )
    videos = [t for t in plan.tasks if t.input.endswith("clip00.mp4") or "clip01" in t.input]
    rows = [score_task(task) for task in videos]
    assert [row["status"] for row in rows] == ["scored", "scored"]
    kept = chunks._worker_estimator
    assert kept is not None
    score_task(videos[0])
    assert chunks._worker_estimator is kept
    kept.__exit__(None, None, None)


def test_a_killed_run_resumes_with_only_the_missing_inputs(tmp_path, clips):
    folder = _folder(tmp_path, clips, 4)
    out = tmp_path / "out"
    records = out / STATE_DIR
    args = ("batch", str(folder), *FAST, "--out", str(out), "--workers", "1")
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Kill it (SIGKILL: nothing to clean up with) once two inputs are done.
    while time.monotonic() < deadline and process.poll() is None:
        if records.is_dir() and len(list(records.glob("*.json"))) >= 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    summary = json.loads((out / "summary.json").read_text())  # whole, never half-written
    total = len(summary["rows"])
    in_summary = {
        row["input"] for row in summary["rows"] if row["status"] not in ("pending", "duplicate")
    }
    before = {json.loads(path.read_text())["input"] for path in records.glob("*.json")}
    assert in_summary <= before  # the summary may lag the records by a second, never lead
    assert 0 < len(before) < total - 1, before

    result = run(*args)
    assert result.returncode == 1, result.stderr  # the corrupt file, if it was left
    rows = _rows(out)
    scored_now = {name for name, row in rows.items() if row["status"] == "scored"}
    done_before = {name for name, row in rows.items() if row["status"] == "done"}
    assert "pending" not in {row["status"] for row in rows.values()}
    # What the first run finished is skipped; only the rest is scored now.
    assert scored_now and not scored_now & before
    assert done_before <= before
    assert done_before | scored_now | {"broken.mp4", "sub/same-as-first.mp4"} == set(rows)


def test_bad_folder_and_missing_ray_are_one_line_each(tmp_path):
    missing = run("batch", str(tmp_path / "nope"), *FAST, "--out", str(tmp_path / "out"))
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "not a folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run("batch", str(tmp_path / "empty"), *FAST, "--out", str(tmp_path / "out"))
    assert empty.returncode == 1 and "no videos" in empty.stderr
    engine = run("batch", str(tmp_path / "empty"), *FAST, "--out", "o", "--engine", "spark")
    assert engine.returncode == 2
    if not batch_ray.available():
        no_ray = run("batch", str(tmp_path / "empty"), *FAST, "--out", "o", "--engine", "ray")
        assert no_ray.returncode == 3
        assert "pip install 'posecheck-stretch[cluster]'" in no_ray.stderr


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (("--stretch", "auto"), {"segments": "1", "stretch": "auto"}),
        (("--routine", "hip-flexor-relief"), {"steps_total": "3", "stretch": "hip-flexor-relief"}),
    ],
    ids=["auto", "routine"],
)
def test_auto_and_routines_are_scored_as_score_does(tmp_path, how, expected):
    folder = tmp_path / "in"
    batch_inputs.recording_copy(folder / "bridge.jsonl")
    out = tmp_path / "out"
    result = run("batch", str(folder), *how, "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    row = _rows(out)["bridge.jsonl"]
    assert row["status"] == "scored"
    assert {name: row[name] for name in expected} == expected
    scored = run("score", str(batch_inputs.RECORDING), *how, "--json", "--no-history")
    report = json.loads(scored.stdout.splitlines()[0])
    ours = json.loads((out / "bridge.jsonl.json").read_text())
    assert ours["summary"] == report["summary"]
    assert row["verdict"] == report["summary"]["verdict"]
    # Another target is another key: the same file is scored again, not skipped.
    other = run("batch", str(folder), "--stretch", "bridge", "--out", str(out))
    assert other.returncode == 0
    assert _rows(out)["bridge.jsonl"]["status"] == "scored"


def test_a_record_counts_only_with_its_outputs_in_place(tmp_path):
    folder = tmp_path / "in"
    batch_inputs.recording_copy(folder / "bridge.jsonl")
    out = tmp_path / "out"
    target = Target.stretch(load_references()["bridge"])
    (task,) = plan_batch(folder, out, target, ScoreOptions()).tasks
    task.record.parent.mkdir(parents=True)
    task.record.write_text(json.dumps({"input": "old/name.jsonl", "status": "scored"}))
    assert plan_batch(folder, out, target, ScoreOptions()).tasks  # no report yet
    task.report.write_text("{}")
    done = plan_batch(folder, out, target, ScoreOptions())
    assert not done.tasks
    assert done.done == [{"input": "bridge.jsonl", "status": "done"}]  # renamed: the same key
    assert plan_batch(folder, out, target, ScoreOptions(), html=True).tasks  # no HTML yet
    assert plan_batch(folder, out, target, ScoreOptions(), force=True).tasks


def _workers_of(pid: int) -> list[int]:
    """The pool's worker processes of process ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_a_killed_worker_is_replaced_and_its_input_scored(tmp_path, clips):
    folder = tmp_path / "in"
    folder.mkdir()
    for clip in clips[:3]:
        shutil.copyfile(clip, folder / clip.name)
    out = tmp_path / "out"
    args = ("batch", str(folder), *FAST, "--out", str(out), "--workers", "1")
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    killed = []
    while time.monotonic() < deadline and process.poll() is None and not killed:
        if (out / STATE_DIR).is_dir() and any((out / STATE_DIR).glob("*.json")):
            for pid in _workers_of(process.pid):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.02)
    stdout, stderr = process.communicate(timeout=120)
    assert killed, "the batch ended before a worker could be killed"
    assert process.returncode == 0, stderr
    statuses = {row["status"] for row in _rows(out).values()}
    assert statuses == {"scored"}, stdout
