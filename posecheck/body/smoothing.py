"""Landmark smoothing: a One Euro filter, and a smoother for a stream of poses.

The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a first-order
low-pass filter whose cutoff rises with the signal's speed: a still joint is
smoothed hard, so the skeleton stops shaking, and a moving one lightly, so it
does not trail behind the body. Time is passed in with every value.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import FloatArray, Pose


def _alpha(cutoff_hz: FloatArray | float, dt_s: float) -> FloatArray:
    # The smoothing factor of an exponential filter with time constant
    # 1 / (2 pi cutoff) sampled every dt: 1 / (1 + tau / dt), written without
    # the division by a cutoff so a large cutoff tends to 1 cleanly.
    r = 2.0 * math.pi * np.asarray(cutoff_hz, dtype=np.float64) * dt_s
    return np.asarray(r / (1.0 + r), dtype=np.float64)


class OneEuroFilter:
    """Filters every element of an array of any shape independently.

    ``min_cutoff_hz`` is the cutoff when still (lower: less jitter, more lag);
    ``beta`` (per unit of the signal's speed, e.g. 1/px) raises the cutoff as
    the signal moves (higher: less lag when moving); ``d_cutoff_hz`` smooths
    the speed estimate itself.
    """

    def __init__(
        self, min_cutoff_hz: float = 1.0, beta: float = 0.05, d_cutoff_hz: float = 1.0
    ) -> None:
        for name, value, allow_zero in (
            ("min_cutoff_hz", min_cutoff_hz, False),
            ("beta", beta, True),
            ("d_cutoff_hz", d_cutoff_hz, False),
        ):
            ok = math.isfinite(value) and (value >= 0.0 if allow_zero else value > 0.0)
            if not ok:
                expected = ">= 0" if allow_zero else "> 0"
                raise ValueError(f"OneEuroFilter.{name} must be {expected} (got {value})")
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = float(beta)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self._value: FloatArray | None = None
        self._speed: FloatArray | None = None
        self._timestamp_ms = 0

    def reset(self) -> None:
        """Forget the past: the next value passes through unchanged."""
        self._value = None
        self._speed = None

    def update(self, value: npt.ArrayLike, timestamp_ms: int) -> FloatArray:
        """The filtered value at ``timestamp_ms`` (strictly after the previous one)."""
        x = np.array(value, dtype=np.float64)
        if self._value is None or self._speed is None:
            self._value, self._speed = x, np.zeros_like(x)
            self._timestamp_ms = timestamp_ms
            return x.copy()
        if x.shape != self._value.shape:
            raise ValueError(
                f"OneEuroFilter.update: value must have shape {self._value.shape} (got {x.shape})"
            )
        if timestamp_ms <= self._timestamp_ms:
            raise ValueError(
                f"OneEuroFilter.update: timestamp_ms must increase "
                f"(got {timestamp_ms} after {self._timestamp_ms})"
            )
        dt_s = (timestamp_ms - self._timestamp_ms) / 1000.0
        # The raw speed of one noisy sample is mostly noise; smoothing it before
        # it drives the cutoff keeps jitter from opening the filter up.
        raw_speed = (x - self._value) / dt_s
        speed = self._speed + _alpha(self.d_cutoff_hz, dt_s) * (raw_speed - self._speed)
        cutoff_hz = self.min_cutoff_hz + self.beta * np.abs(speed)
        # Stepping from the previous output towards the input (rather than
        # mixing the two) leaves a constant signal exactly constant.
        filtered = self._value + _alpha(cutoff_hz, dt_s) * (x - self._value)
        self._value, self._speed, self._timestamp_ms = filtered, speed, timestamp_ms
        return filtered.copy()


# Defaults for pixel landmarks at 30 fps, measured on a synthetic still pose
# with 3 px gaussian jitter (tests/test_smoothing.py repeats the measurement):
# a 0.5 Hz cutoff at rest cuts the jitter to about a third, and a beta of
# 0.01 per px lifts the cutoff to ~3.5 Hz at 300 px/s, where the smoothed
# point trails by under one frame. beta multiplies a speed in px/s (hundreds
# when a limb moves), so it has to be small: the jitter alone reads as ~20 px/s
# once smoothed, and a beta of 0.05 would let it nearly triple the resting
# cutoff (0.5 -> 1.4 Hz), leaving about half the jitter instead of a third.
MIN_CUTOFF_HZ = 0.5
BETA_PER_PX = 0.01
# World landmarks move in metres, not pixels: the same motion is ~400 times
# slower in m/s (a body in a webcam frame spans roughly 300-500 px per metre;
# the recorded photos' median is 420), so their beta is scaled up by that much
# to open the cutoff as much for the same movement.
PX_PER_M = 400.0
# A person missing for longer than this has likely moved; filtering from the
# old place would slide the skeleton across the frame instead of showing it.
GAP_MS = 500


class PoseSmoother:
    """Smooths a stream of poses; ``None`` (no person in the frame) passes through.

    Pixel landmarks, their depth and the world landmarks each have their own
    filter; visibility and presence are passed through unfiltered. After more
    than ``gap_ms`` without a pose, or when the image size changes, the next
    pose starts afresh (returned unchanged) rather than being blended with
    where the person was.
    """

    def __init__(
        self,
        min_cutoff_hz: float = MIN_CUTOFF_HZ,
        beta: float = BETA_PER_PX,
        gap_ms: int = GAP_MS,
    ) -> None:
        if gap_ms < 0:
            raise ValueError(f"PoseSmoother.gap_ms must be >= 0 (got {gap_ms})")
        self.gap_ms = gap_ms
        self._xy = OneEuroFilter(min_cutoff_hz, beta)
        self._z = OneEuroFilter(min_cutoff_hz, beta)
        self._world = OneEuroFilter(min_cutoff_hz, beta * PX_PER_M)
        self._last_ms: int | None = None
        self._last_wh: tuple[int, int] | None = None

    def reset(self) -> None:
        """Forget the past: the next pose is returned unchanged."""
        for f in (self._xy, self._z, self._world):
            f.reset()
        self._last_ms = None
        self._last_wh = None

    def update(self, pose: Pose | None, timestamp_ms: int) -> Pose | None:
        """The smoothed pose at ``timestamp_ms``, or None when no person was found."""
        if pose is None:
            return None
        if self._last_ms is not None and (
            timestamp_ms - self._last_ms > self.gap_ms or pose.image_wh != self._last_wh
        ):
            self.reset()
        smoothed = Pose(
            xy_px=self._xy.update(pose.xy_px, timestamp_ms),
            z_px=self._z.update(pose.z_px, timestamp_ms),
            world_xyz_m=self._world.update(pose.world_xyz_m, timestamp_ms),
            visibility=pose.visibility,
            presence=pose.presence,
            image_wh=pose.image_wh,
            timestamp_ms=timestamp_ms,
        )
        self._last_ms, self._last_wh = timestamp_ms, pose.image_wh
        return smoothed
