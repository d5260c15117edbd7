"""Scoring a recording: every frame through the coach, as fast as the machine allows.

The session takes its time from the video's own frame times, never the clock,
so a recording scores the same on every run and every machine.

Pose estimation (the expensive part) runs over a fixed plan of chunks cut from
the video's own timeline (`chunk_plan`): each chunk starts a fresh tracker a
little early (`WARMUP_MS`) and drops those frames. The plan never depends on
the number of workers, which only decides how many chunks run at once, so
every frame's result is the same with one worker or many. Smoothing, checks
and the session then run once, in order, over the merged stream.

Worker processes die with the process that started them, however it ends
(`_init_worker`), and are terminated when scoring is interrupted.
"""

from __future__ import annotations

import ctypes
import dataclasses
import heapq
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from posecheck.body.landmarks import Detection
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import Coach, CoachFrame
from posecheck.coaching.session import SessionConfig
from posecheck.draw import overlay
from posecheck.errors import InputError
from posecheck.io import recording, video
from posecheck.io.estimator import PoseEstimator
from posecheck.report.summary import (
    SCORED_PHASES,
    CsvWriter,
    ReportBuilder,
    ScoreReport,
    Snapshot,
    VideoMeta,
)

# Each chunk after the first starts its tracker this much earlier and drops those
# frames: tracking needs a few frames to settle on the person.
WARMUP_MS = 500
# Chunks are about a quarter of the video, so that a few workers share it evenly,
# but never shorter than this (the warm-up and a fresh tracker cost time) ...
MIN_CHUNK_MS = 5_000
# ... nor longer than this, so that long videos spread over many workers.
MAX_CHUNK_MS = 30_000
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


def video_meta(path: Path) -> VideoMeta:
    """What the file says about itself; `InputError` when it is not a usable video."""
    if recording.is_recording(path):
        header = recording.read_header(path)
        w, h = header["image_wh"]
        frames, last_ms = 0, 0
        for detection in recording.read_detections(path):  # counted, not kept
            frames, last_ms = frames + 1, detection.timestamp_ms
        duration = last_ms / 1000.0
        fps = float(header.get("fps") or (frames / duration if duration else 0.0))
        return VideoMeta(str(path), frames, fps, duration, w, h)
    if video.is_photo(path):
        raise InputError(
            f"{path}: is a photo; `posecheck score` takes videos and landmark recordings "
            f"(check a photo with `posecheck check {path} --stretch ID`)"
        )
    info = video.probe_video(path)
    return VideoMeta(
        str(path),
        info.frame_count,
        info.fps,
        info.duration_s,
        info.width,
        info.height,
        info.rotation_deg,
    )


def _sampler(sample_fps: float | None) -> Callable[[int], bool]:
    """A filter on timestamps keeping the first frame of every 1/``sample_fps`` s slot.

    Whether a frame is kept depends only on it and the frame before it, so a
    chunk read from its warm-up keeps exactly the frames a whole read keeps.
    """
    if not sample_fps:
        return lambda _: True
    last: list[int | None] = [None]

    def keep(timestamp_ms: int) -> bool:
        slot = math.floor(timestamp_ms * sample_fps / 1000)
        if slot == last[0]:
            return False
        last[0] = slot
        return True

    return keep


@dataclass(frozen=True)
class Chunk:
    """A span of the video's timeline estimated on its own.

    The tracker starts at ``warm_ms``; results are kept from ``start_ms`` up to
    ``end_ms`` (exclusive; None: to the end of the file).
    """

    warm_ms: int
    start_ms: int
    end_ms: int | None


def chunk_plan(duration_s: float) -> list[Chunk]:
    """How a video of this length is cut for estimation: a quarter of it per chunk,
    in whole seconds from `MIN_CHUNK_MS` to `MAX_CHUNK_MS`. Depends on nothing else."""
    total_ms = max(0, round(duration_s * 1000))
    quarter_s = math.ceil(total_ms / 4 / 1000)
    length = min(MAX_CHUNK_MS, max(MIN_CHUNK_MS, quarter_s * 1000))
    count = max(1, math.ceil(total_ms / length))
    return [
        Chunk(
            warm_ms=max(0, i * length - WARMUP_MS),
            start_ms=i * length,
            end_ms=(i + 1) * length if i + 1 < count else None,
        )
        for i in range(count)
    ]


@dataclass
class ChunkResult:
    """What estimating one chunk gave: the sampled frames' detections, and how many
    frames were read in the chunk's own span and the last one's time."""

    detections: list[Detection] = field(default_factory=list)
    frames_read: int = 0
    last_ms: int | None = None


def _run_chunk(
    estimator: PoseEstimator, path: Path, chunk: Chunk, sample_fps: float | None
) -> Iterator[tuple[video.Frame, int, Detection | None]]:
    """(frame, time, detection or None when sampled out) for each frame of the chunk's span."""
    estimator.restart()
    keep = _sampler(sample_fps)
    for frame, timestamp_ms in video.video_frames(path, chunk.warm_ms, chunk.end_ms):
        detection = estimator.detect(frame, timestamp_ms) if keep(timestamp_ms) else None
        if timestamp_ms >= chunk.start_ms:
            yield frame, timestamp_ms, detection


# --- worker processes ---------------------------------------------------------------

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_S = 0.5
_worker_estimator: PoseEstimator | None = None


def _die_if_orphaned(parent_pid: int) -> None:
    # The same end PR_SET_PDEATHSIG gives: SIGKILL, with nothing to clean up (a
    # worker holds no file). Not an exit status anyone reads: only the CLI exits.
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)


def _watch_parent(parent_pid: int) -> None:
    while True:
        _die_if_orphaned(parent_pid)
        time.sleep(_PARENT_POLL_S)


def _init_worker(parent_pid: int) -> None:
    """Set up a worker process so that it can never outlive the scoring process.

    On Linux the kernel kills the worker (SIGKILL) the moment its parent dies,
    whatever ended the parent, SIGKILL included: prctl(PR_SET_PDEATHSIG). The
    parent may have died before that call, so the parent's pid is checked after
    it; a thread also checks it twice a second, which covers other systems.
    Ctrl-C is left to the parent, which stops the workers itself. The worker
    never writes to stdout or stderr, and points both at the null device, so it
    can never hold open a pipe that a caller is reading.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the polling thread below still applies
    _die_if_orphaned(parent_pid)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def _estimate_chunk(path: Path, chunk: Chunk, sample_fps: float | None) -> ChunkResult:
    """One chunk in a worker process, with the process's one estimator."""
    global _worker_estimator
    if _worker_estimator is None:
        _worker_estimator = PoseEstimator("video").__enter__()
    result = ChunkResult()
    for _, timestamp_ms, detection in _run_chunk(_worker_estimator, path, chunk, sample_fps):
        result.frames_read += 1
        result.last_ms = timestamp_ms
        if detection is not None:
            result.detections.append(detection)
    return result


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now, not when they finish."""
    # concurrent.futures has no public way to end running workers before 3.14.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1.0)
        if process.is_alive():
            process.kill()
            process.join(timeout=1.0)


def _parallel_chunks(
    path: Path, chunks: list[Chunk], workers: int, sample_fps: float | None
) -> Iterator[ChunkResult]:
    """Each chunk's result, in order, from up to ``workers`` processes."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    finished = False
    try:
        pending: deque[Future[ChunkResult]] = deque()
        queue = iter(chunks)
        for chunk in queue:  # keep a few chunks ahead, not the whole video's results
            pending.append(pool.submit(_estimate_chunk, path, chunk, sample_fps))
            if len(pending) > workers:
                break
        while pending:
            result = pending.popleft().result()
            for chunk in queue:
                pending.append(pool.submit(_estimate_chunk, path, chunk, sample_fps))
                break
            yield result
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # an error, Ctrl-C, SIGTERM, or the consumer stopped early
            _stop(pool)


@dataclass
class _Reading:
    """How much of the video was actually read (the header may claim more)."""

    frames: int = 0
    last_ms: int | None = None


def _detections(
    path: Path, meta: VideoMeta, options: ScoreOptions, reading: _Reading
) -> Iterator[tuple[video.Frame | None, Detection]]:
    if recording.is_recording(path):
        keep = _sampler(options.sample_fps)
        for detection in recording.read_detections(path):
            if keep(detection.timestamp_ms):
                yield None, detection
        return
    chunks = chunk_plan(meta.duration_s)
    workers = min(options.workers, len(chunks))
    if workers > 1 and options.annotated_path is None:
        for result in _parallel_chunks(path, chunks, workers, options.sample_fps):
            reading.frames += result.frames_read
            if result.last_ms is not None:
                reading.last_ms = result.last_ms
            for found in result.detections:
                yield None, found
        return
    # One process: the same chunks, one after another (the frames are at hand
    # here, for the annotated video).
    with PoseEstimator("video") as estimator:
        for chunk in chunks:
            for frame, timestamp_ms, sampled in _run_chunk(
                estimator, path, chunk, options.sample_fps
            ):
                reading.frames += 1
                reading.last_ms = timestamp_ms
                if sampled is not None:
                    yield frame, sampled


def _as_read(meta: VideoMeta, reading: _Reading) -> tuple[VideoMeta, list[str]]:
    """The video as it was read, and a warning when that is less than its header says."""
    if reading.last_ms is None:
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
            result.state.phase not in SCORED_PHASES
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


def _snapshots(path: Path, moments: list[CoachFrame]) -> list[Snapshot]:
    wanted = {m.detection.timestamp_ms: m for m in moments}
    pictures: dict[int, video.Frame] = {}
    if wanted and not recording.is_recording(path):
        for frame, timestamp_ms in video.video_frames(path):
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
    meta = video_meta(path)
    coach = Coach(reference, options.config)
    builder = ReportBuilder(reference)
    worst = _WorstMoments()
    reading = _Reading()
    last_ms = 0
    with ExitStack() as outputs:
        csv_writer = (
            outputs.enter_context(CsvWriter(options.csv_path, reference))
            if options.csv_path
            else None
        )
        writer = (
            outputs.enter_context(
                video.VideoWriter(options.annotated_path, options.sample_fps or meta.fps or 30.0)
            )
            if options.annotated_path
            else None
        )
        for frame, detection in _detections(path, meta, options, reading):
            result = coach.step(detection, frame)
            last_ms = detection.timestamp_ms
            builder.add(result)
            worst.offer(result)
            if csv_writer is not None:
                csv_writer.add(result)
            if writer is not None:
                canvas = frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                writer.write(overlay.compose(canvas, result.pose, result.verdict, result.state))
            if progress is not None:
                progress(builder.frames, meta.frames)
    reps = coach.finish(last_ms)
    meta, warnings = _as_read(meta, reading)
    snapshots = _snapshots(path, worst.worst())
    report = builder.build(meta, reps, time.perf_counter() - started, snapshots)
    return dataclasses.replace(report, warnings=warnings)
