"""Helpers the benchmark scripts share (run them from the project root)."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
FEDB = ROOT.parent / "shared" / "data" / "fedb"


def cpu_name() -> str:
    """The processor's model name, for the line that says where numbers were measured."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cover(photo: npt.NDArray[np.uint8], size_wh: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The photo scaled (nearest neighbour) to cover ``size_wh`` with 10% to spare,
    so a crop of that size can pan across it."""
    w, h = size_wh
    scale = 1.1 * max(h / photo.shape[0], w / photo.shape[1])
    rows = (np.arange(round(photo.shape[0] * scale)) / scale).astype(int)
    cols = (np.arange(round(photo.shape[1] * scale)) / scale).astype(int)
    return photo[rows][:, cols]


def labelled_rows() -> list[dict[str, str]]:
    """The rows of ../shared/data/fedb/labels.csv (file, stretch, in_position, view, notes)."""
    import csv

    labels = FEDB / "labels.csv"
    if not labels.is_file():
        raise SystemExit(f"{labels}: not found; run from a checkout with ../shared beside it")
    with labels.open(newline="") as f:
        return list(csv.DictReader(f))


def use_tests_helpers() -> None:
    """Make tests/ importable (its photo transforms and real-pose reader are shared)."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def raw_landmarker(mode: str, poses: int) -> Any:
    """MediaPipe's PoseLandmarker made directly, without posecheck's estimator, for
    baselines: ``mode`` is "image" or "video", ``poses`` the most people it returns."""
    from mediapipe.tasks.python import BaseOptions, vision

    from posecheck.io.estimator import find_model

    running = vision.RunningMode.IMAGE if mode == "image" else vision.RunningMode.VIDEO
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_buffer=find_model().read_bytes()),
        running_mode=running,
        num_poses=poses,
    )
    return vision.PoseLandmarker.create_from_options(options)


def load_average() -> str:
    """The 1-minute load average, to judge whether other work disturbed a run."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"
