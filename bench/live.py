"""Live-mode speed: frames per second and per-frame latency with the overlay,
and what everything but the model costs relative to the model alone.

For each size (640x480 and 1280x720) it builds a short video from a real photo
(../shared/data/fedb, slowly panned), decodes it once into memory, then times
on the same frames:

- model only: MediaPipe's PoseLandmarker called directly, one pose, VIDEO
  mode (the plain loop a user would write; not posecheck's estimator, whose
  once-a-second look for other people is one of the costs measured here);
- live: posecheck's estimator, smoothing, the windowed checks, the session
  and the coaching overlay (what `posecheck live` does per frame, minus
  showing the window), with the time of the coach and of the drawing also
  reported on their own.

Run by hand from the project root:  python bench/live.py [--frames N]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import mediapipe as mp
import numpy as np
from common import FEDB, cover, cpu_name, raw_landmarker

from posecheck.catalog.reference import load_references
from posecheck.coaching.coach import Coach
from posecheck.draw import overlay
from posecheck.io import video
from posecheck.io.estimator import PoseEstimator

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200, help="frames per size")
    args = parser.parse_args()
    if not PHOTO.is_file():
        raise SystemExit(f"{PHOTO}: photo not found; run from a checkout with ../shared beside it")
    reference = load_references()["bridge"]
    print(f"machine: {cpu_name()}, {platform.machine()}, Python {platform.python_version()}")
    print(f"{args.frames} frames per size; the first 10 are left out (warm-up)")
    for size in SIZES:
        frames = make_frames(size, args.frames)
        model: list[float] = []
        landmarker = raw_landmarker("video", 1)
        for frame, ts in frames:
            t0 = time.perf_counter()
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=video.bgr_to_rgb(frame))
            landmarker.detect_for_video(image, ts)
            model.append(time.perf_counter() - t0)
        landmarker.close()
        live: list[float] = []
        coaching: list[float] = []
        drawing: list[float] = []
        coach = Coach(reference)
        with PoseEstimator("video") as estimator:
            for frame, ts in frames:
                t0 = time.perf_counter()
                detection = estimator.detect(frame, ts)
                t1 = time.perf_counter()
                result = coach.step(detection, frame)
                t2 = time.perf_counter()
                overlay.compose(frame, result.pose, result.verdict, result.state)
                t3 = time.perf_counter()
                live.append(t3 - t0)
                coaching.append(t2 - t1)
                drawing.append(t3 - t2)
        model_ms = statistics.fmean(model[10:]) * 1000
        live_ms = [t * 1000 for t in live[10:]]
        mean_ms = statistics.fmean(live_ms)
        p95_ms = sorted(live_ms)[int(0.95 * (len(live_ms) - 1))]
        print(
            f"  {size[0]}x{size[1]}: live {1000 / mean_ms:5.1f} fps, latency median "
            f"{statistics.median(live_ms):5.1f} ms, p95 {p95_ms:5.1f} ms; model alone "
            f"{model_ms:5.1f} ms; everything else {(mean_ms - model_ms) / model_ms:+.1%} "
            "of the model's time"
        )
        print(
            f"    of which: coach (smoothing, checks, session) "
            f"{statistics.fmean(coaching[10:]) * 1000:4.2f} ms, drawing "
            f"{statistics.fmean(drawing[10:]) * 1000:4.2f} ms per frame"
        )


if __name__ == "__main__":
    main()
