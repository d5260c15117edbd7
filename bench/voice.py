"""What the voice costs the live frame loop, and how long a line takes to synthesize.

Run by hand from the project root:  python bench/voice.py

The demo sample (samples/bridge_from_stills.jsonl) is replayed through the
coach at its own frame rate (15 fps), with the voice listening as it does in
`posecheck live`: the platform's speech engine, and the audio device if
there is one. Printed: the time `Voice.hear` takes on the loop's thread per
frame (it only decides and queues; synthesis and playing happen on the
voice's own thread), and the engine's time per line on that thread.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from posecheck.catalog.library import load_references
from posecheck.coaching.coach import Coach
from posecheck.coaching.session import SessionConfig
from posecheck.io.sound import find_speaker
from posecheck.io.sources import open_source
from posecheck.io.speech import find_engine
from posecheck.run.voice import Voice

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"


def main() -> int:
    engine = find_engine()
    if engine is None:
        print("no speech engine on this machine (on Linux: apt-get install espeak-ng)")
        return 1
    lines = ["3", "Hold for 20 seconds", "Lift your hips: raise your tailbone off the floor"]
    for text in lines:
        engine.synthesize(text)  # warm the engine's files into the page cache
    for text in lines:
        start = time.perf_counter()
        clip = engine.synthesize(text)
        took_ms = (time.perf_counter() - start) * 1000
        print(f"{engine.name}: {took_ms:5.1f} ms for {clip.duration_s:.2f} s of speech: {text!r}")

    speaker = find_speaker()
    print(f"audio device: {speaker.name if speaker else 'none (lines are synthesized only)'}")
    coach = Coach(load_references()["bridge"], SessionConfig(hold_s=8, countdown_s=3))
    opened = open_source(SAMPLE)
    hear_us: list[float] = []
    with Voice(engine, speaker, fps=opened.fps) as voice:
        for _frame, detection in opened.detections():
            result = coach.step(detection)
            start = time.perf_counter()
            voice.hear(result)
            hear_us.append((time.perf_counter() - start) * 1e6)
            time.sleep(1 / opened.fps)  # frames arrive as from a camera
    spoken = voice.spoken()
    hear_us.sort()
    print(
        f"Voice.hear on the loop's thread, {len(hear_us)} frames: median "
        f"{statistics.median(hear_us):.0f} us, p99 {hear_us[int(len(hear_us) * 0.99)]:.0f} us, "
        f"max {hear_us[-1]:.0f} us; {len(spoken)} lines said"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
