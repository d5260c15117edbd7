"""Milliseconds per frame for decoding and for the pose model, IMAGE versus VIDEO mode.

Builds a 1280x720, 30 fps mp4 from a real photo (../shared/data/fedb, slowly
panned so that consecutive frames differ), then times on its frames:

- decoding alone;
- MediaPipe's PoseLandmarker called directly: IMAGE mode (every frame a fresh
  detection) for up to 2 people, VIDEO mode (tracking) for up to 1 and up to 2;
- posecheck's estimator in VIDEO mode: one tracked person, and a look for
  everyone (IMAGE mode, up to 2) once a second.

Run by hand from the project root:  python bench/estimator.py [--frames N]
Not part of the test suite; the README quotes its numbers.
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
from common import FEDB, cover, cpu_name, load_average, raw_landmarker

from posecheck.io import video
from posecheck.io.estimator import PoseEstimator

PHOTO = FEDB / "Butt_Lift_Bridge" / "1.jpg"
SIZE_WH = (1280, 720)
FPS = 30.0


def make_video(path: Path, frames: int) -> None:
    """A slow pan across the photo scaled up to fill a 720p frame."""
    big = cover(video.read_image(PHOTO), SIZE_WH)
    max_dx = big.shape[1] - SIZE_WH[0]
    with video.VideoWriter(path, FPS) as writer:
        for i in range(frames):
            dx = round(max_dx * i / max(1, frames - 1)) if max_dx > 0 else 0
            writer.write(np.ascontiguousarray(big[: SIZE_WH[1], dx : dx + SIZE_WH[0]]))


def per_frame_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"median {statistics.median(ms):6.1f} ms   mean {statistics.fmean(ms):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150, help="frames in the test video")
    args = parser.parse_args()
    if not PHOTO.is_file():
        raise SystemExit(f"{PHOTO}: photo not found; run from a checkout with ../shared beside it")

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "bench_720p.mp4"
        make_video(clip, args.frames)

        decode: list[float] = []
        frames: list[tuple[np.ndarray, int]] = []
        start = time.perf_counter()
        for frame, ts in video.video_frames(clip):
            decode.append(time.perf_counter() - start)
            frames.append((frame, ts))
            start = time.perf_counter()

    results = {"decode only": decode}
    for label, mode, people in [
        ("MediaPipe IMAGE, up to 2", "image", 2),
        ("MediaPipe VIDEO, up to 1", "video", 1),
        ("MediaPipe VIDEO, up to 2", "video", 2),
    ]:
        times: list[float] = []
        landmarker = raw_landmarker(mode, people)
        for frame, ts in frames:
            t0 = time.perf_counter()
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=video.bgr_to_rgb(frame))
            if mode == "image":
                landmarker.detect(image)
            else:
                landmarker.detect_for_video(image, ts)
            times.append(time.perf_counter() - t0)
        landmarker.close()
        results[label] = times[5:]  # the first frames include graph warm-up
    times = []
    with PoseEstimator("video") as est:
        for frame, ts in frames:
            t0 = time.perf_counter()
            est.detect(frame, ts)
            times.append(time.perf_counter() - t0)
        looks = est.looks
    label = f"posecheck VIDEO ({looks} looks)"
    results[label] = times[5:]

    print(f"{len(frames)} frames of {SIZE_WH[0]}x{SIZE_WH[1]} at {FPS:.0f} fps")
    print(f"machine: {cpu_name()}, {platform.machine()}, Python {platform.python_version()}")
    print(f"load average at the end: {load_average()}")
    for label, samples in results.items():
        print(f"  {label:<28} {per_frame_ms(samples)}")


if __name__ == "__main__":
    main()
