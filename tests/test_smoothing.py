"""Smoothing: the One Euro filter's properties, then the pose smoother on recorded landmarks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from posecheck.body.landmarks import Pose
from posecheck.body.smoothing import (
    BETA_PER_PX,
    MIN_CUTOFF_HZ,
    PX_PER_M,
    OneEuroFilter,
    PoseSmoother,
)
from tests.helpers import recorded_pose

FPS = 30
SPEED_PX_S = 300.0
STEP_PX = SPEED_PX_S / FPS  # how far the fast move goes in one frame


def pose_filter() -> OneEuroFilter:
    """A filter with the pose smoother's pixel parameters."""
    return OneEuroFilter(MIN_CUTOFF_HZ, BETA_PER_PX)


def frame_ms(i: int) -> int:
    return round(i * 1000 / FPS)


def ramp_errors(f: OneEuroFilter, frames: int = 60) -> list[float]:
    """Error (target - output) per frame of a noise-free 300 px/s move from rest."""
    errors = []
    for i in range(frames):
        target = STEP_PX * i
        errors.append(target - float(f.update(np.array([target]), frame_ms(i))[0]))
    return errors


# --- OneEuroFilter -----------------------------------------------------------


def test_the_first_value_passes_through_and_a_constant_stays_constant():
    value = np.random.default_rng(0).uniform(0, 800, size=(33, 2))
    f = OneEuroFilter()
    first = f.update(value, 0)
    np.testing.assert_array_equal(first, value)
    first[0, 0] = -1.0  # the caller owns what it gets back
    for i in range(1, 30):
        np.testing.assert_array_equal(f.update(value, frame_ms(i)), value)


def test_any_shape_is_filtered_element_by_element():
    f = OneEuroFilter()
    f.update(np.zeros((2, 3, 4)), 0)
    out = f.update(np.ones((2, 3, 4)), 33)
    assert out.shape == (2, 3, 4)
    assert np.all(out == out.flat[0])
    assert 0.0 < out.flat[0] < 1.0


def test_jitter_around_a_still_point_is_reduced():
    rng = np.random.default_rng(1)
    raw = np.array([400.0, 300.0]) + rng.normal(0.0, 3.0, size=(300, 2))
    f = pose_filter()
    out = np.array([f.update(x, frame_ms(i)) for i, x in enumerate(raw)])
    # Skip the first second, where the filter still remembers the first sample.
    ratio = out[30:].std(axis=0) / raw[30:].std(axis=0)
    assert np.all(ratio < 0.5), ratio  # measured: about 0.3


def test_a_step_is_followed_within_five_frames():
    # With the pose parameters a 100 px jump leaves 46, 18, 7, 3.2, 1.5 px of error on
    # the five frames after it: the speed estimate needs a few frames to open
    # the cutoff. A plain 0.5 Hz low-pass (beta = 0) would still be 60 px off.
    f = pose_filter()
    for i in range(10):
        f.update(np.array([0.0]), frame_ms(i))
    out = [float(f.update(np.array([100.0]), frame_ms(i))[0]) for i in range(10, 15)]
    assert 100.0 - out[-1] < 2.0
    assert out == sorted(out)  # no overshoot: it only ever closes in


def test_a_fast_move_lags_by_about_one_frame():
    # At 300 px/s the cutoff rises to ~3.5 Hz. The worst error, while the
    # speed estimate catches up over the first frames, is 14.5 px (1.45 frames
    # of travel); after half a second it has settled near 8 px (0.8 frames).
    errors = ramp_errors(pose_filter())
    assert max(errors) < 2.0 * STEP_PX
    assert max(errors[15:]) < 1.0 * STEP_PX


def test_a_higher_beta_lags_less_on_a_ramp():
    lag = {beta: ramp_errors(OneEuroFilter(0.5, beta))[-1] for beta in (0.0, 0.01, 0.05)}
    assert lag[0.05] < lag[0.01] < lag[0.0]
    # Measured: 95 px behind without beta (still growing), 8 px at 0.01, 2.5 px at 0.05.
    assert lag[0.0] > 5 * lag[0.01]


@pytest.mark.parametrize("later_ms", [100, 99])
def test_a_timestamp_that_does_not_increase_is_refused(later_ms):
    f = OneEuroFilter()
    f.update(np.zeros(3), 100)
    with pytest.raises(ValueError) as err:
        f.update(np.zeros(3), later_ms)
    assert str(err.value) == (
        f"OneEuroFilter.update: timestamp_ms must increase (got {later_ms} after 100)"
    )


def test_a_value_of_another_shape_is_refused():
    f = OneEuroFilter()
    f.update(np.zeros((33, 2)), 0)
    with pytest.raises(ValueError) as err:
        f.update(np.zeros((33, 3)), 33)
    assert str(err.value) == "OneEuroFilter.update: value must have shape (33, 2) (got (33, 3))"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_cutoff_hz": 0.0}, "OneEuroFilter.min_cutoff_hz must be > 0 (got 0.0)"),
        ({"min_cutoff_hz": -1.0}, "OneEuroFilter.min_cutoff_hz must be > 0 (got -1.0)"),
        ({"min_cutoff_hz": math.nan}, "OneEuroFilter.min_cutoff_hz must be > 0 (got nan)"),
        ({"beta": -0.1}, "OneEuroFilter.beta must be >= 0 (got -0.1)"),
        ({"beta": math.inf}, "OneEuroFilter.beta must be >= 0 (got inf)"),
        ({"d_cutoff_hz": 0}, "OneEuroFilter.d_cutoff_hz must be > 0 (got 0)"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError) as err:
        OneEuroFilter(**kwargs)
    assert str(err.value) == message


def test_reset_makes_the_next_value_pass_through():
    f = OneEuroFilter()
    f.update(np.array([0.0]), 0)
    f.reset()
    # After a reset time may start again: a new stream, not a step back.
    np.testing.assert_array_equal(f.update(np.array([50.0]), 0), [50.0])


samples = st.lists(
    st.tuples(
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
        st.integers(min_value=1, max_value=2000),  # ms since the previous sample
    ),
    min_size=1,
    max_size=40,
)


@given(
    samples,
    st.floats(min_value=1e-3, max_value=100.0),
    st.floats(min_value=0.0, max_value=10.0),
    st.floats(min_value=1e-3, max_value=100.0),
)
def test_the_output_stays_within_the_inputs_seen(seq, min_cutoff_hz, beta, d_cutoff_hz):
    # Each output is a convex combination of the previous output and the new
    # input, so it can never leave the range of what came in.
    f = OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)
    t_ms = 0
    seen: list[float] = []
    for value, dt_ms in seq:
        t_ms += dt_ms
        seen.append(value)
        out = float(f.update(np.array([value]), t_ms)[0])
        assert math.isfinite(out)
        slack = 1e-9 * max(1.0, abs(min(seen)), abs(max(seen)))  # rounding only
        assert min(seen) - slack <= out <= max(seen) + slack


# --- PoseSmoother ------------------------------------------------------------


BASE = recorded_pose("Butt_Lift_Bridge/1.jpg")


def moved(
    shift_px: float = 0.0,
    shift_m: float = 0.0,
    rng: np.random.Generator | None = None,
    noise_px: float = 0.0,
    visibility: np.ndarray | None = None,
    image_wh: tuple[int, int] | None = None,
) -> Pose:
    """The recorded pose shifted right (and optionally jittered), as a new Pose."""
    xy = BASE.xy_px + np.array([shift_px, 0.0])
    world = BASE.world_xyz_m + np.array([shift_m, 0.0, 0.0])
    if rng is not None:
        xy = xy + rng.normal(0.0, noise_px, size=xy.shape)
        world = world + rng.normal(0.0, noise_px / PX_PER_M, size=world.shape)
    return Pose(
        xy_px=xy,
        z_px=BASE.z_px,
        world_xyz_m=world,
        visibility=BASE.visibility if visibility is None else visibility,
        presence=BASE.presence,
        image_wh=BASE.image_wh if image_wh is None else image_wh,
        timestamp_ms=12345,  # the smoother stamps the time it is given
    )


def test_no_person_passes_through_as_none():
    smoother = PoseSmoother()
    assert smoother.update(None, 0) is None
    assert smoother.update(moved(), 33) is not None
    assert smoother.update(None, 66) is None


def test_the_result_is_a_new_pose_with_the_new_timestamp():
    pose = moved()
    out = PoseSmoother().update(pose, 1000)
    assert isinstance(out, Pose)
    assert out is not pose
    assert out.timestamp_ms == 1000
    assert out.image_wh == pose.image_wh
    np.testing.assert_array_equal(out.xy_px, pose.xy_px)  # the first pose is unchanged
    np.testing.assert_array_equal(out.world_xyz_m, pose.world_xyz_m)


def test_visibility_and_presence_pass_through_unfiltered():
    smoother = PoseSmoother()
    rng = np.random.default_rng(2)
    for i in range(10):
        visibility = rng.uniform(0.0, 1.0, size=33)
        out = smoother.update(moved(visibility=visibility), frame_ms(i))
        assert out is not None
        np.testing.assert_array_equal(out.visibility, visibility)
        np.testing.assert_array_equal(out.presence, BASE.presence)


def test_jitter_of_a_still_person_is_reduced():
    smoother = PoseSmoother()
    rng = np.random.default_rng(3)
    raw, out = [], []
    for i in range(120):
        pose = moved(rng=rng, noise_px=3.0)
        smoothed = smoother.update(pose, frame_ms(i))
        assert smoothed is not None
        raw.append(pose)
        out.append(smoothed)
    for field in ("xy_px", "world_xyz_m"):
        raw_sd = np.std([getattr(p, field) for p in raw[30:]], axis=0).mean()
        out_sd = np.std([getattr(p, field) for p in out[30:]], axis=0).mean()
        assert out_sd < 0.5 * raw_sd, field


def test_world_landmarks_follow_the_same_movement_as_closely_as_pixels():
    # 300 px/s and 0.75 m/s are the same movement at PX_PER_M, so the world
    # filter's scaled beta should make both trail by the same number of frames.
    smoother = PoseSmoother()
    for i in range(30):
        out = smoother.update(moved(STEP_PX * i, STEP_PX * i / PX_PER_M), frame_ms(i))
    assert out is not None
    lag_px_frames = (BASE.xy_px[:, 0] + STEP_PX * 29 - out.xy_px[:, 0]) / STEP_PX
    lag_m_frames = (BASE.world_xyz_m[:, 0] + STEP_PX * 29 / PX_PER_M - out.world_xyz_m[:, 0]) / (
        STEP_PX / PX_PER_M
    )
    np.testing.assert_allclose(lag_m_frames, lag_px_frames, atol=0.05)
    assert np.all(lag_px_frames < 1.0)


def _still_then_gap(gap_ms: int) -> tuple[Pose, Pose | None]:
    """A still second at x, then no person for gap_ms, then the person 200 px right."""
    smoother = PoseSmoother(gap_ms=500)
    for i in range(30):
        smoother.update(moved(), frame_ms(i))
    last_ms = frame_ms(29)
    for t_ms in range(last_ms + 33, last_ms + gap_ms, 33):
        assert smoother.update(None, t_ms) is None
    after = moved(200.0)
    return after, smoother.update(after, last_ms + gap_ms)


def test_a_gap_longer_than_gap_ms_resets():
    after, out = _still_then_gap(501)
    assert out is not None
    np.testing.assert_array_equal(out.xy_px, after.xy_px)
    np.testing.assert_array_equal(out.world_xyz_m, after.world_xyz_m)


@pytest.mark.parametrize("gap_ms", [100, 500])
def test_a_short_gap_continues_smoothing(gap_ms):
    _, out = _still_then_gap(gap_ms)
    assert out is not None
    moved_px = out.xy_px[:, 0] - BASE.xy_px[:, 0]
    assert np.all((moved_px > 0.0) & (moved_px < 200.0))


def test_a_new_image_size_resets():
    smoother = PoseSmoother()
    smoother.update(moved(), 0)
    after = moved(200.0, image_wh=(1280, 720))
    out = smoother.update(after, 33)
    assert out is not None
    assert out.image_wh == (1280, 720)
    np.testing.assert_array_equal(out.xy_px, after.xy_px)


def test_a_pose_that_goes_back_in_time_is_refused():
    smoother = PoseSmoother()
    smoother.update(moved(), 100)
    with pytest.raises(ValueError, match=r"timestamp_ms must increase \(got 50 after 100\)"):
        smoother.update(moved(), 50)


def test_a_negative_gap_is_refused():
    with pytest.raises(ValueError) as err:
        PoseSmoother(gap_ms=-1)
    assert str(err.value) == "PoseSmoother.gap_ms must be >= 0 (got -1)"
