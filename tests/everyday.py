"""Everyday poses that are no stretch, built with `tests.figures`: standing,
walking, sitting on a chair, and on all fours between two floor stretches.
Each is seen from the side, facing the image's right, unless a view is given."""

from __future__ import annotations

from posecheck.body.landmarks import Pose
from tests.figures import Arm, Figure, Leg, aim, arms_both, pose


def standing(view: str = "side") -> Pose:
    """Standing upright, arms hanging."""
    return pose(Figure(), view)


def walking(view: str = "side") -> Pose:
    """Mid-stride: the front heel landing, the back leg pushing off its toes, arms swinging."""
    front = Leg(aim(-70), aim(-85), aim(10))
    back = Leg(aim(-70, 180), aim(-50, 180), aim(-40))
    arms = {"left": Arm(aim(-70, 180), aim(-60, 180)), "right": Arm(aim(-70), aim(-45))}
    return pose(Figure(torso=aim(88), legs={"left": front, "right": back}, arms=arms), view)


def chair_sitting(view: str = "side") -> Pose:
    """Sitting upright on a chair: thighs level, shins straight down, hands on the thighs."""
    leg = Leg(aim(0), aim(-90), aim(0))
    return pose(
        Figure(legs={"left": leg, "right": leg}, arms=arms_both(Arm(aim(-60), aim(0)))), view
    )


def all_fours(view: str = "side") -> Pose:
    """On hands and knees, as when moving from one floor stretch to the next."""
    leg = Leg(aim(-90), aim(0, 180), aim(-10, 180))
    fig = Figure(
        torso=aim(0),
        face=aim(-60),
        legs={"left": leg, "right": leg},
        arms=arms_both(Arm(aim(-90), aim(-90))),
    )
    return pose(fig, view)
