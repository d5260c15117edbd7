"""Build samples/bridge_from_stills.jsonl: a recorded bridge session assembled from two photos.

There is no licensed video of these stretches, so this timeline is made from
two real still photos in ../shared/data/fedb (Butt_Lift_Bridge: 0.jpg hips
down, 1.jpg hips lifted). Each still is shown with a slow, slight pan and zoom,
as a hand-held phone would, and posecheck's own estimator runs on every frame
in VIDEO mode; only the landmarks it finds are saved (no picture).

Timeline at 15 fps (seconds):
   0.0- 2.5  hips down           -> "Lift your hips ..."
   2.5- 8.0  hips lifted         -> confirmed after 1 s, hold starts at 3.5
   8.0-10.0  hips down again     -> a fault: paused after the 1 s grace
  10.0-12.0  hips lifted         -> the hold resumes
  12.0-13.5  nobody in the frame -> paused as not visible
  13.5-19.0  hips lifted         -> the 10 s demo hold completes

Run from the project root:  python samples/make_bridge_from_stills.py
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from posecheck.io import video
from posecheck.io.estimator import PoseEstimator
from posecheck.io.recording import RecordingWriter

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "fedb" / "Butt_Lift_Bridge"
OUT = Path(__file__).with_name("bridge_from_stills.jsonl")
FPS = 15
# (seconds, photo shown); None is an empty frame.
TIMELINE = [
    (2.5, "0.jpg"),
    (5.5, "1.jpg"),
    (2.0, "0.jpg"),
    (2.0, "1.jpg"),
    (1.5, None),
    (5.5, "1.jpg"),
]


def sway(photo: np.ndarray, t_s: float) -> np.ndarray:
    """The photo slightly zoomed (up to 4%) and panned, changing smoothly with time."""
    h, w = photo.shape[:2]
    zoom = 1.02 + 0.02 * math.sin(t_s * 0.7)
    ch, cw = round(h / zoom), round(w / zoom)
    y0 = round((h - ch) / 2 + (h - ch) / 2 * 0.8 * math.sin(t_s * 0.9))
    x0 = round((w - cw) / 2 + (w - cw) / 2 * 0.8 * math.cos(t_s * 0.5))
    crop = photo[y0 : y0 + ch, x0 : x0 + cw]
    # Nearest-neighbour resize with numpy keeps this script free of cv2 calls.
    rows = (np.arange(h) * ch / h).astype(int)
    cols = (np.arange(w) * cw / w).astype(int)
    return np.ascontiguousarray(crop[rows][:, cols])


def main() -> None:
    photos = {name: video.read_image(PHOTOS / name) for name in ("0.jpg", "1.jpg")}
    h, w = photos["1.jpg"].shape[:2]
    empty = np.full((h, w, 3), 90, np.uint8)
    header = {
        "stretch": "bridge",
        "hold_s": 10,
        "fps": FPS,
        "source": "timeline built from the stills Butt_Lift_Bridge/0.jpg and 1.jpg "
        "(free-exercise-db, Unlicense); landmarks by posecheck's estimator",
    }
    frame_index = 0
    with PoseEstimator("video") as estimator, RecordingWriter(OUT, (w, h), **header) as out:
        t_s = 0.0
        for duration_s, name in TIMELINE:
            end = t_s + duration_s
            while t_s < end - 1e-9:
                still = photos[name] if name else empty
                timestamp_ms = round(frame_index * 1000 / FPS)
                out.write(estimator.detect(sway(still, t_s), timestamp_ms))
                frame_index += 1
                t_s = frame_index / FPS
    print(f"wrote {out.frames} frames to {OUT}")


if __name__ == "__main__":
    main()
