"""Scoring a recording: every frame through the coach, as fast as the machine allows.

The session takes its time from the video's own frame times, never the clock,
so a recording scores the same on every run and every machine.

The source (`posecheck.io.sources`) estimates the poses, for a video in fixed
chunks over worker processes (`posecheck.io.chunks`); smoothing, checks and
the session then run once, in order, over the merged stream.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import heapq
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import posecheck
from posecheck.catalog import library
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import Coach, CoachFrame
from posecheck.coaching.session import TIMED_PHASES, SessionConfig
from posecheck.draw import overlay
from posecheck.io import video
from posecheck.io.info import SourceInfo
from posecheck.io.sources import Source, open_source
from posecheck.report.summary import (
    CsvWriter,
    ReferenceFile,
    ReportBuilder,
    ReportContext,
    ScoreReport,
    Snapshot,
)

_PHOTO = (
    "`posecheck score` takes videos and landmark recordings "
    "(check a photo with `posecheck check {path} --stretch ID`)"
)
# A header frame count may be estimated from the duration and be off by a frame
# or two; fewer frames read than this many below it is called truncated.
TRUNCATION_SLACK_FRAMES = 2
SNAPSHOTS = 3
SNAPSHOT_GAP_S = 2.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ScoreOptions:
    sample_fps: float | None = None
    workers: int = 1
    csv_path: Path | None = None
    annotated_path: Path | None = None
    config: SessionConfig | None = None
    name: str | None = None  # the person, for the report
    note: str | None = None


def reference_files(reference: Reference) -> tuple[ReferenceFile, ...]:
    """The reference file scored against, with a short hash of its contents."""
    if not reference.path:
        return ()
    path = Path(reference.path)
    if not path.is_file():  # a bundled file is named without its folder
        path = library.bundled_dir() / path.name
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        digest = "unreadable"
    return (ReferenceFile(reference.id, path.name, digest),)


def report_context(path: Path, reference: Reference, options: ScoreOptions) -> ReportContext:
    """Who, when and with what: the person and note given, the recording's own date,
    when it was scored, the posecheck version and the reference file."""
    recorded = video.recorded_at(path)
    return ReportContext(
        name=options.name,
        note=options.note,
        recorded_at=recorded[0] if recorded else None,
        recorded_at_from=recorded[1] if recorded else None,
        scored_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        posecheck_version=posecheck.__version__,
        references=reference_files(reference),
    )


def _as_read(source: Source) -> tuple[SourceInfo, list[str]]:
    """The video as it was read, and a warning when that is less than its header says."""
    meta, reading = source.info, source.read
    if reading is None or reading.last_ms is None:
        return meta, []
    frame_s = 1 / meta.fps if meta.fps else 0.0
    duration = reading.last_ms / 1000 + frame_s
    read = dataclasses.replace(meta, frames=reading.frames, duration_s=duration)
    warnings = []
    if meta.frames - reading.frames > TRUNCATION_SLACK_FRAMES:
        warnings.append(
            f"{meta.path}: only {reading.frames} of the {meta.frames} frames its header "
            f"announces could be read ({duration:.1f} of {meta.duration_s:.1f} s); the file "
            "may be truncated, and the report covers what was read"
        )
    return read, warnings


class _WorstMoments:
    """The few frames with the lowest form score while a hold was under way,
    at least `SNAPSHOT_GAP_S` apart. Keeps results, not pictures."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, CoachFrame]] = []  # (-score, t, index, frame)
        self._index = 0

    def offer(self, result: CoachFrame) -> None:
        if (
            result.state.phase not in TIMED_PHASES
            or not result.verdict.person
            or result.verdict.aligned
        ):
            return
        t = result.detection.timestamp_ms
        score = result.verdict.score
        for i, (neg, other_t, _, _) in enumerate(self._heap):
            if abs(other_t - t) < SNAPSHOT_GAP_S * 1000:
                if score < -neg:
                    self._heap[i] = (-score, t, self._index, _strip(result))
                    heapq.heapify(self._heap)
                self._index += 1
                return
        item = (-score, t, self._index, _strip(result))
        self._index += 1
        if len(self._heap) < SNAPSHOTS:
            heapq.heappush(self._heap, item)
        elif score < -self._heap[0][0]:
            heapq.heapreplace(self._heap, item)

    def worst(self) -> list[CoachFrame]:
        return [item[3] for item in sorted(self._heap, key=lambda item: item[1])]


def _strip(result: CoachFrame) -> CoachFrame:
    # Keep the numbers, drop the picture: memory must not grow with the video.
    return CoachFrame(
        None, result.detection, result.pose, result.verdict, result.events, result.state
    )


def _snapshots(source: Source, moments: list[CoachFrame]) -> list[Snapshot]:
    wanted = {m.detection.timestamp_ms: m for m in moments}
    pictures: dict[int, video.Frame] = {}
    if wanted:
        for frame, timestamp_ms in source.frames():
            if timestamp_ms in wanted:
                pictures[timestamp_ms] = frame
                if len(pictures) == len(wanted):
                    break
    out = []
    for t, m in sorted(wanted.items()):
        canvas = pictures.get(t)
        if canvas is None:
            canvas = overlay.blank_canvas(m.detection.image_wh)
        drawn = overlay.compose(canvas, m.pose, m.verdict, m.state)
        caption = m.verdict.cue or f"form score {m.verdict.score}"
        out.append(Snapshot(t / 1000.0, caption, video.encode_jpeg(drawn)))
    return out


def _drawn(canvas: video.Frame, result: CoachFrame) -> video.Frame:
    return overlay.compose(canvas, result.pose, result.verdict, result.state)


def score_video(
    path: Path,
    reference: Reference,
    options: ScoreOptions | None = None,
    progress: Progress | None = None,
) -> ScoreReport:
    """Score one recording (a video file or a landmark recording) into a report.

    Raises `InputError` for a file that cannot be read; the CSV and annotated
    video are written atomically and only when the whole recording was scored.
    """
    options = options or ScoreOptions()
    started = time.perf_counter()
    source = open_source(path, refuse_photo=_PHOTO.format(path=path))
    meta = source.info
    coach = Coach(reference, options.config)
    builder = ReportBuilder(reference)
    worst = _WorstMoments()
    last_ms = 0
    with ExitStack() as outputs:
        csv_writer = (
            outputs.enter_context(CsvWriter(options.csv_path, reference))
            if options.csv_path
            else None
        )
        writer = (
            outputs.enter_context(
                video.VideoWriter(options.annotated_path, options.sample_fps or source.fps)
            )
            if options.annotated_path
            else None
        )
        # The annotated video needs the pictures, which stay in worker processes.
        workers = options.workers if options.annotated_path is None else 1
        for frame, detection in source.detections(options.sample_fps, workers):
            result = coach.step(detection, frame)
            last_ms = detection.timestamp_ms
            builder.add(result)
            worst.offer(result)
            if csv_writer is not None:
                csv_writer.add(result)
            if writer is not None:
                canvas = frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                size_wh = (int(canvas.shape[1]), int(canvas.shape[0]))
                # Drawn on the encoder's thread, beside the next frame's pose estimation.
                writer.write_drawn(functools.partial(_drawn, canvas, result), size_wh)
            if progress is not None:
                progress(builder.frames, meta.frames)
    reps = coach.finish(last_ms)
    meta, warnings = _as_read(source)
    snapshots = _snapshots(source, worst.worst())
    report = builder.build(meta, reps, time.perf_counter() - started, snapshots)
    context = report_context(path, reference, options)
    return dataclasses.replace(report, warnings=warnings, context=context)
