"""Batch scoring: every video and landmark recording under a folder, one report
each, one summary for all, resumable.

`plan_batch` finds the inputs, keys each by what decides its result (the file's
contents, the target (a stretch, auto or a routine) with its references as
loaded and their files' hashes, the options that change scores and the
posecheck version) and sets aside those already done: a finished input leaves a
record named by its key in ``OUT_DIR/.posecheck-batch/``, written after its
report, so a re-run skips it and a killed run loses only the inputs in flight.
An engine (`run/batch_local.py`, `run/batch_ray.py`) runs `score_task` once per
input to score; `Summary` rewrites ``summary.csv`` and ``summary.json``
(atomically) as inputs finish, at most once a second, and at the end.

Duplicates (the same contents under two names) are scored once: the first in
path order is scored and every other copy gets a "duplicate" row with the same
scores, pointing at that first input's report.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import posecheck
from posecheck import atomic
from posecheck.catalog.reference import Reference
from posecheck.catalog.routines import Routine
from posecheck.errors import ModelError, PosecheckError
from posecheck.io import chunks
from posecheck.report.html import write_html
from posecheck.report.routine import write_html as write_routine_html
from posecheck.run.auto import AUTO, score_auto
from posecheck.run.routine_scoring import score_routine
from posecheck.run.scoring import ScoreOptions, reference_files, score_video

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
RECORDING_SUFFIXES = frozenset({".jsonl"})
STATE_DIR = ".posecheck-batch"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
SUMMARY_EVERY_S = 1.0
_HASH_BLOCK = 1 << 20

# One row per input in the summary, in this order. The score fields are the
# report's own summary fields (`ScoreReport.to_json`; a routine's report has
# steps_done and steps_total, an auto report the number of segments), with
# the same names and units; "stretch" holds the routine's id for a routine.
ROW_FIELDS = (
    "input",
    "kind",
    "status",
    "error",
    "report",
    "html",
    "same_as",
    "key",
    "stretch",
    "stretch_label",
    "duration_s",
    "verdict",
    "score_pct",
    "reps_completed",
    "reps_prescribed",
    "prescribed_s",
    "held_s",
    "time_in_form_s",
    "person_visible_pct",
    "position_reached",
    "steps_done",
    "steps_total",
    "segments",
    "processing_s",
)
# Row statuses: scored in this run, done by an earlier run (skipped), the same
# contents as another input, could not be scored, not finished (yet).
SCORED, DONE, DUPLICATE, ERROR, PENDING = "scored", "done", "duplicate", "error", "pending"
FINISHED = (SCORED, DONE, DUPLICATE)

Row = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What every input is scored against, as `score` does it: one stretch
    (``kind`` "stretch"), whichever catalog stretches are recognised ("auto",
    a report per segment) or a routine's steps ("routine", a report per step)."""

    kind: str
    references: tuple[Reference, ...]
    routine: tuple[str, str] | None = None  # the routine's id and name
    definition: str = ""  # the routine as loaded, for the key

    @classmethod
    def stretch(cls, reference: Reference) -> Target:
        return cls("stretch", (reference,))

    @classmethod
    def auto(cls, references: Mapping[str, Reference]) -> Target:
        return cls(AUTO, tuple(references[key] for key in sorted(references)))

    @classmethod
    def of_routine(cls, routine: Routine, references: Sequence[Reference]) -> Target:
        return cls("routine", tuple(references), (routine.id, routine.name), repr(routine))

    def version(self) -> str:
        """What of the target changes results: the references (and routine) as
        loaded, prescriptions included, and the hashes of their files."""
        files = ",".join(
            f"{f.file}:{f.sha256_12}" for r in self.references for f in reference_files(r)
        )
        loaded = repr((self.references, self.routine, self.definition))
        return f"{self.kind};refs={files};loaded={hashlib.sha256(loaded.encode()).hexdigest()}"

    def score(self, task: Task) -> dict[str, Any]:
        """Score the task's input; write its HTML report if asked; its report's JSON."""
        if self.kind == AUTO:
            by_id = {reference.id: reference for reference in self.references}
            return score_auto(task.path, by_id, task.options).to_json()
        if self.routine is not None:
            routine_report = score_routine(task.path, self.routine, self.references, task.options)
            if task.html is not None:
                write_routine_html(routine_report, task.html)
            return routine_report.to_json()
        report = score_video(task.path, self.references[0], task.options)
        if task.html is not None:
            write_html(report, task.html, None)
        return report.to_json()


@dataclass(frozen=True)
class Task:
    """One input to score, and where its outputs go."""

    input: str  # the path under INPUT_DIR, with forward slashes
    path: Path
    key: str
    report: Path
    html: Path | None
    record: Path
    target: Target
    options: ScoreOptions


@dataclass
class Plan:
    out_dir: Path
    inputs: list[str]  # every input, in path order
    tasks: list[Task]  # to score in this run
    done: list[Row]  # finished by an earlier run
    copies: dict[str, list[str]] = field(default_factory=dict)  # first input -> its duplicates


class Engine(Protocol):
    """Runs `score_task` for each task, in any order, yielding each row as it finishes."""

    cores: int

    def run(self, tasks: list[Task]) -> Iterator[Row]: ...


def find_inputs(input_dir: Path, out_dir: Path) -> list[Path]:
    """Every video and landmark recording under ``input_dir`` (hidden files and
    anything inside ``out_dir`` left out), in path order."""
    skip = out_dir.resolve()
    found = []
    for path in sorted(input_dir.rglob("*")):
        relative = path.relative_to(input_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.resolve().is_relative_to(skip) or not path.is_file():
            continue
        if path.suffix.lower() in VIDEO_SUFFIXES | RECORDING_SUFFIXES:
            found.append(path)
    return found


def input_kind(path: Path) -> str:
    """ "video" or "recording" (landmarks, no pictures: scored far faster)."""
    return "recording" if path.suffix.lower() in RECORDING_SUFFIXES else "video"


def content_hash(path: Path) -> str:
    """The file's SHA-256; an unreadable file hashes by its name, so it is tried
    (and reported) like any other input."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(_HASH_BLOCK):
                digest.update(block)
    except OSError:
        return "unreadable:" + hashlib.sha256(str(path).encode()).hexdigest()
    return digest.hexdigest()


def options_version(options: ScoreOptions) -> str:
    """The options that change scores (not where outputs go)."""
    hold = options.config.hold_s if options.config is not None else None
    return f"sample_fps={options.sample_fps};hold={hold};posecheck={posecheck.__version__}"


def task_key(contents: str, target: Target, options: ScoreOptions) -> str:
    text = f"{contents}|{target.version()}|{options_version(options)}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def plan_batch(
    input_dir: Path,
    out_dir: Path,
    target: Target,
    options: ScoreOptions,
    *,
    html: bool = False,
    force: bool = False,
) -> Plan:
    """What to score: every input not already done (all of them with ``force``)."""
    plan = Plan(out_dir, [], [], [])
    first_of: dict[str, str] = {}
    for path in find_inputs(input_dir, out_dir):
        name = path.relative_to(input_dir).as_posix()
        plan.inputs.append(name)
        key = task_key(content_hash(path), target, options)
        if key in first_of:
            plan.copies.setdefault(first_of[key], []).append(name)
            continue
        first_of[key] = name
        task = Task(
            input=name,
            path=path,
            key=key,
            report=out_dir / f"{name}.json",
            html=out_dir / f"{name}.html" if html else None,
            record=out_dir / STATE_DIR / f"{key}.json",
            target=target,
            options=options,
        )
        row = None if force else _done_row(task)
        if row is None:
            plan.tasks.append(task)
        else:
            plan.done.append(row)
    return plan


def _done_row(task: Task) -> Row | None:
    """The earlier run's row for this task, if it finished and its outputs are there."""
    try:
        row: Row = json.loads(task.record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    outputs = [task.report, task.html] if row.get("status") == SCORED else []
    if any(path is not None and not path.is_file() for path in outputs):
        return None
    return {**row, "input": task.input, "status": DONE if row.get("status") == SCORED else ERROR}


# --- in a worker process ------------------------------------------------------------


def score_task(task: Task) -> Row:
    """Score one input in a worker process with the process's one estimator, write
    its report(s) atomically and then its record; a bad input gives an error row."""
    try:
        chunks.keep_estimator()
        task.report.parent.mkdir(parents=True, exist_ok=True)
        data = task.target.score(task)
        atomic.write(task.report, json.dumps(data, indent=2) + "\n")
        row = _scored_row(task, data)
    except ModelError as error:  # the installation, not this input: not recorded
        return error_row(task, str(error), setup=True)
    except PosecheckError as error:
        row = error_row(task, str(error))
    except Exception as error:  # a bug or a library's surprise: reported, tried again next run
        return error_row(task, f"{task.input}: unexpected {type(error).__name__}: {error}")
    task.record.parent.mkdir(parents=True, exist_ok=True)
    atomic.write(task.record, json.dumps(row) + "\n")
    return row


def _relative(task: Task, path: Path | None) -> str:
    if path is None:
        return ""
    return path.relative_to(task.record.parent.parent).as_posix()


def _scored_row(task: Task, data: dict[str, Any]) -> Row:
    summary = data.get("summary", {})
    row: Row = {
        "input": task.input,
        "kind": input_kind(task.path),
        "status": SCORED,
        "error": "",
        "report": _relative(task, task.report),
        "html": _relative(task, task.html),
        "same_as": "",
        "key": task.key,
        "stretch": data.get("stretch") or data.get("routine") or "",
        "stretch_label": data.get("stretch_label") or data.get("routine_label") or "",
        "duration_s": (data.get("video") or {}).get("duration_s"),
        "processing_s": data.get("timing", {}).get("processing_s"),
    }
    row.update({name: summary.get(name) for name in ROW_FIELDS if name in summary})
    return row


def error_row(task: Task, message: str, *, setup: bool = False) -> Row:
    """The row of an input that could not be scored; ``setup`` marks an installation
    problem (the model), which no other input can get past either."""
    row: Row = {
        "input": task.input,
        "kind": input_kind(task.path),
        "status": ERROR,
        "error": message,
        "key": task.key,
    }
    if setup:
        row["setup"] = True
    return row


# --- the summary --------------------------------------------------------------------


class Summary:
    """The batch's rows, every input's, rewritten whole (atomically) after a change,
    at most every `SUMMARY_EVERY_S` (a large archive's summary is megabytes); the
    records keep what finished in between, and the next run's summary has it."""

    def __init__(self, plan: Plan) -> None:
        self.out_dir = plan.out_dir
        self.copies = plan.copies
        self._written_at: float | None = None
        self.rows: dict[str, Row] = {
            name: {"input": name, "status": PENDING} for name in plan.inputs
        }
        for row in plan.done:
            self._set(row)

    def add(self, row: Row) -> None:
        self._set(row)
        if self._written_at is None or time.monotonic() - self._written_at >= SUMMARY_EVERY_S:
            self.write()

    def _set(self, row: Row) -> None:
        self.rows[row["input"]] = row
        for copy in self.copies.get(row["input"], []):
            status = DUPLICATE if row["status"] in FINISHED else row["status"]
            self.rows[copy] = {**row, "input": copy, "status": status, "same_as": row["input"]}

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((SCORED, DONE, DUPLICATE, ERROR, PENDING), 0)
        for row in self.rows.values():
            counts[row["status"]] += 1
        return counts

    def write(self) -> None:
        self._written_at = time.monotonic()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        rows = [{name: row.get(name) for name in ROW_FIELDS} for row in self.rows.values()]
        document = {"inputs": len(rows), "counts": self.counts(), "rows": rows}
        atomic.write(self.out_dir / SUMMARY_JSON, json.dumps(document, indent=2) + "\n")
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=ROW_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        atomic.write(self.out_dir / SUMMARY_CSV, text.getvalue())


# --- running ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run did: its summary, the seconds of video it scored (recordings, which
    need no pose estimation, not counted), how long it took and on how many cores."""

    summary: Summary
    video_s: float
    wall_s: float
    cores: int
    setup_error: str | None = None

    @property
    def per_wall_s(self) -> float:
        return self.video_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def per_core(self) -> float:
        return self.per_wall_s / max(self.cores, 1)


def run_batch(
    plan: Plan,
    engine: Engine,
    progress: Callable[[Summary], None] | None = None,
) -> Outcome:
    """Run the plan's tasks on ``engine``; ``progress(summary)`` after each finished input."""
    started = time.perf_counter()
    summary = Summary(plan)
    summary.write()
    video_s = 0.0
    setup_error = None
    if progress is not None:
        progress(summary)
    for row in engine.run(plan.tasks):
        if row.get("setup") and setup_error is None:
            setup_error = row["error"]
        summary.add(row)
        if row["status"] == SCORED and row.get("kind") == "video":
            video_s += float(row.get("duration_s") or 0.0)
        if progress is not None:
            progress(summary)
    summary.write()
    return Outcome(summary, video_s, time.perf_counter() - started, engine.cores, setup_error)
