"""Drawing: checked joints take their verdict's colour and a shape for their status;
the cue sits in a banner; one composition serves photos, live and score."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import cv2
import numpy as np
import pytest

from posecheck.body.landmarks import Pose
from posecheck.body.landmarks import PoseLandmark as L
from posecheck.catalog.reference import load_references
from posecheck.coaching.session import CoachState, Phase
from posecheck.draw import marks, overlay, panel, skeleton
from posecheck.draw import text as fonts
from posecheck.draw.style import EM_PX
from posecheck.form.checks import Status, Verdict, evaluate
from posecheck.io import video
from tests.helpers import recorded_pose


def _pixel(frame: np.ndarray, xy: tuple[float, float]) -> tuple[int, int, int]:
    x, y = round(xy[0]), round(xy[1])
    b, g, r = frame[y, x]
    return int(b), int(g), int(r)


def _near(frame: np.ndarray, xy: tuple[float, float], r: float) -> np.ndarray:
    x, y = round(xy[0]), round(xy[1])
    return frame[max(0, round(y - r)) : round(y + r) + 1, max(0, round(x - r)) : round(x + r) + 1]


def _has(region: np.ndarray, colour) -> bool:
    return bool((region == np.array(colour, np.uint8)).all(axis=2).any())


def test_a_photo_shows_each_checks_status_at_its_joint_and_the_cue_below():
    pose = recorded_pose("Butt_Lift_Bridge/0.jpg")  # hips down: hips-lifted fails
    verdict = evaluate(pose, load_references()["bridge"])
    by_id = {r.check.id: r for r in verdict.results}
    assert by_id["hips-lifted"].status == Status.FAIL
    assert by_id["heels-drawn-in"].status == Status.PASS
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    style = overlay.DEFAULT_STYLE
    # Two angles (arcs at their vertex) and a height (a mark at its anchor).
    shown = replace(
        verdict, results=(by_id["hips-lifted"], by_id["heels-drawn-in"], by_id["head-down"])
    )
    out = overlay.compose(canvas, pose, shown, caption=["bridge: not aligned"], style=style)
    k = style.scale_for(canvas)
    hips, knee, head = (by_id[c].anchor_px for c in ("hips-lifted", "heels-drawn-in", "head-down"))
    assert hips is not None and knee is not None and head is not None
    arc_r = (style.arc_radius_px + style.arc_px) * k
    hips_arc, knee_arc = _near(out, hips, arc_r), _near(out, knee, arc_r)
    assert _has(hips_arc, style.failed) and not _has(hips_arc, style.passed)
    assert _has(knee_arc, style.passed) and not _has(knee_arc, style.failed)
    # Inside the disc, which covers the joint dots under it: a tick on green.
    mark = _near(out, head, 0.6 * style.dot_radius_px * k)
    assert _has(mark, style.passed) and _has(mark, style.mark_ink)
    assert (out[-5:, :40] < 128).all()  # the verdict's cue banner
    assert (out[:30, :60] > 200).any()  # the caption, white text at the top left
    assert (canvas == 128).all()  # the input frame is not drawn on


def _marks(status: Status, style: overlay.Style) -> np.ndarray:
    out = np.full((40, 40, 3), 128, np.uint8)
    marks.draw_status_mark(out, (20.0, 20.0), 9, status, style)
    return out


def test_pass_borderline_and_fail_differ_by_shape_as_well_as_colour():
    style = overlay.DEFAULT_STYLE
    drawn = {s: _marks(s, style) for s in Status}
    for status, colour in (
        (Status.PASS, style.passed),
        (Status.BORDERLINE, style.amber),
        (Status.FAIL, style.failed),
    ):
        assert _has(drawn[status], colour)
    # The ink inside each disc (a tick, a tilde, a cross): each shape differs
    # from the others in many pixels, so the marks tell apart without colour.
    ink = {
        s: (drawn[s] == np.array(style.mark_ink, np.uint8)).all(axis=2)
        for s in (Status.PASS, Status.BORDERLINE, Status.FAIL)
    }
    for a, b in combinations(ink, 2):
        assert ink[a].sum() > 10 and ink[b].sum() > 10
        assert (ink[a] ^ ink[b]).sum() > 0.5 * min(ink[a].sum(), ink[b].sum()), (a, b)
    # Can't tell is a hollow ring: its middle is the picture behind it.
    assert (drawn[Status.UNKNOWN][20, 20] == 128).all()
    assert _has(drawn[Status.UNKNOWN], style.unknown)


def test_a_borderline_check_is_drawn_amber_not_as_unknown():
    pose, verdict = _bridge()
    knee = next(r for r in verdict.results if r.check.id == "heels-drawn-in")
    shown = replace(verdict, results=(replace(knee, status=Status.BORDERLINE),))
    style = overlay.DEFAULT_STYLE
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    out = overlay.compose(canvas, pose, shown, style=style)
    assert knee.anchor_px is not None
    assert _has(_near(out, knee.anchor_px, style.arc_radius_px + style.arc_px), style.amber)
    assert _pixel(out, _between(pose, L.LEFT_KNEE, L.LEFT_ANKLE)) == style.amber


def test_compose_takes_a_coaching_state_or_a_caption_not_both():
    frame = np.full((480, 640, 3), 255, np.uint8)
    with pytest.raises(ValueError, match="not both"):
        overlay.compose(frame, None, None, _state(), caption=["a caption"])


def test_the_cue_banner_darkens_the_bottom_band_only():
    frame = np.full((480, 640, 3), 255, np.uint8)
    panel.draw_banner(frame, "Lift your hips")
    assert frame[-5:, :40].mean() < 150  # darkened band, left of the centred text
    assert (frame[:200] == 255).all()


# --- the live-coaching overlay ---------------------------------------------------------

BRIDGE_PHOTO = "Butt_Lift_Bridge/0.jpg"  # hips down: hips-lifted fails, heels-drawn-in passes


def _state(phase=Phase.HOLDING, held=12.0, target=30.0, side="left", cue="Lift your hips", **kw):
    text = {Phase.SETUP: "Get into position", Phase.CONFIRMING: "Hold still, checking alignment"}
    return CoachState(
        phase=phase,
        phase_text=text.get(phase, f"Hold {held:.0f} / {target:.0f} s"),
        held_s=held,
        target_s=target,
        rep=2,
        reps_total=4,
        side=side,
        cue=cue,
        **kw,
    )


def _scaled(pose: Pose, size: tuple[int, int]) -> Pose:
    """The same pose on a frame of another size."""
    data = pose.to_dict()
    sx, sy = size[0] / pose.image_wh[0], size[1] / pose.image_wh[1]
    data["xy_px"] = [[x * sx, y * sy] for x, y in data["xy_px"]]
    data["image_wh"] = list(size)
    return Pose.from_dict(data)


def _bridge() -> tuple[Pose, Verdict]:
    pose = recorded_pose(BRIDGE_PHOTO)
    return pose, evaluate(pose, load_references()["bridge"])


def _mix(roi: np.ndarray, colour, share) -> None:
    """A colour blended into the region by a share per pixel, in single precision."""
    mixed = roi * (np.float32(1) - share) + np.array(colour, np.float32) * share
    roi[:] = mixed.astype(np.uint8)


def _outlined_text(out, text, org, scale, style):
    """White text in the bundled font with a dark outline outline_px wide under it."""
    size = round(scale * EM_PX * style.text_scale)
    fonts.draw_line(
        out,
        text,
        org,
        style.text,
        size,
        outline=style.text_shadow,
        outline_px=round(style.outline_px),
    )


def _expected_ring(canvas: np.ndarray, held: float, target: float, style: overlay.Style):
    """The hold ring rebuilt step by step from the Style numbers (base size, k = 1)."""
    out = canvas.copy()
    plate_r = style.ring_radius_px + style.ring_px // 2 + style.line_gap_px
    cx, cy = canvas.shape[1] - style.margin_px - plate_r, style.margin_px + plate_r
    # The translucent plate: a smooth-edged disc blended over the picture.
    x0, y0 = cx - plate_r - 1, cy - plate_r - 1
    roi = out[y0 : cy + plate_r + 2, x0 : cx + plate_r + 2]
    mask = np.zeros(roi.shape[:2], np.uint8)
    cv2.ellipse(mask, (cx - x0, cy - y0), (plate_r, plate_r), 0.0, 0.0, 360.0, 255, -1, cv2.LINE_AA)
    _mix(roi, style.plate, mask[..., None] * np.float32(style.plate_alpha / 255))
    r = style.ring_radius_px
    cv2.circle(out, (cx, cy), r, style.ring_track, style.ring_px, cv2.LINE_AA)
    end = -90.0 + 360.0 * held / target
    cv2.ellipse(out, (cx, cy), (r, r), 0.0, -90.0, end, style.passed, style.ring_px, cv2.LINE_AA)
    number, caption = f"{held:.0f}", f"/ {target:.0f} s"
    nw, nh, _ = fonts.line_size(number, round(style.ring_font_scale * EM_PX))
    cw, ch, _ = fonts.line_size(caption, round(style.ring_caption_font_scale * EM_PX))
    gap = 2 * style.line_gap_px
    top = cy - (nh + gap + ch) // 2
    for text, scale, org in (
        (number, style.ring_font_scale, (cx - nw // 2, top + nh)),
        (caption, style.ring_caption_font_scale, (cx - cw // 2, top + nh + gap + ch)),
    ):
        _outlined_text(out, text, org, scale, style)
    return out


def test_the_hold_ring_is_drawn_exactly_as_the_style_describes():
    style = overlay.DEFAULT_STYLE
    canvas = overlay.blank_canvas((640, 480), style)
    out = canvas.copy()
    panel.draw_hold_ring(out, 5.0, 20.0, style=style)
    assert np.array_equal(out, _expected_ring(canvas, 5.0, 20.0, style))


def _ring_pixels(out: np.ndarray, colour) -> int:
    corner = out[:120, -120:]
    return int((corner == np.array(colour, np.uint8)).all(axis=2).sum())


def _ring(held: float, target: float, paused: bool = False) -> np.ndarray:
    out = overlay.blank_canvas((640, 480))
    panel.draw_hold_ring(out, held, target, paused)
    return out


def test_the_ring_fills_with_the_time_held_green_while_holding_amber_while_paused():
    style = overlay.DEFAULT_STYLE
    quarter = _ring_pixels(_ring(5.0, 20.0), style.passed)
    three_quarters = _ring_pixels(_ring(15.0, 20.0), style.passed)
    assert quarter > 0
    assert 2.5 < three_quarters / quarter < 3.5
    paused = _ring(15.0, 20.0, paused=True)
    assert _ring_pixels(paused, style.passed) == 0
    # Same arc, other colour (anti-aliased edge pixels may differ by a few).
    assert abs(_ring_pixels(paused, style.amber) - three_quarters) < 0.01 * three_quarters
    assert _ring_pixels(_ring(0.0, 20.0), style.passed) == 0


def _between(pose: Pose, a: L, b: L) -> tuple[float, float]:
    x, y = (pose.xy_px[a] + pose.xy_px[b]) / 2.0
    return float(x), float(y)


def test_a_failing_check_turns_its_bones_red_and_a_passing_one_green():
    pose, verdict = _bridge()
    by_id = {r.check.id: r.status for r in verdict.results}
    assert by_id["hips-lifted"] == Status.FAIL and by_id["heels-drawn-in"] == Status.PASS
    style = overlay.DEFAULT_STYLE
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    out = canvas.copy()
    skeleton.draw_skeleton(out, pose, verdict, style)
    # The torso is in hips-lifted (failing) and hips-in-line (passing): one
    # failure is enough to make it red.
    assert _pixel(out, _between(pose, L.LEFT_SHOULDER, L.LEFT_HIP)) == style.failed
    assert _pixel(out, _between(pose, L.LEFT_KNEE, L.LEFT_ANKLE)) == style.passed
    assert _pixel(out, _between(pose, L.LEFT_SHOULDER, L.LEFT_ELBOW)) == style.bone
    status = skeleton.bone_status(verdict)
    assert status[(L.LEFT_SHOULDER, L.LEFT_HIP)] == Status.FAIL
    assert status[(L.RIGHT_KNEE, L.RIGHT_ANKLE)] == Status.PASS
    # Both hips make up the one midpoint "mid_hip": the line between them is not checked.
    assert (L.LEFT_HIP, L.RIGHT_HIP) not in status


def test_a_check_with_an_unknown_result_leaves_its_bones_plain():
    _, verdict = _bridge()
    unknown = tuple(replace(r, status=Status.UNKNOWN) for r in verdict.results)
    assert set(skeleton.bone_status(replace(verdict, results=unknown)).values()) == {Status.UNKNOWN}


def test_a_bone_is_borderline_when_no_check_on_it_fails_or_is_unknown_and_one_is_borderline():
    _, verdict = _bridge()
    by_id = {r.check.id: r for r in verdict.results}
    # The torso is in hips-lifted and hips-in-line.
    torso = (L.LEFT_SHOULDER, L.LEFT_HIP)
    both = (by_id["hips-lifted"], by_id["hips-in-line"])

    def torso_status(first: Status, second: Status) -> Status:
        results = (replace(both[0], status=first), replace(both[1], status=second))
        return skeleton.bone_status(replace(verdict, results=results))[torso]

    assert torso_status(Status.PASS, Status.BORDERLINE) == Status.BORDERLINE
    assert torso_status(Status.PASS, Status.PASS) == Status.PASS
    assert torso_status(Status.BORDERLINE, Status.FAIL) == Status.FAIL
    assert torso_status(Status.BORDERLINE, Status.UNKNOWN) == Status.UNKNOWN


def test_labels_give_value_and_target_with_their_real_symbols():
    _, verdict = _bridge()
    by_id = {r.check.id: r for r in verdict.results}
    assert marks.check_label(replace(by_id["heels-drawn-in"], value=96.2)) == "96° / ≤ 100°"
    assert marks.check_label(by_id["hips-in-line"]) == "147° / ≥ 140°"
    # Lengths and ratios get two decimals and their unit.
    assert marks.check_label(replace(by_id["head-down"], value=0.238)) == "0.24 / ≥ 0 len"
    assert marks.check_label(replace(by_id["head-down"], value=None)) == "? / ≥ 0 len"


def test_angle_checks_get_an_arc_in_their_status_colour():
    pose, verdict = _bridge()
    style = overlay.DEFAULT_STYLE
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    out = canvas.copy()
    marks.draw_check_marks(out, pose, verdict, style)
    knee = {r.check.id: r for r in verdict.results}["heels-drawn-in"].anchor_px
    x, y = round(knee[0]), round(knee[1])
    r = style.arc_radius_px * style.scale_for(canvas) + style.arc_px
    near_knee = out[round(y - r) : round(y + r), round(x - r) : round(x + r)]
    assert (near_knee == np.array(style.passed, np.uint8)).all(axis=2).any()
    assert not (near_knee == np.array(style.failed, np.uint8)).all(axis=2).any()


@pytest.mark.parametrize("background", [0, 255])
def test_the_phase_text_reads_on_bright_and_dark_backgrounds(background):
    frame = np.full((480, 640, 3), background, np.uint8)
    panel.draw_phase(frame, _state(Phase.SETUP))
    region = frame[:60, 160:480].max(axis=2)
    assert (region > 230).any(), "no bright fill"
    assert (region < 30).any(), "no dark outline"


def test_the_confirm_bar_fills_with_progress_only_while_confirming():
    style = overlay.DEFAULT_STYLE
    frame = np.full((480, 640, 3), 255, np.uint8)

    def green(state: CoachState) -> int:
        out = frame.copy()
        panel.draw_phase(out, state, style)
        top = out[:80]
        return int((top == np.array(style.passed, np.uint8)).all(axis=2).sum())

    half = green(_state(Phase.CONFIRMING, confirm_progress=0.5))
    full = green(_state(Phase.CONFIRMING, confirm_progress=1.0))
    assert half > 0 and abs(full / half - 2.0) < 0.1
    assert green(_state(Phase.CONFIRMING, confirm_progress=0.0)) == 0
    assert green(_state(Phase.HOLDING, confirm_progress=0.5)) == 0


def test_the_counters_name_the_rep_and_the_side_when_there_is_one():
    assert panel.counter_lines(_state()) == ["Rep 2 of 4", "Left side"]
    assert panel.counter_lines(_state(side=None)) == ["Rep 2 of 4"]


def test_a_long_cue_wraps_inside_the_frame():
    frame = np.full((480, 640, 3), 255, np.uint8)
    short, long = frame.copy(), frame.copy()
    panel.draw_banner(short, "Lift your hips")
    panel.draw_banner(
        long, "I can't see your foot index clearly: check the light and the camera angle"
    )
    band_top = int(np.argmax(long[:, 0, 0] < 255))
    assert band_top < int(np.argmax(short[:, 0, 0] < 255))  # two lines: a taller band
    band = long[band_top:]
    edge = band[:, -5:]
    assert (edge == edge[0, 0]).all(), "text runs off the right edge"


def test_compose_leaves_its_input_alone_and_draws_the_panel_without_a_person():
    frame = np.full((480, 640, 3), 255, np.uint8)
    out = overlay.compose(frame, None, None, _state(Phase.SETUP, cue="Step into view"))
    assert (frame == 255).all()
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert (out[:40, :40] < 255).any()  # counters
    assert (out[:40, 280:360] < 255).any()  # phase line
    assert (out[-10:] < 255).all()  # cue banner
    assert (out[60:120, -100:] == 255).all()  # no hold ring before the hold


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
def test_compose_draws_everything_inside_the_frame_at_common_sizes(size):
    pose, _ = _bridge()
    pose = _scaled(pose, size)
    verdict = evaluate(pose, load_references()["bridge"])
    frame = np.full((size[1], size[0], 3), 255, np.uint8)
    before = frame.copy()
    out = overlay.compose(frame, pose, verdict, _state(Phase.PAUSED, held=7.0))
    assert np.array_equal(frame, before)
    assert out.shape == frame.shape
    k = overlay.DEFAULT_STYLE.scale_for(frame)
    ring = out[: round(120 * k), -round(120 * k) :]
    assert (ring == np.array(overlay.DEFAULT_STYLE.amber, np.uint8)).all(axis=2).any()
    # The top corners keep a margin: nothing is cut off at the frame's edge.
    assert (out[:, -3:][: size[1] // 2] == 255).all()
    assert (out[:, :3][: size[1] // 2] == 255).all()


def test_mirror_flips_left_to_right_into_a_new_frame():
    frame = np.zeros((4, 6, 3), np.uint8)
    frame[:, 0] = 200
    flipped = video.mirror(frame)
    assert (flipped[:, -1] == 200).all() and (flipped[:, 0] == 0).all()
    flipped[:] = 7
    assert frame[0, 0, 0] == 200


def test_blank_canvas_is_a_dark_frame_of_the_given_size():
    canvas = overlay.blank_canvas((320, 240))
    assert canvas.shape == (240, 320, 3) and canvas.dtype == np.uint8
    assert (canvas == np.array(overlay.DEFAULT_STYLE.canvas, np.uint8)).all()
    assert canvas.max() < 80
    with pytest.raises(ValueError, match="positive"):
        overlay.blank_canvas((0, 240))
