"""Text in a real font (°, ±, accents), sized to be read from across a room; a palette
colour-blind eyes tell apart, and failing bones that differ by shape too."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck import resources
from posecheck.body.landmarks import PoseLandmark as L
from posecheck.catalog.reference import load_references
from posecheck.coaching.session import CoachState, Phase
from posecheck.draw import overlay, panel, skeleton, style
from posecheck.draw import text as fonts
from posecheck.form.checks import Status, evaluate
from tests.helpers import recorded_pose


def _ink(text: str, size: int = 40) -> np.ndarray:
    return fonts.rendered(text, size, 0).ink[..., 0]


def test_degrees_plus_minus_and_accents_are_drawn_as_themselves():
    # Each symbol has ink of its own, unlike the "?" a font without it would give.
    for symbol in ("°", "±", "≤", "é", "ß", "Ж"):
        ink = _ink(symbol)
        assert ink.max() > 0.9, symbol
        assert not np.array_equal(ink, _ink("?")), symbol
    # An accent adds ink above the letter.
    assert _ink("é").shape[0] > _ink("e").shape[0]
    # The degree sign is a small ring high up: its ink stays above the digits' middle.
    line = fonts.rendered("0°", 40, 0)
    width_0 = fonts.line_size("0", 40)[0]
    ring_rows = np.nonzero(line.ink[:, width_0 - line.left :, 0].max(axis=1) > 0.5)[0]
    assert ring_rows.size and ring_rows.max() < line.ink.shape[0] / 2


def _state(cue: str) -> CoachState:
    return CoachState(
        phase=Phase.SETUP,
        rep=1,
        reps_total=2,
        side=None,
        held_s=0.0,
        target_s=20.0,
        confirm_progress=0.0,
        phase_text="Get into position",
        cue=cue,
    )


def _ink_rows(frame: np.ndarray, top: int) -> int:
    """How many rows below ``top`` hold bright (white) ink."""
    bright = (frame[top:].min(axis=2) > 200).any(axis=1)
    rows = np.nonzero(bright)[0]
    return int(rows.max() - rows.min() + 1) if rows.size else 0


@pytest.mark.parametrize("size_wh", [(640, 480), (1280, 720), (1920, 1080), (720, 1280)])
def test_the_cue_is_at_least_4_percent_of_the_frame_height(size_wh):
    w, h = size_wh
    frame = np.zeros((h, w, 3), np.uint8)
    panel.draw_banner(frame, "Keep your back flat", style.DEFAULT_STYLE)
    # Top of the tallest letter to the foot of the "y": the cue's text height.
    assert _ink_rows(frame, h // 2) >= 0.04 * h


def test_text_scale_enlarges_the_cue():
    frame = np.zeros((720, 1280, 3), np.uint8)
    big = frame.copy()
    panel.draw_banner(frame, "Keep your back flat", style.DEFAULT_STYLE)
    panel.draw_banner(big, "Keep your back flat", style.styled(text_scale=1.5))
    assert _ink_rows(big, 360) >= 1.4 * _ink_rows(frame, 360)


def _deuteranope(bgr: tuple[int, int, int]) -> np.ndarray:
    """How a deuteranope sees an sRGB colour (Machado, Oliveira and Fernandes 2009,
    severity 1), in linear RGB."""
    rgb = np.array(bgr[::-1], float) / 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    matrix = np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    )
    return np.clip(matrix @ linear, 0.0, 1.0)


def _seen_apart(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(np.linalg.norm(_deuteranope(a) - _deuteranope(b)))


def test_the_default_palette_keeps_pass_and_fail_apart_for_deuteranopes():
    safe = style.DEFAULT_STYLE
    classic = style.styled("classic")
    # Green and red, as a deuteranope sees them, come out far closer than blue
    # and orange: the reason the default changed.
    assert _seen_apart(safe.passed, safe.failed) > 2.5 * _seen_apart(classic.passed, classic.failed)
    assert _seen_apart(safe.passed, safe.amber) > 0.3
    assert _seen_apart(safe.amber, safe.failed) > 0.3
    with pytest.raises(ValueError, match="unknown palette"):
        style.styled("rainbow")


def _along(frame: np.ndarray, a: np.ndarray, b: np.ndarray, colour) -> list[bool]:
    """Whether each of 60 points along the middle 80% of a bone has ``colour``."""
    hits = []
    for t in np.linspace(0.1, 0.9, 60):
        x, y = np.round(a + (b - a) * t).astype(int)
        hits.append(bool((frame[y, x] == np.array(colour, np.uint8)).all()))
    return hits


def test_a_failing_bone_is_dashed_and_a_passing_one_solid():
    pose = recorded_pose("Butt_Lift_Bridge/0.jpg")  # hips down: hips-lifted fails
    verdict = evaluate(pose, load_references()["bridge"])
    status = skeleton.bone_status(verdict)
    failing = next(b for b, s in status.items() if s == Status.FAIL)
    passing = next(b for b, s in status.items() if s == Status.PASS)
    canvas = np.full((pose.image_wh[1], pose.image_wh[0], 3), 128, np.uint8)
    out = canvas.copy()
    skeleton.draw_skeleton(out, pose, verdict)
    st = style.DEFAULT_STYLE
    dashed = _along(out, pose.xy_px[failing[0]], pose.xy_px[failing[1]], st.failed)
    solid = _along(out, pose.xy_px[passing[0]], pose.xy_px[passing[1]], st.passed)
    assert 0.3 < sum(dashed) / len(dashed) < 0.8, "a failing bone shows gaps"
    assert sum(solid) / len(solid) > 0.9, "a passing bone has none"
    assert L.LEFT_HIP in {*failing, *passing} or L.RIGHT_HIP in {*failing, *passing}


def test_a_headline_goes_big_in_the_middle():
    frame = np.zeros((480, 640, 3), np.uint8)
    out = overlay.compose(frame, None, None, _state(""), headline="3")
    middle = out[120:360, 220:420]
    assert _ink_rows(middle, 0) >= 0.2 * 480
    assert (out[200:280, :100] == 0).all(), "nothing drawn far from the centre"


def test_the_key_legend_sits_in_the_bottom_right_corner_above_the_cue():
    frame = np.zeros((480, 640, 3), np.uint8)
    panel.draw_key_legend(frame, [("q", "quit"), ("f", "full screen")])
    bright = np.nonzero(frame.min(axis=2) > 200)
    assert bright[1].min() > 640 / 2 and bright[0].min() > 480 / 2
    assert bright[0].max() < 480 - 0.05 * 480


def test_a_style_keeps_its_numbers_when_only_the_palette_changes():
    assert (
        replace(
            style.styled("classic"),
            passed=style.DEFAULT_STYLE.passed,
            amber=style.DEFAULT_STYLE.amber,
            failed=style.DEFAULT_STYLE.failed,
        )
        == style.DEFAULT_STYLE
    )


def test_the_font_ships_with_its_licence():
    found = resources.find("fonts", fonts.FONT_FILE)
    assert found.is_file()
    licence = found.with_name("LICENSE").read_text()
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
