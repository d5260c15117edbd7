"""Live-mode speed: frames per second and capture-to-display latency, one step after
another and with estimation overlapped on its own thread, against the model alone.

For each size (640x480 and 1280x720) it builds a short video from a real photo
(../shared/data/fedb, slowly panned), decodes it once into memory, then times
on the same frames:

- model only: MediaPipe's PoseLandmarker called directly, one pose, VIDEO
  mode (the plain loop a user would write; not posecheck's estimator, whose
  once-a-second look for other people is one of the costs measured here);
- in turn: posecheck's estimator, smoothing, the windowed checks, the session,
  the coaching overlay (with the window's key list) and the voice (the
  platform's speech engine on its worker thread), one after another
  per frame, as `posecheck live` did before the overlap; the coach and the
  drawing are also timed on their own;
- overlapped: what `posecheck live` does with a camera now: the frames come
  from a simulated camera at a fixed rate (a capture thread that hands over
  each frame at its time), estimation runs on its own thread
  (`posecheck.io.pipeline.newest_first`), and this thread coaches and draws
  the newest result. Reported: frames shown per second, frames dropped, and
  the latency from each shown frame's capture time to the end of its
  drawing (and showing, with --window), in ms and in camera frame times.
  Run at the camera rate asked for (30 fps) and at twice it, which shows the
  loop's own ceiling.

With --window (and a display) every frame shown is also put in a real
posecheck window, in both the in-turn and the overlapped loops.

Run by hand from the project root:  python bench/live.py [--frames N] [--rounds N] [--window]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import mediapipe as mp
import numpy as np
from common import FEDB, cover, cpu_name, raw_landmarker

from posecheck.catalog.reference import load_references
from posecheck.coaching.coach import Coach
from posecheck.draw import overlay, panel
from posecheck.io import pipeline, video
from posecheck.io.estimator import PoseEstimator
from posecheck.io.sound import find_speaker
from posecheck.io.speech import find_engine
from posecheck.io.window import Window, display_works
from posecheck.run.live import WINDOW_KEYS
from posecheck.run.voice import Voice

PHOTO = FEDB / "Butt_Lift_Bridge" / "1.jpg"
SIZES = [(640, 480), (1280, 720)]
FPS = 30.0


def make_frames(size_wh: tuple[int, int], count: int) -> list[tuple[np.ndarray, int]]:
    """A slow pan across the photo at ``size_wh``, written to mp4 and decoded back."""
    w, h = size_wh
    big = cover(video.read_image(PHOTO), size_wh)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        with video.VideoWriter(clip, FPS) as writer:
            for i in range(count):
                dx = round((big.shape[1] - w) * i / max(1, count - 1))
                writer.write(np.ascontiguousarray(big[:h, dx : dx + w]))
        return list(video.video_frames(clip))


def camera(
    frames: list[tuple[np.ndarray, int]], fps: float, captured: dict[int, float]
) -> Iterator[tuple[np.ndarray, int]]:
    """The frames handed over at ``fps`` as a camera would, each at its own time; the
    wall-clock time of each capture is noted in ``captured`` by its timestamp."""
    start = time.perf_counter()
    for i, (frame, _) in enumerate(frames):
        due = start + i / fps
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        ts = round(i * 1000 / fps)
        captured[ts] = due
        yield frame, ts


def voice() -> Voice:
    """The live voice as `posecheck live` opens it: the platform's speech engine
    (espeak-ng on Linux) on its worker thread, and the audio device if there is one."""
    return Voice(find_engine(), find_speaker())


def draw(coach: Coach, frame: np.ndarray, detection, window: Window | None, spoken: Voice):  # type: ignore[no-untyped-def]
    """What the live loop does with one estimated frame: coach, draw, speak, show."""
    result = coach.step(detection, frame)
    drawn = overlay.compose(frame, result.pose, result.verdict, result.state)
    panel.draw_key_legend(drawn, WINDOW_KEYS)
    spoken.show(drawn, result)
    if window is not None:
        window.show(drawn)
    return result


def in_turn(frames, reference, window) -> tuple[list[float], list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Per frame, one step after another: total, coach, drawing (seconds)."""
    live: list[float] = []
    coaching: list[float] = []
    drawing: list[float] = []
    coach = Coach(reference)
    with PoseEstimator("video") as estimator, voice() as spoken:
        for frame, ts in frames:
            t0 = time.perf_counter()
            detection = estimator.detect(frame, ts)
            t1 = time.perf_counter()
            result = coach.step(detection, frame)
            t2 = time.perf_counter()
            drawn = overlay.compose(frame, result.pose, result.verdict, result.state)
            panel.draw_key_legend(drawn, WINDOW_KEYS)
            spoken.show(drawn, result)
            if window is not None:
                window.show(drawn)
            t3 = time.perf_counter()
            live.append(t3 - t0)
            coaching.append(t2 - t1)
            drawing.append(t3 - t2)
    return live, coaching, drawing


def overlapped(frames, reference, fps: float, window) -> tuple[float, list[float], int]:  # type: ignore[no-untyped-def]
    """Frames shown per second, each shown frame's capture-to-display latency (s),
    and how many frames were dropped, over a camera at ``fps``."""
    captured: dict[int, float] = {}
    coach = Coach(reference)
    latencies: list[float] = []
    shown = 0
    first = last = 0.0
    with voice() as spoken:
        for frame, detection in pipeline.newest_first(camera(frames, fps, captured)):
            draw(coach, frame, detection, window, spoken)
            now = time.perf_counter()
            shown += 1
            if shown == 10:  # warm-up left out
                first = now
            if shown > 10:
                latencies.append(now - captured[detection.timestamp_ms])
            last = now
    rate = (shown - 10) / (last - first) if last > first else 0.0
    return rate, latencies, len(frames) - shown


def _ms(values: list[float]) -> tuple[float, float]:
    ms = sorted(v * 1000 for v in values)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]


def _model_alone(frames: list[tuple[np.ndarray, int]]) -> list[float]:
    model: list[float] = []
    landmarker = raw_landmarker("video", 1)
    for frame, ts in frames:
        t0 = time.perf_counter()
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=video.bgr_to_rgb(frame))
        landmarker.detect_for_video(image, ts)
        model.append(time.perf_counter() - t0)
    landmarker.close()
    return model


def _load() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="frames per size")
    parser.add_argument("--rounds", type=int, default=1, help="times to run it all, in turn")
    parser.add_argument("--window", action="store_true", help="show every frame in a window")
    args = parser.parse_args()
    if not PHOTO.is_file():
        raise SystemExit(f"{PHOTO}: photo not found; run from a checkout with ../shared beside it")
    if args.window and not display_works():
        raise SystemExit("--window needs a display")
    reference = load_references()["bridge"]
    print(f"machine: {cpu_name()}, {platform.machine()}, Python {platform.python_version()}")
    print(
        f"{args.frames} frames per size; the first 10 are left out (warm-up); "
        f"window: {'shown' if args.window else 'not shown'}"
    )
    clips = {size: make_frames(size, args.frames) for size in SIZES}
    # Each round measures every way once, one after another, so a busy spell on a
    # shared machine touches the ways alike; each line gives the load it ran under.
    for round_ in range(1, args.rounds + 1):
        for size, frames in clips.items():
            print(f"  round {round_}, {size[0]}x{size[1]} ({_load()}):")
            model = _model_alone(frames)
            window = Window("posecheck bench") if args.window else None
            try:
                live, coaching, drawing = in_turn(frames, reference, window)
                results = {r: overlapped(frames, reference, r, window) for r in (FPS, 2 * FPS)}
            finally:
                if window is not None:
                    window.close()
            _report(frames, model, live, coaching, drawing, results)


def _report(frames, model, live, coaching, drawing, results) -> None:  # type: ignore[no-untyped-def]
    model_ms = statistics.fmean(model[10:]) * 1000
    mean_ms = statistics.fmean(live[10:]) * 1000
    median, p95 = _ms(live[10:])
    print(
        f"    model alone {model_ms:5.1f} ms ({1000 / model_ms:5.1f} fps); in turn "
        f"{1000 / mean_ms:5.1f} fps, latency median {median:5.1f} ms, p95 {p95:5.1f} ms; "
        f"of which coach {statistics.fmean(coaching[10:]) * 1000:4.2f} ms, "
        f"drawing {statistics.fmean(drawing[10:]) * 1000:4.2f} ms"
    )
    for rate, (shown_fps, latencies, dropped) in results.items():
        median, p95 = _ms(latencies)
        frame_ms = 1000 / rate
        print(
            f"    overlapped, camera at {rate:g} fps: shown {shown_fps:5.1f} fps, "
            f"{dropped} of {len(frames)} dropped; capture to display median "
            f"{median:5.1f} ms ({median / frame_ms:4.2f} frame times), p95 {p95:5.1f} ms "
            f"({p95 / frame_ms:4.2f})"
        )


if __name__ == "__main__":
    main()
