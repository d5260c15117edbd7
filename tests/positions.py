"""The good position of each stretch as a stick figure (`tests/figures.py`):
one builder per position, its numbers the ones that tell a good pose from a
faulty one, the good values as defaults. `tests/bodies.py` names them per
stretch, with their faults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from posecheck.body.landmarks import PoseLandmark
from tests.figures import (
    FORWARD,
    LEFT,
    LIMBS,
    UP,
    Arm,
    Figure,
    Leg,
    Vec,
    aim,
    arm_toward,
    arms_both,
    both,
    hanging_arm,
    hip_at,
    leg_toward,
    place,
    rotate,
    unit,
)

# --- the positions ------------------------------------------------------------
#
# Each builder takes the numbers that tell a good pose from a faulty one, with
# the good values as defaults; a fault is the same builder with other numbers.
# Lying bodies lie with the head toward -forward (face up) or +forward (face
# down), so "forward" runs toward the feet of a body lying on its back.


def half_kneel(
    *,
    front_thigh: float = 0.0,
    front_shin: float = -90.0,
    back_thigh: float = -70.0,
    torso: float = 90.0,
    arm_up: bool = False,
) -> Figure:
    """Kneeling on the right (back) knee, the left (front) foot planted; elevations
    in degrees. ``front_shin`` -90 is a vertical shin; -60 sets the foot 30
    degrees ahead (the knee behind the ankle), -120 leans the knee 30 degrees
    past the ankle."""
    shin = aim(front_shin) if front_shin >= -90 else aim(-180 - front_shin, 180)
    front_leg = Leg(aim(front_thigh), shin, aim(0))
    back_leg = Leg(aim(back_thigh, 180), aim(-5, 180), aim(-10, 180))
    arms = arms_both(hanging_arm())
    if arm_up:
        arms = {"left": hanging_arm(), "right": Arm(aim(80), aim(85))}
    return Figure(torso=aim(torso), legs=both("left", front_leg, back_leg), arms=arms)


def ninety_ninety_hip_flexor(**kw: float) -> Figure:
    args: dict[str, float] = {"back_thigh": -88.0}
    args.update(kw)
    return half_kneel(arm_up=True, **args)


def side_bend(*, bend: float = 20.0, kneel: bool = True) -> Figure:
    """The 90-90 kneel seen from the front, the trunk bent ``bend`` degrees to the
    front leg's side; ``kneel`` False lifts the back knee off the floor."""
    fig = half_kneel(back_thigh=-88.0, arm_up=True)
    if not kneel:
        fig = fig.with_leg("right", thigh=aim(-20, 180), shin=aim(-85, 180))
    return replace(fig, torso=aim(90 - bend, 90))


def low_lunge(
    *, front_shin: float = -90.0, back_thigh: float = -45.0, front_thigh: float = 15.0
) -> Figure:
    return half_kneel(
        front_thigh=front_thigh, front_shin=front_shin, back_thigh=back_thigh, torso=85.0
    )


def assisted_kneel(*, back_knee: float = 35.0, foot_up: bool = True) -> Figure:
    """Half-kneeling, the back shin up a couch: ``back_knee`` is the back knee's
    inside angle (180 straight); ``foot_up`` False lays the back shin on the floor."""
    fig = half_kneel(back_thigh=-75.0, torso=85.0)
    if not foot_up:
        return fig
    # The shin turns from the thigh's line, behind and up.
    elevation = -75.0 + (180.0 - back_knee)
    shin = aim(180.0 - elevation, 0) if elevation > 90 else aim(elevation, 180)
    return fig.with_leg("right", shin=shin, foot=aim(-20, 180))


def lunge_stretch(*, back_thigh: float = -50.0, front_reach: float = 0.0) -> Figure:
    """Kneeling lunge, leaning forward; ``front_reach`` below 0 draws the front foot
    back toward the kneeling knee (degrees the front shin tips back)."""
    return half_kneel(
        back_thigh=back_thigh, front_thigh=10.0, front_shin=-75.0 - front_reach, torso=75.0
    )


def runners_lunge(*, front_shin: float = -85.0, back_knee: float = 170.0) -> Figure:
    """Deep lunge on the back toes, hands down by the front foot."""
    back_thigh = aim(-35, 180)
    back_shin = aim(-35 + (180.0 - back_knee), 180)
    front_leg = Leg(aim(-5), aim(front_shin), aim(0))
    back_leg = Leg(back_thigh, back_shin, aim(-70, 180))
    torso = aim(35)
    return Figure(
        torso=torso,
        face=aim(-20),
        legs=both("left", front_leg, back_leg),
        arms=arms_both(Arm(aim(-85), aim(-85))),
    )


def kneeling_fold(
    *, hips_up: float = 0.0, wide: bool = False, reach: bool = False, torso: float = -10.0
) -> Figure:
    """Kneeling fold (child's pose): ``hips_up`` lifts the seat off the heels by
    steepening the thighs (degrees); ``wide`` spreads the knees; ``reach``
    stretches the arms forward along the floor."""
    spread = 35.0 if wide else 0.0
    shin, foot = aim(-3, 180), aim(-10, 180)
    fold = {
        "left": Leg(aim(-17 - hips_up, spread), shin, foot),
        "right": Leg(aim(-17 - hips_up, -spread), shin, foot),
    }
    arm = Arm(aim(-5), aim(-5)) if reach else Arm(aim(-20, 180), aim(-10, 180))
    return Figure(torso=aim(torso), face=aim(-80), legs=fold, arms=arms_both(arm))


def wide_child_pose(*, hips_up: float = 35.0, reach: bool = True, torso: float = -20.0) -> Figure:
    return kneeling_fold(hips_up=hips_up, wide=True, reach=reach, torso=torso)


def supine(
    *,
    left: Leg | None = None,
    right: Leg | None = None,
    arms: Mapping[str, Arm] | None = None,
    torso: Vec | None = None,
    neck: Vec | None = None,
) -> Figure:
    """Lying on the back, the head toward -forward, legs long unless given."""
    long_leg = Leg(aim(0), aim(0), aim(80))
    return Figure(
        torso=aim(0, 180) if torso is None else torso,
        face=aim(90),
        neck=neck,
        legs={"left": left or long_leg, "right": right or long_leg},
        arms=arms if arms is not None else arms_both(Arm(aim(-5), aim(0))),
    )


def knees_up_leg(spread: float = 0.0) -> Leg:
    """A leg of a body on its back with the knee bent and the foot flat on the floor."""
    return Leg(aim(50, spread), aim(-58, spread), aim(10, spread))


def knee_drops(*, drop: float = 70.0, toward: str = "left", bent: bool = True) -> Figure:
    """On the back, knees bent and feet wide, both knees dropped ``drop`` degrees
    toward ``toward``'s side; ``bent`` False lies flat."""
    if not bent:
        return supine()
    turn = drop if toward == "left" else -drop
    dropped = {}
    for side in ("left", "right"):
        base = knees_up_leg(12.0 if side == "left" else -12.0)
        axis = base.thigh * LIMBS.thigh + base.shin * LIMBS.shin  # hip to foot
        dropped[side] = Leg(
            rotate(base.thigh, axis, turn), rotate(base.shin, axis, turn), base.foot
        )
    return supine(left=dropped["left"], right=dropped["right"])


def bridge(*, lift: float = 25.0, knee_spread: float = 0.0) -> Figure:
    """On the back, the hips lifted ``lift`` degrees (torso slope); feet flat, the
    heels drawn in; ``knee_spread`` lets the knees fall out (degrees)."""
    torso = aim(-lift, 180)
    thigh_elevation = max(lift - 5.0, 0.0)

    def leg(side: str) -> Leg:
        s = 1.0 if side == "left" else -1.0
        return Leg(aim(thigh_elevation, s * knee_spread), aim(-70, 180), aim(0))

    return supine(
        left=leg("left"),
        right=leg("right"),
        torso=torso,
        neck=aim(5, 180),
        arms=arms_both(Arm(aim(-20), aim(-5))),
    )


def knee_to_chest(*, hug: float = 125.0, other_bent: bool = False) -> Figure:
    """On the back, the left hip flexed ``hug`` degrees (knee toward the chest),
    the right leg long (or bent, foot flat)."""
    working = Leg(aim(180 - hug, 180) if hug > 90 else aim(hug), aim(-40), aim(60))
    resting = knees_up_leg() if other_bent else None
    return supine(left=working, right=resting, arms=arms_both(Arm(aim(40), aim(30))))


def figure_four_legs(*, crossed: bool = True, draw_in: float = 80.0) -> dict[str, Leg]:
    """The right leg supports (knee bent, thigh drawn in ``draw_in`` degrees), the
    left ankle rests across the right knee."""
    resting = Leg(aim(draw_in), aim(0 if draw_in <= 90 else -20), aim(80))
    knee = hip_at("right") + unit(resting.thigh) * LIMBS.thigh
    if crossed:
        working = leg_toward(
            "left",
            knee + np.array([0.0, 0.12, 0.38]),
            knee + np.array([0.0, 0.0, 0.02]),
            aim(0, -90),
        )
    else:
        working = Leg(aim(draw_in, 10), resting.shin, resting.foot)
    return {"left": working, "right": resting}


def supine_legs(legs: Mapping[str, Leg]) -> Figure:
    return supine(left=legs["left"], right=legs["right"])


def supine_figure_4(*, crossed: bool = True) -> Figure:
    return supine_legs(figure_four_legs(crossed=crossed))


def figure_4_twist(*, lower: float = 70.0, crossed: bool = True) -> Figure:
    """The figure 4 legs lowered ``lower`` degrees toward the supporting (right) leg's side."""
    points = place(supine_legs(figure_four_legs(crossed=crossed)))
    legs = {}
    for side in ("left", "right"):
        up = side.upper()
        knee, ankle = (
            rotate(points[PoseLandmark[f"{up}_{part}"]], FORWARD, -lower)
            for part in ("KNEE", "ANKLE")
        )
        legs[side] = leg_toward(side, knee, ankle, aim(0, -90))
    return supine_legs(legs)


def happy_baby(*, draw_in: float = 130.0, feet_up: bool = True) -> Figure:
    """On the back, knees drawn toward the armpits ``draw_in`` degrees of hip
    flexion, shins upright, hands at the feet."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        thigh = aim(180 - draw_in, 180 - s * 35) if draw_in > 90 else aim(draw_in, s * 35)
        shin = aim(90) if feet_up else aim(-10, 0)
        legs[side] = Leg(thigh, shin, aim(0))
    fig = supine(left=legs["left"], right=legs["right"])
    points = place(fig)
    arms = {
        side: arm_toward(
            side,
            fig.torso,
            (
                points[PoseLandmark[f"{side.upper()}_SHOULDER"]]
                + points[PoseLandmark[f"{side.upper()}_ANKLE"]]
            )
            / 2
            + np.array([0.0, -0.05, 0.0]),
            points[PoseLandmark[f"{side.upper()}_ANKLE"]],
        )
        for side in ("left", "right")
    }
    return replace(fig, arms=arms)


def foam_roll_quads(*, hips_up: float = 0.0, prop: float = 25.0) -> Figure:
    """Face down over a roller under the thighs, propped on the forearms; ``hips_up``
    pikes the hips (degrees of bend at the hip)."""
    thigh = aim(-hips_up, 180)
    return Figure(
        torso=aim(prop - hips_up),
        face=aim(-60),
        legs=legs_both(Leg(thigh, aim(-hips_up / 2, 180), aim(-70, 180))),
        arms=arms_both(Arm(aim(-90), aim(0))),
    )


def legs_both(leg: Leg) -> dict[str, Leg]:
    return {"left": leg, "right": leg}


def foam_roller_psoas(*, lift: float = 16.0, stretched: float = -12.0) -> Figure:
    """On the back over a roller under the hips (torso slope ``lift``); the left
    leg long at ``stretched`` degrees, the right thigh drawn in."""
    return supine(
        torso=aim(-lift, 180),
        neck=aim(5, 180),
        left=Leg(aim(stretched), aim(0), aim(70)),
        right=Leg(aim(80, 180), aim(0), aim(60)),
    )


def seated(torso: float = 90.0, **legs: Leg) -> Figure:
    return Figure(torso=aim(torso), legs=legs, arms=arms_both(Arm(aim(-70), aim(-30))))


def soles_together(*, feet_forward: float = 0.30, knee_height: float = -0.05) -> dict[str, Leg]:
    """Seated legs, soles together ``feet_forward`` metres ahead of the hips, knees out."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([feet_forward * 0.8, knee_height, s * 0.42])
        ankle = np.array([feet_forward, -0.15, s * 0.04])
        legs[side] = leg_toward(side, knee, ankle, aim(-10, -s * 60))
    return legs


def butterfly(*, torso: float = 90.0, feet_forward: float = 0.30) -> Figure:
    return seated(torso, **soles_together(feet_forward=feet_forward))


def seated_hip_stretch(*, lean: float = 30.0, feet_forward: float = 0.60) -> Figure:
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([0.35, 0.10, s * 0.30])
        ankle = np.array([feet_forward, -0.12, s * 0.04])
        legs[side] = leg_toward(side, knee, ankle, aim(-10, -s * 60))
    return seated(90 - lean, **legs)


def seated_long_legs(*, lean: float = 0.0) -> Figure:
    long_leg = Leg(aim(-5), aim(-5), aim(80))
    return seated(90 - lean, left=long_leg, right=long_leg)


def ninety_ninety_seated(*, front_knee: float = 90.0) -> Figure:
    """Seated 90-90: the left thigh forward-out, the right out to the side, each knee
    at ``front_knee`` / 90 degrees, shins on the floor."""
    front_thigh = aim(-10, 45)
    side_thigh = aim(-10, -45)
    front_shin = aim(-5, 45 - (180 - front_knee))
    side_shin = aim(-5, -45 - 90)
    return seated(
        85.0,
        left=Leg(front_thigh, front_shin, aim(0, -45)),
        right=Leg(side_thigh, side_shin, aim(0, -135)),
    )


def squat(
    *, depth: float = 0.12, feet: float = 0.28, knees_out: float = 0.30, torso: float = 70.0
) -> Figure:
    """A squat facing forward: ``depth`` metres of hip below knee height, each
    ankle ``feet`` metres out from the midline, each knee ``knees_out``."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee = np.array([0.35, depth, s * knees_out])
        ankle = np.array([0.10, -0.35, s * feet])
        legs[side] = leg_toward(side, knee, ankle, aim(0, s * 20))
    return Figure(torso=aim(torso), legs=legs, arms=arms_both(Arm(aim(-30), aim(40))))


def wide_fold(*, fold: float = 120.0, feet: float = 0.45, knee: float = 175.0) -> Figure:
    """Standing wide, the trunk folded ``fold`` degrees forward from upright."""
    legs = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        down = aim(-90)
        out = unit(down * 0.9 + LEFT * s * (feet - 0.1) / 0.86)
        bend = 180.0 - knee
        legs[side] = Leg(rotate(out, LEFT, -bend / 2), rotate(out, LEFT, bend / 2), aim(0, s * 15))
    return Figure(
        torso=aim(90 - fold), face=aim(-90), legs=legs, arms=arms_both(Arm(aim(-90), aim(-90)))
    )


def cow_face(*, stacked: bool = True) -> Figure:
    """Seated, the left knee stacked on the right, each foot out beside the other hip."""
    if not stacked:
        return butterfly()
    right = leg_toward(
        "right", np.array([0.40, -0.02, -0.02]), np.array([0.05, -0.12, 0.33]), aim(-10, 120)
    )
    left = leg_toward(
        "left", np.array([0.40, 0.12, -0.02]), np.array([0.05, -0.08, -0.33]), aim(-10, -120)
    )
    return seated(85.0, left=left, right=right)


def seated_twist(*, turn: float = 70.0, knee_up: bool = True) -> Figure:
    """Seated, the left leg long, the right knee bent up with its foot over the
    left leg; shoulders turned ``turn`` degrees toward the bent knee."""
    long_leg = Leg(aim(-5), aim(-5), aim(80))
    bent = (
        leg_toward("right", np.array([0.30, 0.30, -0.05]), np.array([0.35, -0.12, 0.12]), aim(-10))
        if knee_up
        else long_leg
    )
    torso = aim(88)
    shoulders = rotate(LEFT, UP, -turn)
    fig = seated(88.0, left=long_leg, right=bent)
    return replace(fig, torso=torso, shoulders_left=shoulders, face=rotate(aim(0), UP, -turn))


def pigeon(*, back_knee: float = 170.0, front_folded: bool = True, torso: float = 80.0) -> Figure:
    """Left knee folded forward with the shin across, right leg long behind."""
    back_thigh = aim(-12, 180)
    back_shin = aim(-12 + (180.0 - back_knee), 180)
    if front_folded:
        front = leg_toward(
            "left", np.array([0.38, -0.15, 0.15]), np.array([0.25, -0.18, -0.25]), aim(0, -90)
        )
    else:
        front = Leg(aim(-20), aim(-20), aim(80))
    return Figure(
        torso=aim(torso),
        legs={"left": front, "right": Leg(back_thigh, back_shin, aim(-5, 180))},
        arms=arms_both(Arm(aim(-85), aim(-85))),
    )


def standing() -> Figure:
    return Figure()
