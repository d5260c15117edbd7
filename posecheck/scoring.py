"""Scoring a recording: every frame through the coach, as fast as the machine allows.

The session takes its time from the video's own frame times, never the clock,
so a recording scores the same on every run and every machine. With several
workers, pose estimation (the expensive part) runs in parallel on overlapping
chunks of the video; smoothing, checks and the session then run once, in
order, over the merged stream, exactly as in one process.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from posecheck import overlay, recording, video
from posecheck.estimator import PoseEstimator
from posecheck.landmarks import Detection
from posecheck.pipeline import Coach, CoachFrame
from posecheck.reference import Reference
from posecheck.report import (
    SCORED_PHASES,
    CsvWriter,
    ReportBuilder,
    ScoreReport,
    Snapshot,
    VideoMeta,
)
from posecheck.session import SessionConfig

# Each chunk after the first starts this much earlier and drops those frames:
# tracking needs a moment to settle on the person.
WARMUP_MS = 1000
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


def _keep(sample_fps: float | None) -> Callable[[int], bool]:
    """A filter on timestamps that keeps about ``sample_fps`` frames per second."""
    if not sample_fps:
        return lambda _: True
    step_ms = 1000.0 / sample_fps
    next_ms = [0.0]

    def keep(timestamp_ms: int) -> bool:
        if timestamp_ms + 0.5 < next_ms[0]:
            return False
        next_ms[0] = max(next_ms[0] + step_ms, timestamp_ms + step_ms / 2)
        return True

    return keep


def _estimate_chunk(
    path: Path, start: int, end: int, drop_before_ms: int | None, sample_fps: float | None
) -> list[Detection]:
    """Pose estimation over frames [start, end) of a video, in a worker process."""
    keep = _keep(sample_fps)
    out: list[Detection] = []
    with PoseEstimator("video") as estimator:
        for frame, timestamp_ms in video.video_frames(path, start, end):
            if not keep(timestamp_ms):
                continue
            detection = estimator.detect(frame, timestamp_ms)
            if drop_before_ms is None or timestamp_ms >= drop_before_ms:
                out.append(detection)
    return out


def _chunks(meta: VideoMeta, workers: int) -> list[tuple[int, int, int | None]]:
    """(first frame, end frame, first kept timestamp) per worker, with warm-up overlap."""
    per = -(-meta.frames // workers)
    warmup = round(WARMUP_MS / 1000 * (meta.fps or 30))
    out: list[tuple[int, int, int | None]] = []
    for i in range(workers):
        start, end = i * per, min(meta.frames, (i + 1) * per)
        if start >= end:
            break
        if i == 0:
            out.append((0, end, None))
        else:
            out.append((max(0, start - warmup), end, round(start * 1000 / (meta.fps or 30))))
    return out


def _detections(
    path: Path, meta: VideoMeta, options: ScoreOptions
) -> Iterator[tuple[video.Frame | None, Detection]]:
    keep = _keep(options.sample_fps)
    if recording.is_recording(path):
        for detection in recording.read_detections(path):
            if keep(detection.timestamp_ms):
                yield None, detection
        return
    if options.workers > 1 and meta.frames > 0 and options.annotated_path is None:
        chunks = _chunks(meta, options.workers)
        with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
            futures = [
                pool.submit(_estimate_chunk, path, s, e, drop, options.sample_fps)
                for s, e, drop in chunks
            ]
            last = -1
            for future in futures:
                for detection in future.result():
                    # Chunk edges can repeat a frame when the seek lands early.
                    if detection.timestamp_ms > last:
                        last = detection.timestamp_ms
                        yield None, detection
        return
    with PoseEstimator("video") as estimator:
        for frame, timestamp_ms in video.video_frames(path):
            if keep(timestamp_ms):
                yield frame, estimator.detect(frame, timestamp_ms)


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
        drawn = overlay.draw_coaching(canvas, m.pose, m.verdict, m.state)
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
        for frame, detection in _detections(path, meta, options):
            result = coach.step(detection, frame)
            last_ms = detection.timestamp_ms
            builder.add(result)
            worst.offer(result)
            if csv_writer is not None:
                csv_writer.add(result)
            if writer is not None:
                canvas = frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                writer.write(
                    overlay.draw_coaching(canvas, result.pose, result.verdict, result.state)
                )
            if progress is not None:
                progress(builder.frames, meta.frames)
    reps = coach.finish(last_ms)
    snapshots = _snapshots(path, worst.worst())
    return builder.build(meta, reps, time.perf_counter() - started, snapshots)
