"""A correct bridge held still must count as held, through the real `score` path.

The clip is built in the test, into tmp_path, from one labelled photo of a
correct bridge in ../shared/data/fedb: 37 s of the same still, with a slow
pan and zoom and a little random shake every frame, as a phone on a stand
that is touched now and then. Nothing of the photo is kept in the project.
The truth is simple: the person is in form for the whole clip, so the hold
counted must be the clip's length less the 1 s confirmation, within 2 s.

The same is asked of the 9 real bodies in good bridges of
../shared/data/realposes (landmarks only: their photos cannot be shared), as
landmark recordings with the camera drifting and every joint shaking.

`Barbell_Glute_Bridge/1.jpg` is the third correct bridge in labels.csv; it is
left out because the barbell hides the hips, which puts it outside what
posecheck coaches (README, "accuracy").
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from posecheck.body.landmarks import Detection, Pose
from posecheck.catalog.reference import load_references
from posecheck.coaching.session import SessionConfig
from posecheck.io import video
from posecheck.io.recording import RecordingWriter
from posecheck.run.scoring import ScoreOptions, score_video
from tests.helpers import DATA, labels, needs_data, recorded_pose

FPS = 15.0
HELD_S = 37.0
CORRECT_BRIDGES = ["Butt_Lift_Bridge/1.jpg", "Pelvic_Tilt_Into_Bridge/1.jpg"]


def handheld(
    photo: npt.NDArray[np.uint8], t_s: float, rng: np.random.Generator
) -> npt.NDArray[np.uint8]:
    """The photo zoomed in by 2-5% and panned slowly, plus a shake of a few pixels."""
    h, w = photo.shape[:2]
    zoom = 1.035 + 0.015 * math.sin(t_s * 0.6) + rng.normal(0.0, 0.002)
    ch, cw = round(h / zoom), round(w / zoom)
    dy = (h - ch) / 2 * (1 + 0.7 * math.sin(t_s * 0.8)) + rng.normal(0.0, 1.5)
    dx = (w - cw) / 2 * (1 + 0.7 * math.cos(t_s * 0.45)) + rng.normal(0.0, 1.5)
    y0 = int(np.clip(round(dy), 0, h - ch))
    x0 = int(np.clip(round(dx), 0, w - cw))
    rows = y0 + (np.arange(h) * ch / h).astype(int)
    cols = x0 + (np.arange(w) * cw / w).astype(int)
    return np.ascontiguousarray(photo[rows][:, cols])


def held_clip(photo_path: Path, out: Path) -> Path:
    photo = video.read_image(photo_path)
    rng = np.random.default_rng(15)
    with video.VideoWriter(out, FPS) as writer:
        for i in range(round(HELD_S * FPS)):
            writer.write(handheld(photo, i / FPS, rng))
    return out


@needs_data
@pytest.mark.parametrize("name", CORRECT_BRIDGES)
def test_a_correct_bridge_held_37_s_counts_37_s(name: str, tmp_path: Path):
    assert labels()[name]["stretch"] == "bridge" and labels()[name]["in_position"] == "yes"
    clip = held_clip(DATA / name, tmp_path / "held.mp4")
    # A target longer than the clip, so the count is not cut at the prescribed 30 s.
    options = ScoreOptions(config=SessionConfig(hold_s=60))
    report = score_video(clip, load_references()["bridge"], options)
    (rep,) = report.reps
    assert report.video.duration_s == pytest.approx(HELD_S, abs=0.1)
    # In form from the first frame: 1 s of confirmation, then held to the end.
    assert rep.start_s == pytest.approx(1.0, abs=0.5)
    assert rep.held_s == pytest.approx(HELD_S - 1.0, abs=2.0), report.to_json()["reps"]
    assert report.time_in_form_s == pytest.approx(HELD_S - 1.0, abs=2.0)
    assert rep.faults == ()
    assert 0 <= report.score <= 100


REALPOSES = DATA.parent / "realposes" / "landmarks.jsonl"


def real_bridges() -> list[tuple[str, Pose]]:
    """The correct bridges of ../shared/data/realposes, as poses in pixels."""
    if not REALPOSES.is_file():
        return []
    out = []
    for line in REALPOSES.read_text().splitlines()[1:]:
        row = json.loads(line)
        if row["stretch"] != "bridge" or row["in_position"] != "yes" or not row["person"]:
            continue
        w, h = row["image_wh"]
        pose = Pose(
            xy_px=np.asarray(row["xy_norm"]) * [w, h],
            z_px=np.asarray(row["z_norm"]) * w,
            world_xyz_m=np.asarray(row["world_xyz_m"]),
            visibility=np.asarray(row["visibility"]),
            presence=np.asarray(row["presence"]),
            image_wh=(w, h),
        )
        out.append((row["id"], pose))
    return out


def held_recording(pose: Pose, out: Path) -> Path:
    """A landmark recording of ``pose`` held for `HELD_S`: the camera drifts (a slow
    zoom and pan of the whole body) and every landmark shakes by a few pixels."""
    rng = np.random.default_rng(15)
    w, h = pose.image_wh
    centre = np.array([w / 2, h / 2])
    with RecordingWriter(out, pose.image_wh, stretch="bridge", fps=FPS) as writer:
        for i in range(round(HELD_S * FPS)):
            t_s = i / FPS
            zoom = 1.0 + 0.02 * math.sin(t_s * 0.6)
            shift = np.array([0.01 * w * math.cos(t_s * 0.45), 0.01 * h * math.sin(t_s * 0.8)])
            shake = rng.normal(0.0, 0.003 * w, size=pose.xy_px.shape)
            xy = (pose.xy_px - centre) * zoom + centre + shift + shake
            timestamp_ms = round(t_s * 1000)
            moved = replace(pose, xy_px=xy, timestamp_ms=timestamp_ms)
            writer.write(Detection(timestamp_ms, pose.image_wh, moved, people=1))
    return out


@pytest.mark.skipif(not REALPOSES.is_file(), reason=f"real-body landmarks not found at {REALPOSES}")
def test_real_bodies_holding_a_correct_bridge_37_s_count_37_s(tmp_path: Path):
    bridges = real_bridges()
    assert len(bridges) == 9
    counted = {}
    for bridge_id, pose in bridges:
        path = held_recording(pose, tmp_path / f"{bridge_id}.jsonl")
        options = ScoreOptions(config=SessionConfig(hold_s=60))
        report = score_video(path, load_references()["bridge"], options)
        counted[bridge_id] = sum(r.held_s for r in report.reps)
    assert all(abs(s - (HELD_S - 1.0)) <= 2.0 for s in counted.values()), counted


def test_the_landmark_harness_counts_a_bridge_the_checks_accept(tmp_path: Path):
    """The same drift and shake on a studio bridge that passes today: the harness itself
    counts a held bridge, so the real bodies above fail on their checks, not on it."""
    path = held_recording(recorded_pose("Butt_Lift_Bridge/1.jpg"), tmp_path / "studio.jsonl")
    report = score_video(
        path, load_references()["bridge"], ScoreOptions(config=SessionConfig(hold_s=60))
    )
    (rep,) = report.reps
    assert rep.held_s == pytest.approx(HELD_S - 1.0, abs=2.0)
    assert rep.faults == ()
