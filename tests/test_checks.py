"""The check engine: each kind on hand-made landmarks, roles, gates and the verdict."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from posecheck.body.geometry import Position, View
from posecheck.body.landmarks import NUM_LANDMARKS, Pose, PoseLandmark
from posecheck.catalog.reference import Check, CheckKind, Limits, Point, Prescription, Reference
from posecheck.form import checks
from posecheck.form.checks import Status, evaluate, judge, measure
from tests.helpers import recorded_pose

L = PoseLandmark


def make_pose(points: dict[PoseLandmark, tuple[float, float]], wh=(1000, 1000)) -> Pose:
    """All landmarks at the centre unless placed; everything seen."""
    xy = np.full((NUM_LANDMARKS, 2), 500.0)
    for lm, p in points.items():
        xy[lm] = p
    return Pose(
        xy_px=xy,
        z_px=np.zeros(NUM_LANDMARKS),
        world_xyz_m=np.zeros((NUM_LANDMARKS, 3)),
        visibility=np.ones(NUM_LANDMARKS),
        presence=np.ones(NUM_LANDMARKS),
        image_wh=wh,
    )


def pt(name: str) -> Point:
    if name == "nose":
        return Point(None, "nose")
    prefix, part = name.split("_", 1)
    return Point(prefix, part)


def make_check(kind: CheckKind, points: list[str], low=None, high=None, unit=None, **kw) -> Check:
    return Check(
        id="c",
        label="c",
        kind=kind,
        points=tuple(pt(p) for p in points),
        limits=Limits(low, high),
        priority=kw.pop("priority", 1),
        cue_high=kw.pop("cue_high", "too high"),
        cue_low=kw.pop("cue_low", "too low"),
        unit=None if unit is None else (pt(unit[0]), pt(unit[1])),
        **kw,
    )


# --- each kind on known geometry -------------------------------------------

# A left leg drawn at a right angle: hip above the knee, ankle ahead of it.
RIGHT_ANGLE_LEG = {
    L.LEFT_HIP: (400.0, 300.0),
    L.LEFT_KNEE: (400.0, 500.0),
    L.LEFT_ANKLE: (600.0, 500.0),
    L.LEFT_FOOT_INDEX: (650.0, 500.0),
}


def test_angle_kind_measures_the_vertex_angle():
    pose = make_pose(RIGHT_ANGLE_LEG)
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 105)
    value, anchor = measure(pose, check, {}, None)
    assert value == pytest.approx(90.0)
    assert anchor == (400.0, 500.0)
    assert judge(check, value).status == Status.PASS


def test_inclination_kind_from_vertical_and_horizontal():
    pose = make_pose(
        {L.LEFT_KNEE: (100.0, 100.0), L.LEFT_ANKLE: (200.0, 100.0 + 100 * math.sqrt(3))}
    )
    vertical = make_check(CheckKind.INCLINATION, ["left_knee", "left_ankle"], high=20)
    horizontal = make_check(
        CheckKind.INCLINATION, ["left_knee", "left_ankle"], high=20, reference="horizontal"
    )
    assert measure(pose, vertical, {}, None)[0] == pytest.approx(30.0)
    assert measure(pose, horizontal, {}, None)[0] == pytest.approx(60.0)
    result = judge(vertical, 30.0)
    assert result.status == Status.FAIL and result.cue == "too high"
    assert result.excess == pytest.approx(10.0 / 15.0)  # beyond the limit, in natural tolerances


def test_alignment_kind_follows_the_facing_direction():
    # Knee 50 px ahead of the toes (in +x), shin 200 px long: 0.25 shin lengths.
    pose = make_pose(
        {
            L.LEFT_KNEE: (700.0, 300.0),
            L.LEFT_ANKLE: (700.0, 500.0),
            L.LEFT_FOOT_INDEX: (650.0, 500.0),
        }
    )
    check = make_check(
        CheckKind.ALIGNMENT,
        ["left_knee", "left_foot_index"],
        high=0.2,
        unit=["left_knee", "left_ankle"],
    )
    assert measure(pose, check, {}, "right")[0] == pytest.approx(0.25)
    assert measure(pose, check, {}, "left")[0] == pytest.approx(-0.25)
    assert measure(pose, check, {}, None)[0] is None  # no direction, no judgement


def test_height_kind_is_positive_above():
    pose = make_pose(
        {
            L.LEFT_WRIST: (500.0, 100.0),
            L.NOSE: (500.0, 200.0),
            L.LEFT_HIP: (500.0, 600.0),
            L.LEFT_SHOULDER: (500.0, 400.0),
        }
    )
    check = make_check(
        CheckKind.HEIGHT, ["left_wrist", "nose"], low=0.0, unit=["left_hip", "left_shoulder"]
    )
    assert measure(pose, check, {}, None)[0] == pytest.approx(0.5)


def test_distance_and_spacing_kinds():
    pose = make_pose(
        {
            L.LEFT_KNEE: (300.0, 500.0),
            L.RIGHT_KNEE: (500.0, 500.0),
            L.LEFT_ANKLE: (350.0, 800.0),
            L.RIGHT_ANKLE: (450.0, 800.0),
        }
    )
    spacing = make_check(
        CheckKind.SPACING, ["left_knee", "right_knee", "left_ankle", "right_ankle"], 0.75, 1.25
    )
    assert measure(pose, spacing, {}, None)[0] == pytest.approx(2.0)
    result = judge(spacing, 2.0)
    assert result.status == Status.FAIL and result.cue == "too high"
    distance = make_check(
        CheckKind.DISTANCE,
        ["left_knee", "right_knee"],
        high=1.0,
        unit=["left_ankle", "right_ankle"],
    )
    assert measure(pose, distance, {}, None)[0] == pytest.approx(2.0)


def test_mid_points_average_the_sides_that_are_seen():
    pose = make_pose(
        {
            L.LEFT_HIP: (100.0, 100.0),
            L.RIGHT_HIP: (300.0, 100.0),
            L.LEFT_KNEE: (200.0, 300.0),
            L.RIGHT_KNEE: (200.0, 300.0),
        }
    )
    check = make_check(CheckKind.INCLINATION, ["mid_hip", "mid_knee"], high=20)
    assert measure(pose, check, {}, None)[0] == pytest.approx(0.0)
    vis = pose.visibility.copy()
    vis[L.RIGHT_HIP] = 0.1  # only the left hip is seen now
    hidden = Pose(pose.xy_px, pose.z_px, pose.world_xyz_m, vis, pose.presence, pose.image_wh)
    assert measure(hidden, check, {}, None)[0] == pytest.approx(math.degrees(math.atan2(100, 200)))


def _with_visibility(pose: Pose, **scores: float) -> Pose:
    vis = pose.visibility.copy()
    for name, score in scores.items():
        vis[L[name]] = score
    return Pose(pose.xy_px, pose.z_px, pose.world_xyz_m, vis, pose.presence, pose.image_wh)


def test_a_faintly_seen_foot_is_used_when_nothing_clearer_is():
    # The bridge's feet-flat case: the far ankle hides behind the near one and
    # scores 0.3-0.5; it is still where the model puts it.
    pose = make_pose({L.LEFT_ANKLE: (500.0, 800.0), L.RIGHT_ANKLE: (520.0, 800.0)})
    check = make_check(
        CheckKind.HEIGHT,
        ["left_ankle", "right_ankle"],
        -0.35,
        0.35,
        unit=["mid_knee", "mid_ankle"],
    )
    faint = _with_visibility(pose, RIGHT_ANKLE=0.4)
    assert measure(faint, check, {}, None)[0] == pytest.approx(0.0)
    unseen = _with_visibility(pose, RIGHT_ANKLE=checks.FAINT - 0.05)
    assert measure(unseen, check, {}, None) == (None, None)


def test_the_midpoints_of_one_check_stand_on_the_same_side():
    # Near leg clear; far knee faint and far ankle unseen: the angle is the near
    # leg's own, not the near hip and knee with a far, misplaced ankle.
    pose = make_pose(
        {
            L.RIGHT_HIP: (400.0, 300.0),
            L.RIGHT_KNEE: (400.0, 500.0),
            L.RIGHT_ANKLE: (600.0, 500.0),
            L.LEFT_HIP: (400.0, 300.0),
            L.LEFT_KNEE: (300.0, 450.0),
            L.LEFT_ANKLE: (100.0, 100.0),
        }
    )
    pose = _with_visibility(pose, LEFT_KNEE=0.4, LEFT_ANKLE=0.35)
    check = make_check(CheckKind.ANGLE, ["mid_hip", "mid_knee", "mid_ankle"], 75, 105)
    assert measure(pose, check, {}, None)[0] == pytest.approx(90.0)
    # With only faint landmarks on both sides, the side seen better is used alone.
    both_faint = _with_visibility(
        pose, RIGHT_KNEE=0.45, RIGHT_ANKLE=0.4, LEFT_KNEE=0.35, LEFT_ANKLE=0.31
    )
    assert measure(both_faint, check, {}, None)[0] == pytest.approx(90.0)


def test_an_oblique_view_measures_angles_on_world_landmarks():
    # The picture shows a foreshortened 45 degrees; the world points bend at 90.
    pose = make_pose(RIGHT_ANGLE_LEG)
    world = np.zeros((NUM_LANDMARKS, 3))
    world[L.LEFT_HIP] = (0.0, -0.4, 0.0)
    world[L.LEFT_KNEE] = (0.0, 0.0, 0.0)
    world[L.LEFT_ANKLE] = (0.0, 0.0, -0.4)
    pose = Pose(pose.xy_px, pose.z_px, world, pose.visibility, pose.presence, pose.image_wh)
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 105)
    assert measure(pose, check, {}, None, world=True)[0] == pytest.approx(90.0)
    assert checks._uses_world(check, View.OBLIQUE)
    assert not checks._uses_world(check, View.SIDE)


def test_views_a_check_can_be_judged_from():
    assert checks.view_matches(View.SIDE, (View.SIDE,))
    assert checks.view_matches(View.OBLIQUE, (View.SIDE,))
    assert checks.view_matches(View.OBLIQUE, (View.FRONT,))
    assert checks.view_matches(View.BACK, (View.FRONT,))
    assert checks.view_matches(View.FRONT, (View.BACK,))
    assert not checks.view_matches(View.FRONT, (View.SIDE,))
    assert not checks.view_matches(View.SIDE, (View.FRONT,))
    assert not checks.view_matches(None, (View.SIDE,))


def test_an_aligned_pose_with_a_borderline_check_gets_the_gentle_cue():
    pose = make_pose(RIGHT_ANGLE_LEG)  # the knee at 90
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], high=88.0)
    ref = Reference(
        id="t",
        name="t",
        source="t",
        description="t",
        positions=tuple(Position),
        views=tuple(View),
        prescription=Prescription(30, 1, "none", False),
        checks=(check,),
    )
    verdict = evaluate(pose, ref)
    assert verdict.results[0].status == Status.BORDERLINE
    assert verdict.aligned
    assert verdict.cue == "Nearly there: too high"
    assert 80 <= verdict.score < 100  # 2 degrees out of a 15-degree scale costs 13


def test_a_point_not_seen_makes_the_check_unknown():
    pose = make_pose(RIGHT_ANGLE_LEG)
    vis = pose.visibility.copy()
    vis[L.LEFT_KNEE] = 0.2
    hidden = Pose(pose.xy_px, pose.z_px, pose.world_xyz_m, vis, pose.presence, pose.image_wh)
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 105)
    value, _ = measure(hidden, check, {}, None)
    assert value is None
    assert judge(check, value).status == Status.UNKNOWN


def test_roles_resolve_to_the_assigned_side():
    pose = make_pose(RIGHT_ANGLE_LEG)
    check = make_check(CheckKind.ANGLE, ["front_hip", "front_knee", "front_ankle"], 75, 105)
    assert measure(pose, check, {"front": "left"}, None)[0] == pytest.approx(90.0)


def test_target_text_reads_like_a_person_would_write_it():
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"])
    with_target = Check(**{**check.__dict__, "limits": Limits(75, 105, 90, 15)})
    assert checks.target_text(with_target) == "90 ± 15°"
    assert (
        checks.target_text(make_check(CheckKind.ANGLE, ["a_b", "c_d", "e_f"], high=115)) == "≤ 115°"
    )
    assert (
        checks.target_text(make_check(CheckKind.ALIGNMENT, ["a_b", "c_d"], low=0.1)) == "≥ 0.1 len"
    )


# --- roles on real recorded landmarks ---------------------------------------


def swapped(pose: Pose) -> Pose:
    """The same body with MediaPipe's left and right labels exchanged."""
    order = list(range(NUM_LANDMARKS))
    for lm in PoseLandmark:
        if lm.name.startswith("LEFT_"):
            twin = PoseLandmark["RIGHT_" + lm.name[5:]]
            order[lm], order[twin] = twin, lm
    return Pose(
        pose.xy_px[order],
        pose.z_px[order],
        pose.world_xyz_m[order],
        pose.visibility[order],
        pose.presence[order],
        pose.image_wh,
        pose.timestamp_ms,
    )


KNEEL_REF = Reference(
    id="kneel-test",
    name="kneel test",
    source="test",
    description="test",
    positions=(Position.KNEELING,),
    views=(View.SIDE,),
    prescription=Prescription(30, 1, "each", False),
    roles=("front", "back"),
    checks=(
        make_check(
            CheckKind.HEIGHT,
            ["back_knee", "front_ankle"],
            high=0.35,
            unit=["front_knee", "front_ankle"],
        ),
        make_check(
            CheckKind.ALIGNMENT,
            ["front_knee", "front_foot_index"],
            high=0.2,
            unit=["front_knee", "front_ankle"],
        ),
    ),
)


@pytest.mark.parametrize("name", ["Kneeling_Hip_Flexor/0.jpg", "Kneeling_Hip_Flexor/1.jpg"])
def test_role_assignment_is_stable_when_left_and_right_are_swapped(name):
    pose = recorded_pose(name)
    a = evaluate(pose, KNEEL_REF)
    b = evaluate(swapped(pose), KNEEL_REF)
    assert a.aligned and b.aligned
    # The model's labels flip, so the assigned label flips with them...
    assert b.roles == {"front": a.roles["back"], "back": a.roles["front"]}
    # ...while the measurements and the true side do not move.
    assert [r.value for r in a.results] == pytest.approx([r.value for r in b.results])
    assert a.side == b.side


def test_role_hysteresis_keeps_the_previous_assignment_on_a_near_tie():
    pose = recorded_pose("Kneeling_Hip_Flexor/1.jpg")
    best = evaluate(pose, KNEEL_REF).roles
    other = {"front": best["back"], "back": best["front"]}
    # A large margin keeps even a worse assignment; a small one lets the best win.
    kept = checks.assign_roles(pose, KNEEL_REF, KNEEL_REF.checks, "right", other, margin=100.0)
    assert kept == other
    assert (
        checks.assign_roles(pose, KNEEL_REF, KNEEL_REF.checks, "right", other, margin=0.0) == best
    )


# --- gates and the verdict ---------------------------------------------------


def test_no_person_is_a_verdict_with_guidance():
    verdict = evaluate(None, KNEEL_REF)
    assert not verdict.person and not verdict.aligned and verdict.score == 0
    assert verdict.cue == checks.NO_PERSON_CUE
    assert all(r.status == Status.UNKNOWN for r in verdict.results)


def test_a_position_misread_for_the_named_one_lets_the_shape_checks_judge():
    # Soft gate: prone is what a kneeling fold often reads as, so a prone pose
    # is judged by the kneeling stretch's own checks rather than stopped.
    verdict = evaluate(recorded_pose("Quadriceps-SMR/0.jpg"), KNEEL_REF)
    assert verdict.position == Position.PRONE and verdict.gates_passed
    assert all(r.status != Status.UNKNOWN for r in verdict.results)


def test_a_position_the_stretch_cannot_take_is_still_a_gate():
    # Lying on the back is not a misreading of kneeling: the gate cue stands.
    verdict = evaluate(recorded_pose("Butt_Lift_Bridge/1.jpg"), KNEEL_REF)
    assert verdict.position == Position.SUPINE
    assert not verdict.aligned and verdict.score == 0
    assert [g.id for g in verdict.gates if not g.passed] == ["position"]
    assert verdict.cue == checks.POSITION_CUES[Position.KNEELING]


def test_standing_up_for_a_floor_stretch_is_the_position_cue():
    pose = recorded_pose("Bodyweight_Squat/0.jpg")  # standing, facing the camera
    ref = replace(KNEEL_REF, views=(View.FRONT,))
    verdict = evaluate(pose, ref)
    assert not verdict.aligned and verdict.score == 0
    assert [g.id for g in verdict.gates if not g.passed] == ["position"]
    assert verdict.cue == checks.POSITION_CUES[Position.KNEELING]
    assert all(r.status == Status.UNKNOWN for r in verdict.results)


def test_wrong_view_gate_asks_to_turn():
    verdict = evaluate(recorded_pose("Bodyweight_Squat/0.jpg"), KNEEL_REF)  # standing, facing us
    assert next(g.id for g in verdict.gates if not g.passed) == "view"
    assert verdict.cue == "Turn side-on to the camera"


def test_points_out_of_the_picture_give_a_move_back_cue():
    pose = make_pose({**RIGHT_ANGLE_LEG, L.LEFT_ANKLE: (600.0, 1200.0)})
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 105)
    ref = Reference(
        id="t",
        name="t",
        source="t",
        description="t",
        positions=tuple(Position),
        views=tuple(View),
        prescription=Prescription(30, 1, "none", False),
        checks=(check,),
    )
    verdict = evaluate(pose, ref)
    gate = next(g for g in verdict.gates if g.id == "in-frame")
    assert not gate.passed
    assert verdict.cue == "Move back: your feet are out of the picture"


def test_the_top_cue_follows_priority_then_size():
    pose = make_pose(RIGHT_ANGLE_LEG)
    low_priority = make_check(
        CheckKind.ANGLE,
        ["left_hip", "left_knee", "left_ankle"],
        high=45,
        priority=3,
        cue_high="third",
    )
    high_priority = make_check(
        CheckKind.ANGLE,
        ["left_hip", "left_knee", "left_ankle"],
        high=70,
        priority=1,
        cue_high="first",
    )
    ref = Reference(
        id="t",
        name="t",
        source="t",
        description="t",
        positions=tuple(Position),
        views=tuple(View),
        prescription=Prescription(30, 1, "none", False),
        checks=(low_priority, high_priority),
    )
    verdict = evaluate(pose, ref)
    assert verdict.gates_passed
    assert verdict.cue == "first"
    assert not verdict.aligned
    assert 0 <= verdict.score < 100


def test_a_value_just_outside_the_limit_is_borderline_and_gently_cued():
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], high=100.0)
    band = checks.error_band(check)
    assert judge(check, 100.0).status == Status.PASS
    near = judge(check, 100.0 + 0.5 * band)
    assert near.status == Status.BORDERLINE
    assert near.cue == "Nearly there: too high"
    assert judge(check, 100.0 + band + 0.01).status == Status.FAIL


def test_hysteresis_never_makes_a_value_inside_the_limit_fail():
    # The bug it replaces: 0.772 against <= 0.8 counted as a fail after a fail.
    check = make_check(
        CheckKind.DISTANCE, ["mid_hip", "mid_ankle"], high=0.8, unit=["mid_knee", "mid_ankle"]
    )
    for previous in (None, Status.PASS, Status.BORDERLINE, Status.FAIL, Status.UNKNOWN):
        assert judge(check, 0.772, previous=previous).status == Status.PASS
        assert judge(check, 0.8, previous=previous).status == Status.PASS


def test_hysteresis_only_widens_the_good_side():
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], high=100.0)
    band = checks.error_band(check)
    edge = 100.0 + band * (1 + checks.HYSTERESIS / 2)  # past the band, inside the hysteresis
    assert judge(check, edge).status == Status.FAIL
    assert judge(check, edge, previous=Status.PASS).status == Status.BORDERLINE
    assert judge(check, edge, previous=Status.BORDERLINE).status == Status.BORDERLINE
    assert judge(check, edge, previous=Status.FAIL).status == Status.FAIL
    far = 100.0 + band * (1 + 2 * checks.HYSTERESIS)
    assert judge(check, far, previous=Status.PASS).status == Status.FAIL


@pytest.mark.parametrize("previous_status", [Status.PASS, Status.FAIL])
def test_the_form_score_stays_within_0_and_100(previous_status):
    pose = make_pose(RIGHT_ANGLE_LEG)
    check = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 89.5)
    ref = Reference(
        id="t",
        name="t",
        source="t",
        description="t",
        positions=tuple(Position),
        views=tuple(View),
        prescription=Prescription(30, 1, "none", False),
        checks=(check,),
    )
    first = evaluate(pose, ref)
    forced = replace(
        first, results=tuple(replace(r, status=previous_status) for r in first.results)
    )
    again = evaluate(pose, ref, previous=forced)
    for verdict in (first, again):
        assert 0 <= verdict.score <= 100
        assert verdict.aligned  # 90 against <= 89.5 is within the error band


def test_an_advice_check_is_shown_but_never_blocks():
    pose = make_pose(RIGHT_ANGLE_LEG)
    shape = make_check(CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], 75, 105)
    tip = replace(
        make_check(
            CheckKind.ANGLE, ["left_hip", "left_knee", "left_ankle"], high=40, cue_high="Bend more"
        ),
        id="tip",
        advice=True,
    )
    ref = Reference(
        id="t",
        name="t",
        source="t",
        description="t",
        positions=tuple(Position),
        views=tuple(View),
        prescription=Prescription(30, 1, "none", False),
        checks=(shape, tip),
    )
    verdict = evaluate(pose, ref)
    assert {r.check.id: r.status for r in verdict.results} == {"c": Status.PASS, "tip": Status.FAIL}
    assert verdict.aligned and verdict.score == 100
    assert verdict.cue == "Tip: bend more"
    only_advice = replace(ref, checks=(tip,))
    assert not evaluate(pose, only_advice).aligned  # nothing to hold on


def test_evaluate_with_the_previous_verdict_keeps_the_roles():
    pose = recorded_pose("Kneeling_Hip_Flexor/1.jpg")
    first = evaluate(pose, KNEEL_REF)
    again = evaluate(swapped(pose), KNEEL_REF, previous=first)
    # The labels flipped; with the previous roles as a tie-break the fit still decides.
    assert again.roles == {"front": first.roles["back"], "back": first.roles["front"]}
