"""The `posecheck` command as a user runs it: a real process, real photos, real exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from posecheck import __version__
from posecheck.io import estimator
from tests.helpers import DATA, ROOT, SAMPLE_PHOTO, needs_data, one_error_line, run

SAMPLE = SAMPLE_PHOTO


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"posecheck {__version__}"


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["pose", "-h"]])
def test_help_everywhere(args):
    result = run(*args)
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_usage_error_exits_2():
    result = run("pose")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


@needs_data
def test_pose_json_on_the_bridge_photo():
    result = run("pose", str(DATA / "Butt_Lift_Bridge/1.jpg"), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["person"] is True
    assert record["people"] == 1
    assert record["view"] == "side"
    assert record["position"] == "supine"
    assert record["image_wh"] == [850, 567]
    assert 70 <= record["angles_deg"]["left_knee"] <= 110
    assert 70 <= record["angles_deg"]["right_knee"] <= 110


@needs_data
def test_pose_human_output_names_view_position_and_angles():
    result = run("pose", str(DATA / "Kneeling_Hip_Flexor/1.jpg"))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.endswith(
        "Kneeling_Hip_Flexor/1.jpg: person found · side view, facing right · kneeling"
    )
    for joint in ("knee", "hip", "elbow", "shoulder"):
        assert any(line.strip().startswith(joint) for line in result.stdout.splitlines())


def test_bundled_sample_says_two_people_and_follows_one(tmp_path):
    result = run("pose", str(SAMPLE), "--annotate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2 people in view; describing the most prominent one" in result.stdout
    written = tmp_path / "sports2d_two_people_pose.jpg"
    assert written.is_file() and written.stat().st_size > 10_000


def test_missing_file_is_one_line_exit_1_and_the_rest_still_run(tmp_path):
    missing = tmp_path / "nope.jpg"
    result = run("pose", str(missing), str(SAMPLE), "--json")
    assert result.returncode == 1
    assert one_error_line(result) == f"error: {missing}: no such file or folder; check the path"
    assert json.loads(result.stdout)["person"] is True


def test_text_file_renamed_jpg_is_one_line_exit_1(tmp_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("these are my notes, not a photo\n")
    result = run("pose", str(fake))
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith(f"error: {fake}: not a readable image")


def test_empty_folder_is_one_line_exit_1(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("pose", str(empty))
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"error: {empty}: no images found")


def test_damaged_model_is_one_line_exit_3(tmp_path):
    damaged = tmp_path / "pose_landmarker_full.task"
    shutil.copyfile(ROOT / "models" / estimator.MODEL_NAME, damaged)
    data = bytearray(damaged.read_bytes())
    data[1000] ^= 0x01
    damaged.write_bytes(bytes(data))
    result = run("pose", str(SAMPLE), env={estimator.MODEL_ENV: str(damaged)})
    assert result.returncode == 3
    line = one_error_line(result)
    assert line.startswith(f"error: pose model at {damaged} is damaged (sha256 ")
    assert "restore it with" in line


def test_missing_model_is_one_line_exit_3(tmp_path):
    result = run("pose", str(SAMPLE), env={estimator.MODEL_ENV: str(tmp_path / "gone.task")})
    assert result.returncode == 3
    assert one_error_line(result).startswith("error: pose model not found at ")


@needs_data
def test_folder_of_photos_is_read_in_name_order(tmp_path):
    result = run("pose", str(DATA / "Butt_Lift_Bridge"), "--json")
    assert result.returncode == 0, result.stderr
    paths = [Path(json.loads(line)["path"]).name for line in result.stdout.splitlines()]
    assert paths == ["0.jpg", "1.jpg"]


def test_a_run_of_the_model_leaves_stderr_empty_teardown_included():
    # MediaPipe writes INFO lines to descriptor 2 from C++, some at process exit.
    result = run("pose", str(SAMPLE), "--json")
    assert result.returncode == 0
    assert result.stderr == ""


def test_module_entry_point_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "posecheck", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"posecheck {__version__}"


def test_a_missing_photo_is_reported_before_the_model_loads(tmp_path):
    # With the model missing, loading it would exit 3; the missing photo comes first.
    missing = tmp_path / "nope.jpg"
    result = run("pose", str(missing), env={estimator.MODEL_ENV: str(tmp_path / "gone.task")})
    assert result.returncode == 1
    assert one_error_line(result) == f"error: {missing}: no such file or folder; check the path"


@pytest.mark.parametrize(
    ("option", "value"), [("--hold", "inf"), ("--hold", "3601"), ("--sample-fps", "1e9")]
)
def test_numbers_out_of_range_are_usage_errors(option, value):
    result = run(
        "score", str(ROOT / "samples" / "bridge_from_stills.jsonl"), "-s", "bridge", option, value
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert option in result.stderr
