"""How fast `posecheck score` runs, against the model alone, with workers and sampling.

Builds a 1280x720, 30 fps bridge video from two real photos (../shared/data/fedb:
a timeline from stills, with a slight pan so frames differ; a fault mid-hold),
then measures in one go:

1. decode + model only, one process: the ceiling. A plain loop written here
   directly against MediaPipe, one pose in VIDEO mode, not posecheck's estimator;
2. the whole scoring pipeline in one process; the ratio to (1) (target >= 0.9);
3. the pipeline with --workers 2 (target: >= 1.8x real time on this 2-core machine),
   and whether its report is identical to the one-process report (it must be);
4. --sample-fps 10 against full rate (target >= 2.5x faster; held_s within 0.3 s).

With --annotated, it measures instead what writing the annotated video costs:
the model-only loop, scoring without and with --annotated (one process, H.264
on its own thread; target: the encoding adds at most 15% of the model-only
time), and the annotated file's size against the same frames as mp4v.

Peak memory: run `/usr/bin/time -v python bench/score.py --memory --minutes 10` and
read "Maximum resident set size" (one process scores a video of that length).

Run by hand from the project root:  python bench/score.py [--seconds N]
"""

from __future__ import annotations

import argparse
import itertools
import math
import tempfile
import time
from pathlib import Path

import mediapipe as mp
import numpy as np
from common import FEDB, cover, load_average, raw_landmarker

from posecheck.catalog.reference import load_references
from posecheck.coaching.session import SessionConfig
from posecheck.io import video
from posecheck.run.scoring import ScoreOptions, score_video

PHOTOS = FEDB / "Butt_Lift_Bridge"
SIZE_WH = (1280, 720)
FPS = 30.0


def make_video(path: Path, seconds: float) -> None:
    """Hips down 2 s, lifted, a 2 s drop every 20 s, panned slowly over a 720p frame."""
    w, h = SIZE_WH
    big = [cover(video.read_image(PHOTOS / n), SIZE_WH) for n in ("0.jpg", "1.jpg")]
    with video.VideoWriter(path, FPS) as writer:
        for i in range(round(seconds * FPS)):
            t = i / FPS
            lifted = t >= 2.0 and (t % 20.0) < 18.0
            dx = round((big[0].shape[1] - w) * (0.5 + 0.5 * math.sin(t / 3)))
            writer.write(np.ascontiguousarray(big[int(lifted)][:h, dx : dx + w]))


def model_only(path: Path) -> float:
    """Decode every frame and run MediaPipe's one-pose VIDEO-mode landmarker on it."""
    start = time.perf_counter()
    landmarker = raw_landmarker("video", 1)
    for frame, ts in video.video_frames(path):
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=video.bgr_to_rgb(frame))
        landmarker.detect_for_video(image, ts)
    landmarker.close()
    return time.perf_counter() - start


def mp4v_size(h264: Path, out: Path) -> int:
    """The bytes the same frames take as OpenCV's mp4v (the old format), for comparison."""
    import cv2

    writer = None
    for frame, _ in video.video_frames(h264):
        if writer is None:
            size = (frame.shape[1], frame.shape[0])
            fourcc = cv2.VideoWriter.fourcc(*"mp4v")
            writer = cv2.VideoWriter(str(out), cv2.CAP_FFMPEG, fourcc, FPS, size)
        writer.write(frame)
    if writer is not None:
        writer.release()
    return out.stat().st_size


def annotated_cost(clip: Path, seconds: float) -> None:
    bridge = load_references()["bridge"]
    config = SessionConfig(hold_s=15)
    out = clip.with_name("annotated.mp4")
    # CPU seconds of this process, all threads: steadier than wall time on a busy machine.
    cpu = [time.process_time()]
    ceiling = model_only(clip)
    cpu.append(time.process_time())
    plain = score_video(clip, bridge, ScoreOptions(config=config, workers=1))
    cpu.append(time.process_time())
    drawn = score_video(clip, bridge, ScoreOptions(config=config, workers=1, annotated_path=out))
    cpu.append(time.process_time())
    cpu_model, cpu_plain, cpu_drawn = (b - a for a, b in itertools.pairwise(cpu))
    h264 = out.stat().st_size
    old = mp4v_size(out, clip.with_name("annotated-mp4v.mp4"))
    extra = drawn.processing_s - plain.processing_s
    print(f"{seconds:.0f} s of 1280x720 at 30 fps; load average at the end {load_average()}")
    print(f"  decode + model only, 1 process:  {ceiling:6.1f} s")
    print(f"  score, 1 process:                {plain.processing_s:6.1f} s")
    print(
        f"  score --annotated, 1 process:    {drawn.processing_s:6.1f} s"
        f"  -> {drawn.processing_s / ceiling - 1:+.0%} over the model-only loop;"
        f" drawing + encoding add {extra:.1f} s = {extra / ceiling:.0%} of it"
    )
    print(
        f"  CPU time (all threads): model only {cpu_model:.1f} s, score {cpu_plain:.1f} s,"
        f" score --annotated {cpu_drawn:.1f} s: drawing + encoding cost"
        f" {(cpu_drawn - cpu_plain) / cpu_model:.0%} of the model-only CPU time"
    )
    print(
        f"  annotated video: H.264 {h264 / 1e6:.1f} MB, the same frames as mp4v"
        f" {old / 1e6:.1f} MB ({h264 / old:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the test video")
    parser.add_argument("--memory", action="store_true", help="only score once (for time -v)")
    parser.add_argument("--minutes", type=float, default=0.0, help="video length for --memory")
    parser.add_argument(
        "--annotated", action="store_true", help="measure the annotated video's cost and size"
    )
    args = parser.parse_args()
    bridge = load_references()["bridge"]
    config = SessionConfig(hold_s=15)
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "bridge_720p.mp4"
        seconds = args.minutes * 60 if args.memory and args.minutes else args.seconds
        make_video(clip, seconds)
        if args.annotated:
            annotated_cost(clip, seconds)
            return
        if args.memory:
            report = score_video(clip, bridge, ScoreOptions(config=config, workers=1))
            print(f"scored {seconds:.0f} s of video in {report.processing_s:.1f} s")
            return
        duration = video.probe_video(clip).duration_s
        ceiling = model_only(clip)
        one = score_video(clip, bridge, ScoreOptions(config=config, workers=1))
        two = score_video(clip, bridge, ScoreOptions(config=config, workers=2))
        sampled = score_video(clip, bridge, ScoreOptions(config=config, sample_fps=10))

    def rt(s: float) -> str:
        return f"{s:6.1f} s ({duration / s:4.2f}x real time)"

    print(f"{duration:.0f} s of 1280x720 at 30 fps; load average at the end {load_average()}")
    print(f"  decode + model only, 1 process: {rt(ceiling)}")
    print(
        f"  score, 1 process:               {rt(one.processing_s)}"
        f"  -> {ceiling / one.processing_s:.2f} of the model-only speed"
    )
    print(f"  score, 2 workers:               {rt(two.processing_s)}")
    print(
        f"  score, --sample-fps 10:         {rt(sampled.processing_s)}"
        f"  -> {one.processing_s / sampled.processing_s:.1f}x faster than full rate"
    )
    identical = one.to_json()["reps"] == two.to_json()["reps"]
    print(f"  2 workers: report identical to 1 worker's: {identical}")
    diffs = [abs(a.held_s - b.held_s) for a, b in zip(one.reps, sampled.reps, strict=False)]
    same = [r.completed for r in one.reps] == [r.completed for r in sampled.reps]
    print(
        f"  sample 10 fps: same completed reps: {same}; largest held_s difference "
        f"{max(diffs, default=0.0):.2f} s"
    )


if __name__ == "__main__":
    main()
