"""posecheck.io.sources: the input kind is decided once, and the source says what it is.

Videos are written in tmp_path by the project's own VideoWriter; the recording
is the bundled demo sample. No model runs here (the poses of a video are
covered by the scoring and live tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.body.landmarks import Detection
from posecheck.errors import InputError
from posecheck.io import recording, video
from posecheck.io.sources import DEFAULT_FPS, open_source
from tests.helpers import ROOT

SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"
PHOTO = ROOT / "samples" / "sports2d_two_people.jpg"


def test_a_camera_index_is_a_camera_and_is_not_opened_yet():
    source = open_source(2)
    assert source.kind == "camera"
    assert source.info.path == "camera 2" and source.info.fps == 0.0
    assert source.fps == DEFAULT_FPS
    assert source.read is None


def test_a_recording_describes_itself_from_its_header_and_frames():
    source = open_source(SAMPLE)
    header = recording.read_header(SAMPLE)
    frames = list(recording.read_detections(SAMPLE))
    assert source.kind == "recording"
    info = source.info
    assert (info.width, info.height) == header.image_wh
    assert info.frames == len(frames)
    assert info.duration_s == pytest.approx(frames[-1].timestamp_ms / 1000)
    assert header.fps is not None and info.fps == header.fps == source.fps
    assert list(source.frames()) == []  # a recording holds no pictures
    played = list(source.play())
    assert [d.timestamp_ms for _, d in played] == [d.timestamp_ms for d in frames]
    assert all(p is None for p, _ in played)


def test_sampling_keeps_the_first_frame_of_every_slot():
    every = [d.timestamp_ms for _, d in open_source(SAMPLE).detections()]
    kept = [d.timestamp_ms for _, d in open_source(SAMPLE).detections(sample_fps=2.0)]
    assert 0 < len(kept) < len(every)
    # The first frame of every half-second slot that has frames, and no other.
    first_in_slot: dict[int, int] = {}
    for t in every:
        first_in_slot.setdefault(t * 2 // 1000, t)
    assert kept == sorted(first_in_slot.values())


def test_a_recording_without_a_rate_gets_one_from_its_frames(tmp_path: Path):
    path = tmp_path / "no-rate.jsonl"
    with recording.RecordingWriter(path, (640, 480), stretch="bridge") as out:
        for t in range(0, 2001, 100):
            out.write(Detection(t, (640, 480), None, 0))
    source = open_source(path)
    assert source.info.frames == 21 and source.info.duration_s == pytest.approx(2.0)
    assert source.fps == pytest.approx(10.5)  # frames over the last frame's time, as before


def test_a_video_is_probed_on_opening(tmp_path: Path):
    clip = tmp_path / "clip.mp4"
    with video.VideoWriter(clip, 20.0) as writer:
        for i in range(8):
            writer.write(np.full((90, 120, 3), 30 * i, np.uint8))
    source = open_source(clip)
    assert source.kind == "video"
    assert source.info == video.probe_video(clip)
    assert (source.info.width, source.info.height, source.info.frames) == (120, 90, 8)
    assert source.fps == pytest.approx(20.0)
    assert [t for _, t in source.frames()] == [t for _, t in video.video_frames(clip)]


def test_a_broken_video_is_refused_when_opened(tmp_path: Path):
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    with pytest.raises(InputError, match=r"fake.mp4: not a readable video"):
        open_source(fake)


def test_a_photo_is_refused_only_where_the_caller_says_so():
    with pytest.raises(InputError) as error:
        open_source(PHOTO, refuse_photo="use check")
    assert str(error.value) == f"{PHOTO}: is a photo; use check"
    assert open_source(PHOTO).kind == "video"  # FFmpeg opens a photo as a one-frame video
