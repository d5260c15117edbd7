"""Judging one measured value: pass, borderline or fail against the check's limits,
with the measurement error of each check kind as the borderline band and
hysteresis so a value on an edge does not flicker."""

from __future__ import annotations

import math

from posecheck.body.geometry import View
from posecheck.catalog.reference import Check, CheckKind, Unit
from posecheck.form.results import CheckResult, Status, is_good

# The scale of "one tolerance" for ranges given as min/max only, per unit.
_NATURAL_SCALE = {Unit.DEG: 15.0, Unit.LEN: 0.15, Unit.RATIO: 0.15}


# The measurement error band of each check kind, in the kind's unit: how far
# a value moves when the same pose is photographed again (mirrored, scaled
# 0.7-1.3, rotated by 10 degrees, brightness 30% up or down, cropped). A value
# outside its limits by no more than this is BORDERLINE, not a fault.
#
# Measured by bench/error_bands.py on the 51 labelled photos in
# ../shared/data/fedb (459 model runs, 2026-12-01): for each check of each
# stretch whose gates the original photo passes, each re-photograph's distance
# from the median of its nine values. The band is the 75th percentile, by
# kind and camera view (a view with fewer than 50 values takes the kind's
# figure over all views, the None entry). Not the 90th: the spread is heavy-
# tailed (p90 is 2-3 times p75: side angles 9.1 against 3.1 degrees, knee over
# toe 0.19 against 0.097 shin lengths), and a band that wide would let a knee
# a fifth of a shin further past the toes count as "nearly there".
ERROR_BANDS: dict[CheckKind, dict[View | None, float]] = {
    CheckKind.ANGLE: {None: 3.6, View.SIDE: 3.1, View.FRONT: 7.5, View.OBLIQUE: 7.5},
    CheckKind.INCLINATION: {None: 7.2, View.SIDE: 7.1, View.OBLIQUE: 7.7},
    CheckKind.ALIGNMENT: {None: 0.095, View.SIDE: 0.097},
    CheckKind.HEIGHT: {None: 0.072, View.SIDE: 0.065},
    CheckKind.DISTANCE: {None: 0.082, View.SIDE: 0.068, View.FRONT: 0.13},
    CheckKind.SPACING: {None: 0.13, View.FRONT: 0.11},
}


def error_band(check: Check, view: View | None = None) -> float:
    """The measurement error of this check's value in this view (the kind's unit)."""
    bands = ERROR_BANDS[check.kind]
    return bands.get(view, bands[None])


# Hysteresis: once a check is passing or borderline, it fails only this far
# (a share of its error band) beyond the borderline band, so a value on that
# edge does not toggle from frame to frame. It only ever widens the good
# side: a value inside the limits is a pass whatever the last frame said.
HYSTERESIS = 0.25

# How a borderline cue begins: gentle, since it is not a fault.
NEARLY = "Nearly there: "


def _gentle(cue: str | None) -> str | None:
    if cue is None:
        return None
    return NEARLY + cue[0].lower() + cue[1:]


def tolerance_scale(check: Check) -> float:
    """One tolerance of the check: its own, or the natural one of its unit for a range
    given as a min or max only (15 degrees, 0.15 body lengths, a ratio of 0.15)."""
    return check.limits.tolerance or _NATURAL_SCALE[check.kind.unit]


def judge(
    check: Check,
    value: float | None,
    anchor_px: tuple[float, float] | None = None,
    previous: Status | None = None,
    band: float | None = None,
) -> CheckResult:
    """Pass, borderline or fail a measured value against the check's limits.

    ``band`` is the measurement error of the value (default: `error_band` of
    the kind): a value outside the limits by no more than that is borderline.
    ``previous`` is this check's status on the last frame of a stream; after a
    pass or borderline, the fail edge moves out by `HYSTERESIS` of the band.
    """
    if value is None:
        return CheckResult(check, None, Status.UNKNOWN, anchor_px=anchor_px)
    lim = check.limits
    scale = tolerance_scale(check)
    margin = error_band(check) if band is None else band
    over = value - lim.high if lim.high is not None else -math.inf
    under = lim.low - value if lim.low is not None else -math.inf
    outside = max(over, under)
    if outside <= 0.0:
        return CheckResult(check, value, Status.PASS, anchor_px=anchor_px)
    cue = check.cue_high if over >= under else check.cue_low
    excess = outside / scale
    fail_edge = margin
    if previous is not None and is_good(previous):
        fail_edge += HYSTERESIS * margin
    if outside <= fail_edge:
        return CheckResult(check, value, Status.BORDERLINE, _gentle(cue), excess, anchor_px)
    return CheckResult(check, value, Status.FAIL, cue, excess, anchor_px)
