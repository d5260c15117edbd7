"""Estimation on its own thread: a file keeps every frame in order and the same poses as
one step after another; a camera's newest frame wins; errors and endings come through;
and the live loop's sinks write and show what they are given."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.catalog.reference import load_references
from posecheck.coaching.coach import Coach
from posecheck.errors import InputError
from posecheck.io import pipeline, recording, video
from posecheck.io.estimator import PoseEstimator
from posecheck.run import live
from tests.helpers import DATA, ROOT, needs_data


def _frames(count: int) -> list[tuple[np.ndarray, int]]:
    """A real bridge photo, shifted a little each frame, 100 ms apart."""
    photo = video.read_image(DATA / "Butt_Lift_Bridge/1.jpg")
    return [(np.roll(photo, 3 * i, axis=1), 100 * i) for i in range(count)]


def _pipeline_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("posecheck-")]


@needs_data
def test_a_file_gives_every_frame_in_order_with_the_poses_of_one_step_after_another():
    frames = _frames(12)
    with PoseEstimator("video") as estimator:
        expected = [estimator.detect(frame, ts) for frame, ts in frames]
    got = list(pipeline.in_order(iter(frames)))
    assert [d.timestamp_ms for _, d in got] == [ts for _, ts in frames]
    for (picture, detection), (frame, _), alone in zip(got, frames, expected, strict=True):
        assert picture is frame
        assert detection.pose is not None and alone.pose is not None
        assert np.array_equal(detection.pose.xy_px, alone.pose.xy_px)
    assert not _pipeline_threads()


@needs_data
def test_a_camera_gives_the_newest_frame_and_drops_the_ones_the_model_had_no_time_for():
    frames = _frames(40)  # handed over at once: far faster than the model (or its loading)
    got = [d.timestamp_ms for _, d in pipeline.newest_first(iter(frames))]
    assert got == sorted(set(got)), "strictly in time order"
    assert got[-1] == frames[-1][1], "the newest frame is never dropped"
    assert len(got) < len(frames), "frames the model had no time for are dropped"
    assert not _pipeline_threads()


@needs_data
def test_a_mirrored_camera_frame_is_mirrored_before_estimation():
    frames = _frames(1)
    ((picture, detection),) = list(pipeline.newest_first(iter(frames), mirror=True))
    assert np.array_equal(picture, video.mirror(frames[0][0]))
    plain = next(pipeline.in_order(iter(frames)))[1]
    assert detection.pose is not None and plain.pose is not None
    width = frames[0][0].shape[1]
    nose_x = detection.pose.xy_px[0][0]
    assert abs(nose_x - (width - 1 - plain.pose.xy_px[0][0])) < 0.05 * width


def _failing(after: int) -> Iterator[tuple[np.ndarray, int]]:
    for i in range(after):
        yield np.zeros((120, 160, 3), np.uint8), 40 * i
    raise InputError("camera 0 stopped sending pictures; check it is still connected")


@pytest.mark.parametrize("play", [pipeline.newest_first, pipeline.in_order])
def test_a_source_error_comes_out_of_the_loop_and_the_threads_end(play):
    with pytest.raises(InputError, match="stopped sending pictures"):
        for _ in play(_failing(3)):
            pass
    assert not _pipeline_threads()


@pytest.mark.parametrize("play", [pipeline.newest_first, pipeline.in_order])
def test_closing_the_loop_early_ends_the_threads_and_closes_the_source(play):
    closed = threading.Event()

    def endless() -> Iterator[tuple[np.ndarray, int]]:
        try:
            i = 0
            while True:
                yield np.zeros((120, 160, 3), np.uint8), 40 * i
                i += 1
        finally:
            closed.set()

    pairs = play(endless())
    next(pairs)
    pairs.close()
    assert closed.is_set()
    assert not _pipeline_threads()


def test_the_newest_item_wins_and_the_ending_waits_its_turn():
    box: pipeline.Newest[int] = pipeline.Newest()
    stop = threading.Event()
    box.put(1)
    box.put(2)
    box.put(pipeline._Ended())
    assert box.take(stop) == 2 and box.dropped == 1
    assert isinstance(box.take(stop), pipeline._Ended)


SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"


def test_a_camera_video_is_written_in_real_time_whatever_rate_the_frames_come_at(tmp_path: Path):
    coach = Coach(load_references()["bridge"])
    results = [coach.step(d) for d in list(recording.read_detections(SAMPLE))[:3]]
    canvas = np.zeros((120, 160, 3), np.uint8)
    out = tmp_path / "camera.mp4"
    # Frames 0.5 s apart then 10 ms apart, at 10 fps: 0 s, 0.5 s (5 frames on), 0.51 s (none).
    times = [0, 500, 510]
    with video.VideoWriter(out, 10.0) as writer:
        sink = live.VideoSink(writer, 10.0)
        for result, t in zip(results, times, strict=True):
            timed = replace(result, detection=replace(result.detection, timestamp_ms=t))
            assert sink.show(canvas, timed)
    assert video.probe_video(out).frames == 6  # 1 + 5: the gap filled, the early frame left out
