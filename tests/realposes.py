"""The real-body landmark records in ../shared/data/realposes (read, never copied).

`landmarks.jsonl` holds what MediaPipe saw in 40 photos of real people that
cannot be shared: 9 bridges and 21 child's poses in good form and 10
look-alikes, each labelled by eye. Tests and the accuracy bench use them
beside the labelled fedb photos, and skip or say so when the file is absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.body.landmarks import Pose

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "realposes" / "landmarks.jsonl"


@dataclass(frozen=True)
class RealPose:
    id: str
    stretch: str  # a posecheck stretch id, or "none"
    in_position: str  # "yes" or "no"
    view: str  # by eye: side, front or oblique
    notes: str
    pose: Pose | None


def _pose(record: dict[str, object]) -> Pose | None:
    if not record["person"]:
        return None
    w, h = (int(v) for v in record["image_wh"])  # type: ignore[attr-defined]
    xy = np.asarray(record["xy_norm"], dtype=np.float64) * np.array([w, h], dtype=np.float64)
    return Pose(
        xy_px=xy,
        z_px=np.asarray(record["z_norm"], dtype=np.float64) * w,
        world_xyz_m=np.asarray(record["world_xyz_m"], dtype=np.float64),
        visibility=np.asarray(record["visibility"], dtype=np.float64),
        presence=np.asarray(record["presence"], dtype=np.float64),
        image_wh=(w, h),
        timestamp_ms=0,
    )


def load_real_poses(path: Path = REAL) -> list[RealPose]:
    """Every record after the metadata line; an empty list when the file is absent."""
    if not path.is_file():
        return []
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines[1:]]
    return [
        RealPose(
            id=r["id"],
            stretch=r["stretch"],
            in_position=r["in_position"],
            view=r["view"],
            notes=r.get("notes", ""),
            pose=_pose(r),
        )
        for r in records
    ]
