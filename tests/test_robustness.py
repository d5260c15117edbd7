"""Verdicts that hold on real bodies: the labelled photos, the real-body records,
re-photographed photos and bodies turned away from the camera.

- every labelled pose (the 51 studio photos from recorded landmarks, the 40
  real-body records) against every stretch: correct poses align on their own
  stretch, and nothing else aligns, with the model's known misses as strict
  xfails that say why;
- the real model on the labelled photos of a stretch, re-photographed
  (mirrored, scaled 0.7 and 1.3, rotated by 10 degrees, 30% darker or
  brighter, cropped to the body): the verdict does not change;
- the world landmarks of each correct pose turned 25 degrees about the
  vertical and projected back to the image (pure numpy): still aligned.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from posecheck.body.landmarks import Pose
from posecheck.catalog.reference import Reference, load_references
from posecheck.form.checks import Status, Verdict, evaluate
from posecheck.io import video
from tests.helpers import DATA, labels, needs_data, recorded, recorded_pose
from tests.realposes import REAL, RealPose, load_real_poses

needs_real = pytest.mark.skipif(
    not REAL.is_file(),
    reason=f"real-body records not found at {REAL} (../shared/data/realposes beside the checkout)",
)


@cache
def references() -> dict[str, Reference]:
    return load_references()


@cache
def real_poses() -> dict[str, RealPose]:
    return {r.id: r for r in load_real_poses()}


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


def _unaligned_reason(verdict: Verdict) -> str:
    gates = [g.id for g in verdict.gates if not g.passed]
    bad = [
        f"{r.check.id}={r.value if r.value is None else round(r.value, 2)} {r.status}"
        for r in verdict.results
        if not r.check.advice and r.status in (Status.FAIL, Status.UNKNOWN)
    ]
    return f"gates {gates}, checks {bad}, seen as {verdict.view}/{verdict.position}"


# --- the studio photos (recorded landmarks) -------------------------------------------

# Correct poses the checks do not align, and why. Each is a strict xfail: a fix
# that aligns it shows up as an XPASS to remove from here.
STUDIO_MISSES = {
    "Worlds_Greatest_Stretch/1.jpg": "the front leg is hidden behind the arm and not seen",
}


def _studio_positives() -> list[object]:
    refs = load_references()
    return [
        pytest.param(name, marks=xfail(STUDIO_MISSES[name])) if name in STUDIO_MISSES else name
        for name, row in sorted(labels().items())
        if row["in_position"] == "yes" and row["stretch"] in refs
    ]


@needs_data
@pytest.mark.parametrize("name", _studio_positives())
def test_a_correct_studio_pose_aligns_on_its_own_stretch(name):
    verdict = evaluate(recorded_pose(name), references()[labels()[name]["stretch"]])
    assert verdict.aligned, _unaligned_reason(verdict)


# Pairings that align though the photo is labelled another stretch, and why.
KNOWN_CROSS_ACCEPTS = {
    "Kneeling_Hip_Flexor/0.jpg as static-low-lunge": "the half-kneeling hip flexor stretch and "
    "the static low lunge share their shape (back knee down, front shin upright, back thigh "
    "behind); the front shin leans 25 degrees, borderline against the lunge's 20",
    "Kneeling_Hip_Flexor/0.jpg as bent-knee-to-low-lunge": "the end of the bent-knee-to-low-lunge "
    "move is the same low lunge as above",
    "Childs_Pose/0.jpg as wide-child-pose": "a child's pose reaching forward is the wide child's "
    "pose but for the width of the knees, which a side camera cannot see (its camera_limits)",
    "Knee_Across_The_Body/1.jpg as knee-drops": "a supine twist with one knee across the body is "
    "a knee drop to that side done with one leg: the other knee follows it in, dropped low",
    "Olympic_Squat/1.jpg as prayer-squat": "labelled with the hips level with the knees; the "
    "model puts them 0.12 shin lengths below, inside the error of a height seen from the front",
    "Olympic_Squat/1.jpg as adductor-opener": "a wide barbell squat, knees and feet well apart "
    "and the seat at knee height: the adductor opener's wide squat with a bar",
    "Intermediate_Groin_Stretch/0.jpg as prayer-squat": "seated with a band, seen oblique: the "
    "legs run toward the camera, so the seat reads 0.28 torso lengths above the feet, "
    "borderline against 0.3",
    "Intermediate_Groin_Stretch/0.jpg as seated-hip-stretch": "seated with a band, leaning "
    "forward over bent knees with the feet out in front: the seated hip stretch's shape",
}


@needs_data
def test_no_studio_photo_aligns_on_a_stretch_it_is_not_in():
    false_accepts = []
    for name, row in labels().items():
        if recorded()[name]["pose"] is None or row["in_position"] == "unsure":
            continue
        pose = recorded_pose(name)
        for sid, ref in references().items():
            own = row["stretch"] == sid and row["in_position"] == "yes"
            if not own and evaluate(pose, ref).aligned:
                false_accepts.append(f"{name} as {sid}")
    assert set(false_accepts) == set(KNOWN_CROSS_ACCEPTS)


# --- the real-body records --------------------------------------------------------------

REAL_MISSES = {
    "childs-pose-022": "seen from the front: the side view's checks cannot be judged, and the "
    "feet are hidden under the body",
    "childs-pose-028": "the feet tucked under the hips score below 0.3 visibility: can't tell",
    "childs-pose-029": "the feet are outside the photo",
    "childs-pose-030": "an oblique fold the model reads as standing on straight legs",
}
REAL_FALSE_ACCEPTS = {
    ("none-010", "runners-lunge"): "a wheel seen from the side has one leg bent over the foot "
    "and the other long; article 004 says nothing more of the lunge's form to tell them apart",
    **{
        (f"childs-pose-0{n}", "wide-child-pose"): "a child's pose is the wide child's pose but "
        "for the width of the knees, which a side camera cannot see (its camera_limits)"
        for n in (20, 21, 24, 25, 26, 31, 33, 34, 35, 36, 38, 39)
    },
}


def _real_ids(wanted: str) -> list[object]:
    records = load_real_poses()
    ids = [r.id for r in records if (r.in_position == "yes") == (wanted == "yes")]
    return [pytest.param(i, marks=xfail(REAL_MISSES[i])) if i in REAL_MISSES else i for i in ids]


@needs_real
@pytest.mark.parametrize("record_id", _real_ids("yes"))
def test_a_real_body_in_good_form_aligns_on_its_own_stretch(record_id):
    record = real_poses()[record_id]
    verdict = evaluate(record.pose, references()[record.stretch])
    assert verdict.aligned, _unaligned_reason(verdict)


def _real_pairs() -> list[object]:
    pairs = []
    for r in load_real_poses():
        for sid in sorted(load_references()):
            if r.stretch == sid and r.in_position == "yes":
                continue
            marks = (
                [xfail(REAL_FALSE_ACCEPTS[(r.id, sid)])]
                if (r.id, sid) in REAL_FALSE_ACCEPTS
                else []
            )
            pairs.append(pytest.param(r.id, sid, marks=marks, id=f"{r.id}-as-{sid}"))
    return pairs


@needs_real
@pytest.mark.parametrize(("record_id", "stretch"), _real_pairs())
def test_a_real_body_does_not_align_on_another_stretch(record_id, stretch):
    assert not evaluate(real_poses()[record_id].pose, references()[stretch]).aligned


@needs_real
def test_a_real_childs_pose_read_as_prone_is_judged_by_its_own_shape():
    prone = []
    for r in real_poses().values():
        if r.stretch != "childs-pose" or r.pose is None:
            continue
        verdict = evaluate(r.pose, references()["childs-pose"])
        if str(verdict.position) == "prone":
            prone.append(verdict)
    assert len(prone) >= 5  # the misreading the soft gate exists for
    assert all(v.aligned for v in prone)


# --- the real model on re-photographed photos ------------------------------------------


# The labelled photos of stretches that have a reference, in or out of form.
def _stretch_photos() -> list[str]:
    refs = load_references()
    return sorted(
        name
        for name, row in labels().items()
        if row["stretch"] in refs and row["in_position"] != "unsure"
    )


TRANSFORMS = (
    "mirror",
    "scale 0.7",
    "scale 1.3",
    "rotate -10",
    "rotate +10",
    "brightness -30%",
    "brightness +30%",
    "crop",
)
# Where the model itself reads a re-photograph differently, and how. Each is a
# strict xfail: no limit is moved to rescue one photo.
FIGURE_4_START = (
    "the start pose (both feet down, no crossing) measures the ankle 0.57 shin lengths from "
    "the other knee against <= 0.5: re-photographed it reads 0.5-0.56, borderline, so aligned"
)
BARBELL = (
    "the barbell hides the hips: re-photographed, the model places them lower (hip line "
    "128-135 degrees) or loses the far ankle"
)
CHILDS_ARMS_BACK = (
    "arms resting back beside the feet: the model's hips-to-heels reads 0.79-1.05 across "
    "re-photographs of this one photo, against <= 0.8 (0.82 here, borderline)"
)
FOLDED_BUTTERFLY = (
    "a butterfly folded over the feet: the model reads the re-photographs as front, back or "
    "side, seated, kneeling or supine, and loses the feet under the head"
)
ROLL = (
    "knee over toes is measured along the picture's horizontal: rolling the camera 10 degrees "
    "moves the knee about a sixth of a shin length against the toes (0.11 to 0.31)"
)
MODEL_FLIPS: dict[tuple[str, str], str] = {
    **{
        ("Ankle_On_The_Knee/0.jpg", t): FIGURE_4_START
        for t in ("mirror", "rotate -10", "rotate +10")
    },
    **{
        ("Barbell_Glute_Bridge/1.jpg", t): BARBELL
        for t in ("mirror", "rotate -10", "rotate +10", "brightness +30%", "crop")
    },
    **{
        ("Childs_Pose/1.jpg", t): CHILDS_ARMS_BACK
        for t in (
            "scale 0.7",
            "scale 1.3",
            "rotate +10",
            "brightness -30%",
            "brightness +30%",
            "crop",
        )
    },
    **{
        ("Groin_and_Back_Stretch/1.jpg", t): FOLDED_BUTTERFLY
        for t in ("mirror", "scale 1.3", "rotate -10", "rotate +10", "brightness +30%", "crop")
    },
    ("Kneeling_Hip_Flexor/1.jpg", "rotate -10"): ROLL,
    **{
        ("Quadriceps-SMR/0.jpg", t): "a camera rolled 10 degrees lifts one end of a body lying "
        "along the floor by a sixth of a torso: the shoulders' height over the hips on the "
        "roller moves from 0.23 to 0.05 torso lengths (and one roll reads as standing)"
        for t in ("rotate -10", "rotate +10")
    },
    ("Dancers_Stretch/1.jpg", "rotate +10"): "rolled 10 degrees, the model reads the twist as "
    "kneeling, its seat 0.42 torso lengths above the long leg's foot instead of 0.2",
    ("Butt_Lift_Bridge/1.jpg", "mirror"): "mirrored, the model opens the knees from 96 to "
    "110 degrees, past the heels-drawn-in limit of 100",
}


# Cases left out: the value lands on the edge of its error band to within a
# ten-thousandth, so either verdict is rounding, not the model.
ON_THE_EDGE = {
    ("Childs_Pose/1.jpg", "mirror"),  # hips-to-heels 0.86787 against 0.8 + 0.068
}


def _photo_cases() -> list[object]:
    return [
        pytest.param(
            name,
            t,
            marks=[xfail(MODEL_FLIPS[(name, t)])] if (name, t) in MODEL_FLIPS else [],
            id=f"{name}-{t}",
        )
        for name in _stretch_photos()
        for t in TRANSFORMS
        if (name, t) not in ON_THE_EDGE
    ]


@pytest.fixture(scope="module")
def still_estimator():
    from posecheck.io.estimator import PoseEstimator

    with PoseEstimator("image") as est:
        yield est


@needs_data
@pytest.mark.parametrize(("name", "transform"), _photo_cases())
def test_the_verdict_survives_re_photographing(still_estimator, name, transform):
    from tests.photo_transforms import transforms

    reference = references()[labels()[name]["stretch"]]
    original = recorded_pose(name)
    image = video.read_image(DATA / name)
    again = still_estimator.detect(transforms(original.bbox_px())[transform](image)).pose
    before, after = evaluate(original, reference), evaluate(again, reference)
    assert after.aligned == before.aligned, _unaligned_reason(after if before.aligned else before)


# --- bodies turned 25 degrees away from the camera -------------------------------------


def turned(pose: Pose, yaw_deg: float) -> Pose:
    """The pose's world landmarks turned about the vertical and seen straight on.

    An orthographic camera at 500 px per metre on a 2000 px square: the world
    coordinates (metres, y down, origin between the hips) turned by ``yaw_deg``
    give both the new world landmarks and, dropping depth, the pixels.
    """
    t = math.radians(yaw_deg)
    rotation = np.array(
        [[math.cos(t), 0.0, math.sin(t)], [0.0, 1.0, 0.0], [-math.sin(t), 0.0, math.cos(t)]]
    )
    world = pose.world_xyz_m @ rotation.T
    return Pose(
        xy_px=1000.0 + 500.0 * world[:, :2],
        z_px=500.0 * world[:, 2],
        world_xyz_m=world,
        visibility=pose.visibility,
        presence=pose.presence,
        image_wh=(2000, 2000),
    )


def _correct_poses() -> list[object]:
    refs = load_references()
    out: list[object] = []
    if labels():
        for name, row in sorted(labels().items()):
            if row["in_position"] == "yes" and row["stretch"] in refs:
                out.append(pytest.param("studio", name, id=name))
    for r in load_real_poses():
        if r.in_position == "yes":
            out.append(pytest.param("real", r.id, id=r.id))
    return out


HIPS_TO_HEELS = (
    "hips-to-heels is a mostly upright length over the shin lying across the picture: "
    "turned 25 degrees the shin looks a tenth shorter, and this pose sits within that of the limit"
)
# Checks that pass facing the camera as the photo did and fail turned, and why.
TURN_MISSES: dict[tuple[str, int], str] = {
    ("childs-pose-026", 25): HIPS_TO_HEELS,
    ("childs-pose-034", -25): HIPS_TO_HEELS,
    ("childs-pose-039", -25): HIPS_TO_HEELS,
    ("Groin_and_Back_Stretch/0.jpg", -25): "butterfly heels-drawn-in measures the heels' "
    "distance from the hips in the picture, which a front view foreshortens: turned, the depth "
    "shows and the heels look far from the hips",
    ("Groin_and_Back_Stretch/1.jpg", -25): "a butterfly folded forward: turned 25 degrees, the "
    "model's world landmarks put the shoulders edge-on and it reads as a side view",
    ("Worlds_Greatest_Stretch/1.jpg", -25): "the twisted lunge's world landmarks turned 25 "
    "degrees put the shoulders square to the camera: it reads as a front view",
    ("Worlds_Greatest_Stretch/1.jpg", 25): "back-leg-long sits 2 degrees inside its limit "
    "facing the camera; turned, the long leg is foreshortened to 135 degrees",
}


def _turn_cases() -> list[object]:
    cases = []
    for param in _correct_poses():
        source, key = param.values  # type: ignore[attr-defined]
        for yaw in (-25, 25):
            marks = [xfail(TURN_MISSES[(key, yaw)])] if (key, yaw) in TURN_MISSES else []
            cases.append(pytest.param(source, key, yaw, marks=marks, id=f"{key}-yaw{yaw:+d}"))
    return cases


def _pose_and_stretch(source: str, key: str) -> tuple[Pose, str]:
    if source == "studio":
        return recorded_pose(key), labels()[key]["stretch"]
    record = real_poses()[key]
    assert record.pose is not None
    return record.pose, record.stretch


@pytest.mark.parametrize(("source", "key", "yaw"), _turn_cases())
def test_checks_that_pass_facing_the_camera_still_pass_turned_25_degrees(source, key, yaw):
    # The baseline is the world landmarks seen straight on (not the photo's
    # pixels), so only the turn differs between the two verdicts.
    pose, stretch = _pose_and_stretch(source, key)
    reference = references()[stretch]
    before = evaluate(turned(pose, 0.0), reference)
    after = {r.check.id: r for r in evaluate(turned(pose, yaw), reference).results}
    good = (Status.PASS, Status.BORDERLINE)
    lost = [
        f"{r.check.id} {r.value:.2f} -> {after[r.check.id].value} {after[r.check.id].status}"
        for r in before.results
        if r.status in good and not r.check.advice and after[r.check.id].status not in good
    ]
    assert lost == []


def test_turning_moves_the_world_and_the_picture_together():
    pose = make_side_view_pose()
    quarter = turned(pose, 90.0)
    # A body seen side-on, turned a quarter, faces the camera.
    assert abs(quarter.world_xyz_m[0, 0] - pose.world_xyz_m[0, 2]) < 1e-9
    assert np.allclose(quarter.xy_px[:, 1], 1000.0 + 500.0 * pose.world_xyz_m[:, 1])


def make_side_view_pose() -> Pose:
    rng = np.random.default_rng(3)
    world = rng.normal(0.0, 0.3, (33, 3))
    return Pose(
        xy_px=np.zeros((33, 2)),
        z_px=np.zeros(33),
        world_xyz_m=world,
        visibility=np.ones(33),
        presence=np.ones(33),
        image_wh=(10, 10),
    )
