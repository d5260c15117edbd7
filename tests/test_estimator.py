"""The real MediaPipe model on real photos, the model file checks, and person tracking."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from posecheck.body import geometry
from posecheck.body.geometry import Position, View
from posecheck.body.landmarks import Pose
from posecheck.errors import ModelError
from posecheck.io import estimator, video
from posecheck.io.estimator import PersonTracker, PoseEstimator
from tests.helpers import DATA, ROOT, needs_data, recorded


@pytest.fixture(scope="module")
def still_estimator():
    with PoseEstimator("image") as est:
        yield est


def detect(est: PoseEstimator, name: str):
    return est.detect(video.read_image(DATA / name))


# --- the model file -------------------------------------------------------


def test_vendored_model_is_the_official_bundle():
    path = ROOT / "models" / estimator.MODEL_NAME
    assert path.stat().st_size == estimator.MODEL_SIZE_BYTES
    assert estimator.verify_model(path) == path


def test_missing_model_names_the_path_and_the_fix(tmp_path):
    missing = tmp_path / "pose_landmarker_full.task"
    with pytest.raises(ModelError) as info:
        estimator.verify_model(missing)
    message = str(info.value)
    assert message.startswith(f"pose model not found at {missing}; restore it with")
    assert "\n" not in message


def test_model_with_one_byte_changed_is_reported_as_damaged(tmp_path):
    damaged = tmp_path / "pose_landmarker_full.task"
    shutil.copyfile(ROOT / "models" / estimator.MODEL_NAME, damaged)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"is damaged \(sha256 .* expected 4eaa5eb7a983\.\.\.\)"):
        estimator.verify_model(damaged)


def test_truncated_model_is_reported_by_size(tmp_path):
    short = tmp_path / "pose_landmarker_full.task"
    short.write_bytes(b"not a model")
    with pytest.raises(ModelError, match=r"is damaged \(11 bytes, expected 9398198\)"):
        estimator.verify_model(short)


def test_model_location_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv(estimator.MODEL_ENV, str(tmp_path / "elsewhere.task"))
    assert estimator.find_model() == tmp_path / "elsewhere.task"
    monkeypatch.delenv(estimator.MODEL_ENV)
    assert estimator.find_model().name == estimator.MODEL_NAME
    assert estimator.find_model().is_file()


# --- the real model on real photos ----------------------------------------


@needs_data
@pytest.mark.parametrize(
    ("name", "view", "position"),
    [
        ("Upward_Stretch/0.jpg", View.FRONT, Position.STANDING),
        ("Middle_Back_Stretch/1.jpg", View.BACK, Position.STANDING),
        ("Kneeling_Hip_Flexor/1.jpg", View.SIDE, Position.KNEELING),
        ("Butt_Lift_Bridge/1.jpg", View.SIDE, Position.SUPINE),
        ("Childs_Pose/0.jpg", View.SIDE, Position.KNEELING),
        ("Quadriceps-SMR/0.jpg", View.SIDE, Position.PRONE),
    ],
)
def test_real_photo_person_view_and_position(still_estimator, name, view, position):
    detection = detect(still_estimator, name)
    assert detection.pose is not None, f"{name}: the person in the photo was not found"
    assert detection.people == 1
    assert geometry.camera_view(detection.pose) == view
    assert geometry.body_position(detection.pose) == position


@needs_data
def test_bridge_knees_are_about_a_right_angle(still_estimator):
    detection = detect(still_estimator, "Butt_Lift_Bridge/1.jpg")
    assert detection.pose is not None
    angles = geometry.main_angles_deg(detection.pose)
    assert 70 <= angles["left_knee"] <= 110
    assert 70 <= angles["right_knee"] <= 110


@needs_data
def test_pixel_coordinates_respect_the_aspect_ratio(still_estimator):
    detection = detect(still_estimator, "Butt_Lift_Bridge/1.jpg")
    assert detection.image_wh == (850, 567)
    pose = detection.pose
    assert pose is not None
    x0, y0, x1, y1 = pose.bbox_px()
    # A person lying along the mat spans most of the width but little height.
    assert 0 <= x0 < x1 <= 850 and 0 <= y0 < y1 <= 567
    assert (x1 - x0) > 2 * (y1 - y0)


@needs_data
def test_recorded_fixture_matches_the_model(still_estimator):
    """The fast geometry tests read recorded landmarks; they must still be the model's."""
    for name in ("Butt_Lift_Bridge/1.jpg", "Kneeling_Hip_Flexor/0.jpg", "Cat_Stretch/0.jpg"):
        live = detect(still_estimator, name).pose
        assert live is not None
        stored = recorded()[name]["pose"]
        assert isinstance(stored, dict)
        diff = np.abs(live.xy_px - Pose.from_dict(stored).xy_px).max()
        assert diff < 2.0, f"{name}: landmarks moved {diff:.1f} px; rerun record_poses.py"


@needs_data
def test_blank_image_is_an_explicit_no_person(still_estimator):
    blank = np.full((480, 640, 3), 200, dtype=np.uint8)
    detection = still_estimator.detect(blank)
    assert detection.pose is None
    assert not detection.person_found
    assert detection.people == 0


# --- two people -----------------------------------------------------------


@needs_data
def test_two_person_photos_return_one_consistent_person(still_estimator):
    """A partner kneels beside a person lying on a mat. Both photos, and both
    read twice, give the same single person: the kneeling partner."""
    boxes = []
    for name in ["Lying_Bent_Leg_Groin/0.jpg", "Lying_Bent_Leg_Groin/1.jpg"] * 2:
        pose = detect(still_estimator, name).pose
        assert pose is not None
        assert geometry.body_position(pose) == Position.KNEELING
        boxes.append(pose.bbox_px())
    assert boxes[0] == pytest.approx(boxes[2])
    assert boxes[1] == pytest.approx(boxes[3])
    assert estimator._box_iou(boxes[0], boxes[1]) > 0.6


@needs_data
def test_video_mode_keeps_following_the_same_person():
    frames = [video.read_image(DATA / f"Lying_Bent_Leg_Groin/{i % 2}.jpg") for i in range(8)]
    with PoseEstimator("video") as est:
        poses = [est.detect(frame, 100 * (i + 1)).pose for i, frame in enumerate(frames)]
    assert all(p is not None for p in poses)
    first = poses[0]
    assert first is not None
    for pose in poses[1:]:
        assert pose is not None
        assert estimator._box_iou(pose.bbox_px(), first.bbox_px()) > 0.5


def test_video_mode_rejects_timestamps_that_do_not_increase():
    frame = np.zeros((120, 160, 3), dtype=np.uint8)
    with PoseEstimator("video") as est:
        est.detect(frame, 40)
        with pytest.raises(
            ValueError, match=r"strictly increasing timestamps \(got 40 ms after 40 ms\)"
        ):
            est.detect(frame, 40)


def test_detect_outside_with_block_is_a_clear_error():
    est = PoseEstimator("image")
    with pytest.raises(RuntimeError, match="inside a `with` block"):
        est.detect(np.zeros((10, 10, 3), dtype=np.uint8))


def test_frames_that_are_not_bgr_uint8_are_rejected():
    with PoseEstimator("image") as est, pytest.raises(ValueError, match=r"BGR uint8 \(H, W, 3\)"):
        est.detect(np.zeros((10, 10), dtype=np.uint8))


# --- the person tracker on recorded landmarks -----------------------------


def _shifted(pose: Pose, dx: float) -> Pose:
    return Pose(
        xy_px=pose.xy_px + np.array([dx, 0.0]),
        z_px=pose.z_px,
        world_xyz_m=pose.world_xyz_m,
        visibility=pose.visibility,
        presence=pose.presence,
        image_wh=(4000, pose.image_wh[1]),
        timestamp_ms=pose.timestamp_ms,
    )


def _scaled(pose: Pose, k: float) -> Pose:
    return Pose(
        xy_px=pose.xy_px * k,
        z_px=pose.z_px,
        world_xyz_m=pose.world_xyz_m,
        visibility=pose.visibility,
        presence=pose.presence,
        image_wh=pose.image_wh,
        timestamp_ms=pose.timestamp_ms,
    )


def test_tracker_starts_with_the_most_prominent_person_and_keeps_them():
    from tests.helpers import recorded_pose

    base = recorded_pose("Kneeling_Hip_Flexor/1.jpg")
    small = _scaled(base, 0.5)
    big = _shifted(base, 1500.0)
    tracker = PersonTracker()
    assert tracker.choose([small, big], 0) is big
    # The small person comes closer and is now the larger one: still follow `big`.
    bigger_small = _scaled(base, 1.2)
    assert tracker.choose([bigger_small, big], 40) is big


def test_tracker_reports_no_person_when_the_followed_one_leaves():
    from tests.helpers import recorded_pose

    base = recorded_pose("Kneeling_Hip_Flexor/1.jpg")
    other = _shifted(base, 2000.0)
    tracker = PersonTracker(lost_after_ms=1000)
    assert tracker.choose([base], 0) is base
    # Someone else walks in while the followed person is gone: not them.
    assert tracker.choose([other], 500) is None
    # After the followed person has been gone long enough, start afresh.
    assert tracker.choose([other], 1600) is other
    assert tracker.choose([], 1700) is None


def test_pose_round_trips_through_json():
    from tests.helpers import recorded_pose

    pose = recorded_pose("Butt_Lift_Bridge/1.jpg")
    again = Pose.from_dict(pose.to_dict())
    assert np.allclose(again.xy_px, pose.xy_px, atol=0.01)
    assert again.image_wh == pose.image_wh
    with pytest.raises(ValueError, match=r"Pose.xy_px must have shape \(33, 2\) \(got \(3, 2\)\)"):
        Pose(np.zeros((3, 2)), np.zeros(33), np.zeros((33, 3)), np.zeros(33), np.zeros(33), (1, 1))


def test_landmark_names_list_the_valid_ones():
    from posecheck.body.landmarks import PoseLandmark

    assert PoseLandmark.from_name("left_knee") is PoseLandmark.LEFT_KNEE
    with pytest.raises(
        ValueError, match=r"unknown landmark 'left_kneecap'; valid landmarks: nose, "
    ):
        PoseLandmark.from_name("left_kneecap")


# --- VIDEO mode: one tracked person, an occasional look at everyone -------


TWO_PEOPLE_PHOTO = ROOT / "samples" / "sports2d_two_people.jpg"


def test_video_mode_follows_the_most_prominent_of_two_and_counts_them_on_looks():
    frame = video.read_image(TWO_PEOPLE_PHOTO)
    with PoseEstimator("image") as still:
        chosen = still.detect(frame).pose
    assert chosen is not None
    with PoseEstimator("video", look_every_ms=1000) as est:
        found = [est.detect(np.roll(frame, i, axis=1), 100 * i) for i in range(25)]
        looks = est.looks
    assert all(d.pose is not None for d in found)
    # The same person as the still's choice (the woman, who fills more of the picture).
    for d in found:
        assert d.pose is not None
        assert estimator._box_iou(d.pose.bbox_px(), chosen.bbox_px()) > 0.5
    assert found[0].people == 2  # the first frame is a look
    # 2.4 s of stream: looks at 0, 1 and 2 s, plus any the tracker's changes asked for.
    assert 3 <= looks <= 8


@needs_data
def test_video_mode_looks_about_once_a_second_when_one_person_is_tracked():
    photo = video.read_image(DATA / "Butt_Lift_Bridge" / "1.jpg")
    with PoseEstimator("video") as est:
        found = [est.detect(np.roll(photo, 2 * i, axis=1), 33 * i) for i in range(90)]
        looks = est.looks
    assert sum(d.pose is not None for d in found) == 90
    assert all(d.people == 1 for d in found)
    assert 3 <= looks <= 5  # about 3 s of stream


@needs_data
def test_restart_forgets_the_stream():
    photo = video.read_image(DATA / "Butt_Lift_Bridge" / "1.jpg")
    with PoseEstimator("video") as est:
        first = [est.detect(photo, t).pose for t in (0, 33, 66)]
        est.restart()
        again = [est.detect(photo, t).pose for t in (0, 33, 66)]  # time starts over
    assert all(p is not None for p in first + again)
    for a, b in zip(first, again, strict=True):
        assert a is not None and b is not None
        assert np.array_equal(a.xy_px, b.xy_px)  # the same start, the same answers
