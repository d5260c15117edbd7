"""Estimating a video's poses in chunks, in one process or several.

Pose estimation (the expensive part of scoring) runs over a fixed plan of
chunks cut from the video's own timeline (`chunk_plan`): each chunk starts a
fresh tracker a little early (`WARMUP_MS`) and drops those frames. The plan
never depends on the number of workers, which only decides how many chunks
run at once, so every frame's result is the same with one worker or many.

Worker processes die with the process that started them, however it ends
(`_init_worker`), and are terminated when the caller stops early or is
interrupted.
"""

from __future__ import annotations

import ctypes
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from posecheck.body.landmarks import Detection
from posecheck.io.estimator import PoseEstimator
from posecheck.io.video import Frame, video_frames

# Each chunk after the first starts its tracker this much earlier and drops those
# frames: tracking needs a few frames to settle on the person.
WARMUP_MS = 500
# Chunks are about a quarter of the video, so that a few workers share it evenly,
# but never shorter than this (the warm-up and a fresh tracker cost time) ...
MIN_CHUNK_MS = 5_000
# ... nor longer than this, so that long videos spread over many workers.
MAX_CHUNK_MS = 30_000


def sampler(sample_fps: float | None) -> Callable[[int], bool]:
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


def run_chunk(
    estimator: PoseEstimator, path: Path, chunk: Chunk, sample_fps: float | None
) -> Iterator[tuple[Frame, int, Detection | None]]:
    """(frame, time, detection or None when sampled out) for each frame of the chunk's span."""
    estimator.restart()
    keep = sampler(sample_fps)
    for frame, timestamp_ms in video_frames(path, chunk.warm_ms, chunk.end_ms):
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


def init_worker(parent_pid: int) -> None:
    """`_init_worker`, for other pools of scoring processes (`posecheck batch`)."""
    _init_worker(parent_pid)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """`_stop`, for other pools of scoring processes."""
    _stop(pool)


def keep_estimator() -> None:
    """Keep one estimator for the rest of this process and score every video with
    it (restarted per chunk), instead of loading the model once per video. For a
    process that scores many videos one after another: a batch worker."""
    global _worker_estimator
    if _worker_estimator is None:
        _worker_estimator = PoseEstimator("video").__enter__()


@contextmanager
def _one_estimator() -> Iterator[PoseEstimator]:
    """This process's kept estimator if there is one, else a fresh one for this video."""
    if _worker_estimator is not None:
        yield _worker_estimator
        return
    with PoseEstimator("video") as estimator:
        yield estimator


def _estimate_chunk(path: Path, chunk: Chunk, sample_fps: float | None) -> ChunkResult:
    """One chunk in a worker process, with the process's one estimator."""
    global _worker_estimator
    if _worker_estimator is None:
        _worker_estimator = PoseEstimator("video").__enter__()
    result = ChunkResult()
    for _, timestamp_ms, detection in run_chunk(_worker_estimator, path, chunk, sample_fps):
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


def parallel_chunks(
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
class Reading:
    """How much of the video was actually read (its header may claim more)."""

    frames: int = 0
    last_ms: int | None = None


def estimate(
    path: Path, duration_s: float, sample_fps: float | None, workers: int, reading: Reading
) -> Iterator[tuple[Frame | None, Detection]]:
    """(frame, detection) for every sampled frame of the video, in order, over
    `chunk_plan`; ``reading`` counts what was read. With more than one worker
    the frames stay in the workers and None comes in their place."""
    chunks = chunk_plan(duration_s)
    workers = min(workers, len(chunks))
    if workers > 1:
        for result in parallel_chunks(path, chunks, workers, sample_fps):
            reading.frames += result.frames_read
            if result.last_ms is not None:
                reading.last_ms = result.last_ms
            for found in result.detections:
                yield None, found
        return
    # One process: the same chunks, one after another, with the frames at hand.
    with _one_estimator() as estimator:
        for chunk in chunks:
            for frame, timestamp_ms, sampled in run_chunk(estimator, path, chunk, sample_fps):
                reading.frames += 1
                reading.last_ms = timestamp_ms
                if sampled is not None:
                    yield frame, sampled
