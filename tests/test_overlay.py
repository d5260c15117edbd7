"""Drawing: checked joints take their verdict's colour; the cue sits in a banner."""

from __future__ import annotations

import numpy as np

from posecheck import overlay
from posecheck.checks import Status, evaluate
from posecheck.reference import load_references
from tests.conftest import recorded_pose


def _pixel(frame: np.ndarray, xy: tuple[float, float]) -> tuple[int, int, int]:
    x, y = round(xy[0]), round(xy[1])
    b, g, r = frame[y, x]
    return int(b), int(g), int(r)


def test_checked_joints_are_green_for_pass_and_red_for_fail():
    pose = recorded_pose("Butt_Lift_Bridge/0.jpg")  # hips down: hips-lifted fails
    verdict = evaluate(pose, load_references()["bridge"])
    by_id = {r.check.id: r for r in verdict.results}
    assert by_id["hips-lifted"].status == Status.FAIL
    assert by_id["knees-90"].status == Status.PASS
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    style = overlay.DEFAULT_STYLE
    out = overlay.draw_verdict(canvas, pose, verdict, style)
    assert by_id["hips-lifted"].anchor_px is not None and by_id["knees-90"].anchor_px is not None
    assert _pixel(out, by_id["hips-lifted"].anchor_px) == style.failed
    assert _pixel(out, by_id["knees-90"].anchor_px) == style.passed
    # The input frame is not drawn on.
    assert (canvas == 128).all()


def test_the_cue_banner_darkens_the_bottom_band_only():
    frame = np.full((480, 640, 3), 255, np.uint8)
    out = overlay.draw_banner(frame, "Lift your hips")
    assert out[-5:, :40].mean() < 150  # darkened band, left of the centred text
    assert (out[:200] == 255).all()
