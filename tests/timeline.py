"""Landmark recordings built from still poses: a session moving from one pose to
the next, with gliding transitions and a little jitter, as a person would.

Every pose is first placed in one common picture (scaled evenly, so no angle
changes, and centred); a transition blends the landmarks of the two poses;
jitter is small Gaussian noise on the pixels and world points, seeded, so a
test sees the same recording on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.body.landmarks import Detection, Pose
from posecheck.io.recording import RecordingWriter

WH = (1280, 720)
FILL = 0.7  # the share of the picture's smaller side a placed body spans


def place(pose: Pose, wh: tuple[int, int] = WH) -> Pose:
    """The pose in a ``wh`` picture: scaled evenly to span `FILL` of it, centred."""
    lo, hi = pose.xy_px.min(axis=0), pose.xy_px.max(axis=0)
    span = float(max(hi[0] - lo[0], hi[1] - lo[1])) or 1.0
    scale = FILL * min(wh) / span
    centre = (lo + hi) / 2
    xy = (pose.xy_px - centre) * scale + np.array(wh, dtype=np.float64) / 2
    return Pose(
        xy_px=xy,
        z_px=pose.z_px * scale,
        world_xyz_m=pose.world_xyz_m.copy(),
        visibility=pose.visibility.copy(),
        presence=pose.presence.copy(),
        image_wh=wh,
    )


def blend(a: Pose, b: Pose, f: float) -> Pose:
    """The landmarks a share ``f`` (0-1) of the way from ``a`` to ``b`` (same picture)."""
    return Pose(
        xy_px=(1 - f) * a.xy_px + f * b.xy_px,
        z_px=(1 - f) * a.z_px + f * b.z_px,
        world_xyz_m=(1 - f) * a.world_xyz_m + f * b.world_xyz_m,
        visibility=np.minimum(a.visibility, b.visibility),
        presence=np.minimum(a.presence, b.presence),
        image_wh=a.image_wh,
    )


def _jittered(pose: Pose, rng: np.random.Generator, px: float, m: float, t_ms: int) -> Pose:
    return Pose(
        xy_px=pose.xy_px + rng.normal(0.0, px, pose.xy_px.shape),
        z_px=pose.z_px,
        world_xyz_m=pose.world_xyz_m + rng.normal(0.0, m, pose.world_xyz_m.shape),
        visibility=pose.visibility,
        presence=pose.presence,
        image_wh=pose.image_wh,
        timestamp_ms=t_ms,
    )


@dataclass(frozen=True)
class Held:
    """When a pose of the session was held, in the recording's seconds."""

    label: str
    start_s: float
    end_s: float


def write_session(
    path: Path,
    plan: list[tuple[str, Pose, float]],
    *,
    fps: float = 15.0,
    transition_s: float = 2.0,
    jitter_px: float = 1.5,
    jitter_m: float = 0.004,
    seed: int = 0,
) -> list[Held]:
    """Write a recording that holds each ``(label, pose, seconds)`` of ``plan`` in turn,
    gliding from one to the next over ``transition_s``. Returns when each was held."""
    rng = np.random.default_rng(seed)
    placed = [(label, place(pose), seconds) for label, pose, seconds in plan]
    frames: list[Pose] = []
    held: list[Held] = []
    step_s = 1.0 / fps
    t_s = 0.0

    def add(pose: Pose) -> None:
        nonlocal t_s
        frames.append(_jittered(pose, rng, jitter_px, jitter_m, round(t_s * 1000)))
        t_s += step_s

    for i, (label, pose, seconds) in enumerate(placed):
        if i > 0:
            previous = placed[i - 1][1]
            count = round(transition_s * fps)
            for k in range(count):
                add(blend(previous, pose, (k + 1) / (count + 1)))
        start = t_s
        for _ in range(round(seconds * fps)):
            add(pose)
        held.append(Held(label, start, t_s))
    with RecordingWriter(path, WH, stretch="auto", fps=fps) as writer:
        for pose in frames:
            writer.write(Detection(pose.timestamp_ms, WH, pose, people=1))
    return held
