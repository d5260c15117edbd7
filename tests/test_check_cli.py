"""`posecheck check`, `stretches`, `show` and `refs check` as a user runs them, on real photos."""

from __future__ import annotations

import json

import numpy as np
import pytest

from posecheck.catalog.reference import load_references
from posecheck.draw import overlay
from posecheck.io import video
from posecheck.run import photos
from tests.helpers import DATA, needs_data, one_error_line, run
from tests.helpers import SAMPLE_PHOTO as SAMPLE

BRIDGE = "Butt_Lift_Bridge"


def check_json(*photos: str, stretch: str) -> list[dict]:
    result = run("check", *[str(DATA / p) for p in photos], "--stretch", stretch, "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def status_of(record: dict, check_id: str) -> str:
    return next(c["status"] for c in record["checks"] if c["id"] == check_id)


@needs_data
def test_bridge_hips_down_versus_lifted():
    down, lifted = check_json(f"{BRIDGE}/0.jpg", f"{BRIDGE}/1.jpg", stretch="bridge")
    assert down["person"] and down["view"] == "side" and down["position"] == "supine"
    assert status_of(down, "hips-lifted") == "fail"
    assert not down["aligned"]
    assert down["cue"] == "Lift your hips: raise your tailbone off the floor"
    assert status_of(lifted, "hips-lifted") == "pass"
    assert lifted["aligned"] and lifted["score"] == 100 and lifted["cue"] is None


@needs_data
def test_the_annotated_photo_is_the_library_drawing_with_the_failing_check_in_red(tmp_path):
    photo = DATA / f"{BRIDGE}/0.jpg"  # hips down: hips-lifted fails
    result = run("check", str(photo), "--stretch", "bridge", "--annotate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.glob("*_pose.jpg")
    (found,) = photos.describe_photos([photo], load_references()["bridge"])
    assert isinstance(found, photos.PhotoResult) and found.verdict is not None
    drawn = photos.annotated(found)
    on_disk = video.read_image(written).astype(np.int16)
    # What the CLI wrote is the library's drawing, give or take JPEG.
    assert np.abs(on_disk - drawn).mean() < 3.0
    assert np.abs(on_disk - found.frame).mean() > 3.0
    style = overlay.DEFAULT_STYLE
    hips = next(r for r in found.verdict.results if r.check.id == "hips-lifted")
    assert hips.anchor_px is not None
    x, y = round(hips.anchor_px[0]), round(hips.anchor_px[1])
    r = round((style.arc_radius_px + style.arc_px) * style.scale_for(drawn))
    near = drawn[y - r : y + r + 1, x - r : x + r + 1]
    assert (near == np.array(style.failed, np.uint8)).all(axis=2).any()
    # The cue banner is blended over the bottom rows (left of the centred text).
    a = style.banner_alpha
    band = found.frame[-5:, :40] * (1 - a) + np.array(style.banner, np.float32) * a
    assert np.abs(drawn[-5:, :40] - band).max() <= 1.0


@needs_data
def test_bridge_human_output_says_the_hips_are_not_lifted():
    result = run("check", str(DATA / f"{BRIDGE}/0.jpg"), "--stretch", "bridge")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.strip().startswith("Hips lifted off the floor") and line.strip().endswith("fail")
        for line in lines
    )
    assert lines[-1] == "  -> Lift your hips: raise your tailbone off the floor"


@needs_data
def test_half_kneeling_pair_is_aligned_with_the_front_knee_over_the_toes():
    for record in check_json(
        "Kneeling_Hip_Flexor/0.jpg", "Kneeling_Hip_Flexor/1.jpg", stretch="half-kneeling-hip-flexor"
    ):
        assert record["aligned"], record
        assert status_of(record, "front-knee-over-toes") == "pass"
        assert record["side"] in ("left", "right")
        assert set(record["roles"]) == {"front", "back"}


@needs_data
def test_a_split_squat_is_not_a_half_kneeling_stretch():
    # The back knee hovers above the floor: not kneeling.
    (record,) = check_json("Split_Squats/1.jpg", stretch="half-kneeling-hip-flexor")
    assert not record["aligned"]
    assert record["position"] == "standing"
    assert record["cue"] == "Get down onto your knees to start this stretch"


@needs_data
def test_a_standing_photo_checked_against_bridge_gets_a_position_or_view_cue():
    (record,) = check_json("Bodyweight_Squat/0.jpg", stretch="bridge")
    assert record["person"] and not record["aligned"] and record["score"] == 0
    failed = [g["id"] for g in record["gates"] if not g["passed"]]
    assert failed and set(failed) <= {"view", "position"}
    assert record["cue"] == "Lie on your back to start this stretch"
    # Gated: the checks are measured but not judged.
    assert all(c["status"] == "unknown" for c in record["checks"])


def test_json_has_the_documented_fields(tmp_path):
    result = run("check", str(SAMPLE), "--stretch", "bridge", "--json", "--annotate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    for key in (
        "path",
        "stretch",
        "person",
        "view",
        "position",
        "side",
        "aligned",
        "score",
        "checks",
        "cue",
    ):
        assert key in record
    for check in record["checks"]:
        assert set(check) >= {"id", "label", "status", "value", "target", "cue"}
    assert (tmp_path / "sports2d_two_people_pose.jpg").is_file()


def test_unknown_stretch_is_a_usage_error_with_a_suggestion():
    result = run("check", str(SAMPLE), "--stretch", "brige")
    assert result.returncode == 2
    assert one_error_line(result) == (
        "error: unknown stretch 'brige' (did you mean 'bridge'?); "
        "run 'posecheck stretches' to list them"
    )


def test_stretches_lists_every_bundled_reference():
    result = run("stretches", "--json")
    assert result.returncode == 0, result.stderr
    listed = {json.loads(line)["id"]: json.loads(line) for line in result.stdout.splitlines()}
    assert {
        "90-90-hip-flexor",
        "90-90-hip-stretch",
        "half-kneeling-hip-flexor",
        "static-low-lunge",
        "runners-lunge",
        "bridge",
        "childs-pose",
        "knee-to-chest",
        "supine-figure-4",
        "butterfly",
    } <= set(listed)
    flexor = listed["90-90-hip-flexor"]["prescription"]
    assert flexor == {
        "hold_s": 20,
        "reps": 2,
        "sides": "each",
        "alternate": True,
        "dynamic": False,
    }
    human = run("stretches")
    assert "2 reps per side, alternating sides, hold 20 s" in human.stdout


def test_show_explains_checks_in_plain_language():
    result = run("show", "half-kneeling-hip-flexor")
    assert result.returncode == 0, result.stderr
    assert "Front knee over the toes, not past them: ≤ 0.2 len" in result.stdout
    assert "Prescription: hold 30 s on each side" in result.stdout


def test_refs_check_accepts_the_bundled_files():
    result = run("refs", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok  ") >= 10


def test_refs_check_reports_every_problem_of_a_bad_file(tmp_path):
    bad = tmp_path / "my-stretch.toml"
    bad.write_text(
        'id = "my-stretch"\nname = "Mine"\nsource = "me"\ndescription = "mine"\n'
        'position = ["kneeling"]\nview = ["side"]\n'
        '[prescription]\nhold_s = 30\nreps = 1\nsides = "none"\nalternate = false\n'
        '[[checks]]\nid = "knee"\nlabel = "Knee"\nkind = "angle"\n'
        'points = ["left_hip", "left_kneecap", "left_ankle"]\n'
        "target_deg = 90\ntolerance_deg = -5\npriority = 1\n"
        'cue_high = "less"\ncue_low = "more"\n'
    )
    result = run("refs", "check", str(bad))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) >= 2
    assert all(line.startswith(f"error: {bad.name}: ") or f"{bad}" in line for line in lines)
    assert any("left_kneecap" in line for line in lines)
    assert any("tolerance_deg must be > 0 (got -5)" in line for line in lines)


@pytest.mark.parametrize(
    "args",
    [["check", "-h"], ["stretches", "-h"], ["show", "-h"], ["refs", "-h"], ["refs", "check", "-h"]],
)
def test_help_on_the_new_commands(args):
    result = run(*args)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_show_says_a_cue_used_both_ways_once():
    result = run("show", "bridge")
    assert result.returncode == 0
    assert result.stdout.count('if not: "Put both feet flat on the floor"') == 1
