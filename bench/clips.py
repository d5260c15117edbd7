"""Timing of the windowed verdicts on real landmarks, and no false seconds on real clips.

Run by hand from the project root:  python bench/clips.py

1. Lag: the demo sample (samples/bridge_from_stills.jsonl, landmarks our
   estimator found on a timeline built from two real photos) is replayed
   through the coach. For every change that the single frames see (hips
   drop, hips lift, person leaves, person returns), it prints how long the
   windowed verdict took to follow. The live coach adds exactly this lag.
2. Real clips that match no stretch (samples/sports2d_demo.mp4: two people
   walking; samples/pose2sim_cam01_portrait.mp4: a person standing and moving):
   the model runs once per clip, and the landmarks are scored against every
   stretch in the catalog. Every stretch must say "never reached" or count
   0 s of hold.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from posecheck.catalog.reference import load_references
from posecheck.coaching.coach import Coach
from posecheck.coaching.session import SessionConfig
from posecheck.form import checks
from posecheck.io import recording
from posecheck.io.sources import open_source
from posecheck.run.scoring import ScoreOptions, score_video

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"
CLIPS = [ROOT / "samples" / "sports2d_demo.mp4", ROOT / "samples" / "pose2sim_cam01_portrait.mp4"]


def lags() -> list[tuple[float, str, float]]:
    """(time of the change in s, what changed, lag in ms) for the demo sample."""
    coach = Coach(load_references()["bridge"], SessionConfig(hold_s=10))
    raw: list[tuple[int, bool, bool]] = []
    steady: list[tuple[int, bool, bool]] = []
    for detection in recording.read_detections(SAMPLE):
        result = coach.step(detection)
        frame = checks.evaluate(result.pose, coach.reference)
        raw.append((detection.timestamp_ms, frame.person, frame.aligned))
        steady.append((detection.timestamp_ms, result.verdict.person, result.verdict.aligned))
    out = []
    for i in range(1, len(raw)):
        if raw[i][1:] == raw[i - 1][1:]:
            continue
        t, person, aligned = raw[i]
        match = next((s for s in steady if s[0] >= t and s[1:] == (person, aligned)), None)
        what = "person gone" if not person else ("in form" if aligned else "out of form")
        lag = float("nan") if match is None else float(match[0] - t)
        out.append((t / 1000, what, lag))
    return out


def main() -> int:
    print(f"Lag of the windowed verdict behind the single frames, {SAMPLE.name} (15 fps):")
    for t_s, what, lag_ms in lags():
        print(f"  {t_s:6.2f} s  {what:12s}  {lag_ms:5.0f} ms")
    refs = load_references()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for clip in CLIPS:
            path = Path(tmp) / f"{clip.stem}.jsonl"
            found = list(open_source(clip).play())
            wh = found[0][1].image_wh
            with recording.RecordingWriter(path, wh, stretch="none", fps=30) as writer:
                for _, detection in found:
                    writer.write(detection)
            print(f"\n{clip.name}: {len(found)} frames, scored against every stretch")
            for stretch_id, ref in sorted(refs.items()):
                report = score_video(path, ref, ScoreOptions())
                held = sum(r.held_s for r in report.reps)
                ok = held == 0 and report.time_in_form_s == 0
                failures += not ok
                print(
                    f"  {stretch_id:26s} reached={report.position_reached!s:5s} "
                    f"held {held:4.1f} s  in form {report.time_in_form_s:4.1f} s"
                    f"{'' if ok else '  <- false seconds'}"
                )
    print(f"\n{failures} stretch/clip pairs counted false seconds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
