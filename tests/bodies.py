"""The good position of every stretch in the catalog, and a few named faults,
as stick figures (`tests/figures.py`) that give a full 33-landmark `Pose`.

`correct_pose(id)` is a stretch's good position in its own view;
`fault_pose(id, name)` one of its named faults, with `FAULTS[id][name].fails`
the check id (or ``gate:<id>``) that must catch it. `PHASES` gives the good
body of each phase of a phased stretch, and `LOOK_ALIKES` the other stretches
a built body also passes as, with the reason. Recordings over time are
sequences of poses: vary a builder's parameters frame by frame, or write a
landmark recording of a script of figures with `recording`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from posecheck.body.landmarks import Pose
from tests.figures import (
    LIMBS,
    VIEWS,
    Arm,
    Figure,
    Leg,
    Limbs,
    Script,
    aim,
    mirrored,
    place,
    pose,
    recording,
    unit,
)
from tests.positions import (
    assisted_kneel,
    bridge,
    butterfly,
    cow_face,
    figure_4_twist,
    foam_roll_quads,
    foam_roller_psoas,
    half_kneel,
    happy_baby,
    knee_drops,
    knee_to_chest,
    kneeling_fold,
    knees_up_leg,
    low_lunge,
    lunge_stretch,
    ninety_ninety_hip_flexor,
    ninety_ninety_seated,
    pigeon,
    runners_lunge,
    seated_hip_stretch,
    seated_long_legs,
    seated_twist,
    side_bend,
    squat,
    standing,
    supine,
    supine_figure_4,
    wide_child_pose,
    wide_fold,
)

__all__ = [
    "CORRECT",
    "FAULTS",
    "LIMBS",
    "LOOK_ALIKES",
    "PHASES",
    "VIEWS",
    "Arm",
    "Built",
    "Fault",
    "Figure",
    "Leg",
    "Limbs",
    "Script",
    "aim",
    "correct_pose",
    "fault_pose",
    "mirrored",
    "place",
    "pose",
    "recording",
    "unit",
]


# --- the catalog ----------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A stretch's good position and the camera view it is judged from."""

    figure: Callable[[], Figure]
    view: str
    tilt_deg: float = 0.0  # a camera above the body, looking down


CORRECT: dict[str, Built] = {
    "90-90-hip-flexor": Built(ninety_ninety_hip_flexor, "side"),
    "90-90-hip-flexor-side-bend": Built(side_bend, "front"),
    "knee-drops": Built(knee_drops, "front"),
    "foam-roll-quads": Built(foam_roll_quads, "side"),
    "half-kneeling-hip-flexor": Built(half_kneel, "side"),
    "assisted-half-kneeling-hip-flexor": Built(assisted_kneel, "side"),
    "foam-roller-psoas": Built(foam_roller_psoas, "side"),
    "bent-knee-to-low-lunge": Built(low_lunge, "side"),
    "static-low-lunge": Built(low_lunge, "side"),
    "lunge-stretch": Built(lunge_stretch, "side"),
    "90-90-hip-stretch": Built(ninety_ninety_seated, "front", tilt_deg=55.0),
    "prayer-squat": Built(squat, "front"),
    "wide-child-pose": Built(wide_child_pose, "side"),
    "knee-to-chest": Built(knee_to_chest, "side"),
    "pigeon": Built(pigeon, "side"),
    "butterfly": Built(butterfly, "front"),
    "seated-hip-stretch": Built(seated_hip_stretch, "side"),
    "bridge": Built(bridge, "side"),
    "childs-pose": Built(kneeling_fold, "side"),
    "supine-figure-4": Built(supine_figure_4, "side"),
    "figure-4-twist": Built(figure_4_twist, "front"),
    "runners-lunge": Built(runners_lunge, "side"),
    "adductor-opener": Built(lambda: squat(feet=0.40, knees_out=0.45, torso=80.0), "front"),
    "wide-legged-forward-fold": Built(wide_fold, "front"),
    "cow-face-legs": Built(cow_face, "front"),
    "seated-twist": Built(seated_twist, "side"),
    "happy-baby": Built(happy_baby, "side"),
}


def correct_pose(stretch_id: str, view: str | None = None, **kw: object) -> Pose:
    """The stretch's good position, seen from its own view unless ``view`` is given."""
    built = CORRECT[stretch_id]
    kw.setdefault("tilt_deg", built.tilt_deg)
    return pose(built.figure(), view or built.view, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Fault:
    """A named wrong pose of a stretch and what must catch it: a check id, or
    ``gate:<id>`` for a gate (``gate:position``, ``gate:view``)."""

    figure: Callable[[], Figure]
    fails: str


FAULTS: dict[str, dict[str, Fault]] = {
    "90-90-hip-flexor": {
        "front-knee-open": Fault(
            lambda: ninety_ninety_hip_flexor(front_shin=-45.0), "front-knee-90"
        ),
    },
    "90-90-hip-flexor-side-bend": {
        "no-side-bend": Fault(lambda: side_bend(bend=0.0), "side-bend"),
        "back-knee-up": Fault(lambda: side_bend(kneel=False), "gate:position"),
    },
    "knee-drops": {
        "knees-up": Fault(lambda: knee_drops(drop=0.0), "knees-dropped"),
        "legs-flat": Fault(lambda: knee_drops(bent=False), "knees-bent"),
    },
    "foam-roll-quads": {
        "hips-piked": Fault(lambda: foam_roll_quads(hips_up=45.0), "gate:position"),
        "standing": Fault(standing, "gate:position"),
    },
    "half-kneeling-hip-flexor": {
        "knee-past-toes": Fault(lambda: half_kneel(front_shin=-135.0), "front-knee-over-toes"),
    },
    "assisted-half-kneeling-hip-flexor": {
        "back-shin-down": Fault(lambda: assisted_kneel(foot_up=False), "back-foot-up"),
    },
    "foam-roller-psoas": {
        "stretched-leg-drawn-in": Fault(
            lambda: foam_roller_psoas(stretched=80.0), "working-hip-open"
        ),
    },
    "bent-knee-to-low-lunge": {
        "knee-behind-ankle": Fault(lambda: low_lunge(front_shin=-50.0), "front-knee-over-ankle"),
    },
    "static-low-lunge": {
        "knee-past-ankle": Fault(lambda: low_lunge(front_shin=-130.0), "front-knee-over-ankle"),
    },
    "lunge-stretch": {
        "hips-back": Fault(lambda: lunge_stretch(back_thigh=-95.0), "leaning-forward"),
    },
    "90-90-hip-stretch": {
        "front-leg-long": Fault(lambda: ninety_ninety_seated(front_knee=170.0), "front-knee-90"),
    },
    "prayer-squat": {
        "hips-above-knees": Fault(lambda: squat(depth=-0.20), "hips-below-knees"),
    },
    "wide-child-pose": {
        "sitting-up": Fault(lambda: wide_child_pose(torso=70.0, reach=False), "torso-low"),
    },
    "knee-to-chest": {
        "other-knee-bent": Fault(lambda: knee_to_chest(other_bent=True), "other-knee-straight"),
    },
    "pigeon": {
        "back-knee-bent": Fault(lambda: pigeon(back_knee=90.0), "back-leg-long"),
    },
    "butterfly": {
        "legs-long": Fault(seated_long_legs, "knees-out"),
    },
    "seated-hip-stretch": {
        "sitting-upright": Fault(lambda: seated_hip_stretch(lean=0.0), "leaning-forward"),
    },
    "bridge": {
        "hips-down": Fault(
            lambda: supine(left=knees_up_leg(), right=knees_up_leg()), "hips-lifted"
        ),
    },
    "childs-pose": {
        "on-all-fours": Fault(lambda: kneeling_fold(hips_up=70.0, torso=0.0), "hips-to-heels"),
    },
    "supine-figure-4": {
        "not-crossed": Fault(lambda: supine_figure_4(crossed=False), "ankle-on-knee"),
    },
    "figure-4-twist": {
        "legs-up": Fault(lambda: figure_4_twist(lower=0.0), "legs-lowered"),
    },
    "runners-lunge": {
        "back-knee-bent": Fault(lambda: runners_lunge(back_knee=100.0), "back-leg-long"),
    },
    "adductor-opener": {
        "standing-wide": Fault(lambda: wide_fold(fold=0.0), "hips-low"),
    },
    "wide-legged-forward-fold": {
        "standing-upright": Fault(lambda: wide_fold(fold=0.0), "head-below-hips"),
    },
    "cow-face-legs": {
        "butterfly-legs": Fault(lambda: cow_face(stacked=False), "knees-stacked"),
    },
    "seated-twist": {
        "not-turned": Fault(lambda: seated_twist(turn=0.0), "shoulders-turned"),
    },
    "happy-baby": {
        "feet-down": Fault(lambda: happy_baby(feet_up=False), "feet-up"),
    },
}


def fault_pose(stretch_id: str, name: str, **kw: object) -> Pose:
    """A named fault of the stretch, seen from the stretch's own view."""
    built = CORRECT[stretch_id]
    kw.setdefault("tilt_deg", built.tilt_deg)
    return pose(FAULTS[stretch_id][name].figure(), built.view, **kw)  # type: ignore[arg-type]


# The good body of each phase of a phased stretch, in order (the first is CORRECT's).
PHASES: dict[str, list[Callable[[], Figure]]] = {
    "wide-child-pose": [wide_child_pose, lambda: wide_child_pose(hips_up=0.0, torso=-10.0)],
}


# --- stretches a built body of another passes as -----------------------------------
#
# The good body of the first stretch is aligned on the second too, and why. A
# stretch recogniser must expect these; a new pair showing up is a check that
# lets too much through.
LOOK_ALIKES: dict[tuple[str, str], str] = {
    **{
        (a, b): "the half-kneeling and low-lunge family: back knee down, front foot planted "
        "with the shin near upright, hips forward; the articles tell them apart by depth "
        "and by what the arms do, which their checks leave open"
        for a, b in (
            ("90-90-hip-flexor", "half-kneeling-hip-flexor"),
            ("half-kneeling-hip-flexor", "bent-knee-to-low-lunge"),
            ("half-kneeling-hip-flexor", "lunge-stretch"),
            ("assisted-half-kneeling-hip-flexor", "bent-knee-to-low-lunge"),
            ("assisted-half-kneeling-hip-flexor", "half-kneeling-hip-flexor"),
            ("assisted-half-kneeling-hip-flexor", "lunge-stretch"),
            ("bent-knee-to-low-lunge", "half-kneeling-hip-flexor"),
            ("bent-knee-to-low-lunge", "lunge-stretch"),
            ("bent-knee-to-low-lunge", "runners-lunge"),
            ("bent-knee-to-low-lunge", "static-low-lunge"),
            ("static-low-lunge", "bent-knee-to-low-lunge"),
            ("static-low-lunge", "half-kneeling-hip-flexor"),
            ("static-low-lunge", "lunge-stretch"),
            ("static-low-lunge", "runners-lunge"),
            ("lunge-stretch", "bent-knee-to-low-lunge"),
            ("lunge-stretch", "half-kneeling-hip-flexor"),
            ("lunge-stretch", "static-low-lunge"),
        )
    },
    ("prayer-squat", "adductor-opener"): "a deep squat with the feet and knees wide is both",
    ("adductor-opener", "prayer-squat"): "a deep squat with the feet and knees wide is both",
    ("childs-pose", "wide-child-pose"): "the wide child's pose is a child's pose with the knees "
    "spread, which a side camera cannot see",
    ("knee-drops", "figure-4-twist"): "both lower bent legs to one side on the back; from the "
    "feet the crossed ankle sits where the other knee drops",
    ("knee-drops", "bridge"): "from the feet the bridge checks only that the knees are up and "
    "parallel; the hip lift is judged side-on",
    ("90-90-hip-flexor-side-bend", "butterfly"): "the butterfly's seated position may be read "
    "from a kneeling body, and its front-view checks see feet close and knees apart",
    ("cow-face-legs", "seated-twist"): "from the front the twist cannot be measured, and cow face "
    "legs sit with one knee up and the other leg looking long (it crosses straight over)",
    ("seated-twist", "runners-lunge"): "the runner's lunge reads its back leg as long without "
    "asking that it reach behind; a long leg in front passes",
    ("seated-twist", "static-low-lunge"): "the static low lunge reads its back thigh's lean "
    "without asking that it lean behind; a long leg in front passes",
}
