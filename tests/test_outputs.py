"""Outputs never destroy data: every output path is checked before any work starts.

Unit tests for the planning functions, then the commands as a user runs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from posecheck.io import outputs
from tests.helpers import DATA, ROOT, needs_data, one_error_line, run

DEMO = ROOT / "samples" / "bridge_from_stills.jsonl"
CLIP = ROOT / "samples" / "pose2sim_cam01_portrait.mp4"


# --- planning -----------------------------------------------------------------


def test_labels_are_stems_when_they_differ():
    assert outputs.unique_labels([Path("a/clip1.mp4"), Path("b/clip2.mp4")]) == ["clip1", "clip2"]


def test_labels_keep_folders_where_stems_clash(tmp_path: Path):
    paths = [tmp_path / "d1" / "clip.mp4", tmp_path / "d2" / "clip.mp4", tmp_path / "x.mp4"]
    assert outputs.unique_labels(paths) == ["d1-clip", "d2-clip", "x"]


def test_labels_go_as_deep_as_needed(tmp_path: Path):
    paths = [tmp_path / "p" / "same" / "clip.mp4", tmp_path / "q" / "same" / "clip.mp4"]
    assert outputs.unique_labels(paths) == ["p-same-clip", "q-same-clip"]


def test_labels_add_the_suffix_and_then_a_number(tmp_path: Path):
    paths = [tmp_path / "clip.mp4", tmp_path / "clip.jsonl", tmp_path / "clip.mp4"]
    labels = outputs.unique_labels(paths)
    assert len(set(labels)) == 3
    assert labels == ["clip-mp4", "clip-jsonl", "clip-mp4-2"]


def test_derived_name():
    assert outputs.derived(Path("out/report.html"), "d1-clip") == Path("out/report-d1-clip.html")


def test_an_output_that_is_an_input_is_refused(tmp_path: Path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x")
    problems = outputs.check_outputs([video], {"--html": tmp_path / "." / "v.mp4"})
    assert problems == [
        f"{tmp_path / '.' / 'v.mp4'}: --html would overwrite the input {video}; pick another name"
    ]


def test_two_outputs_with_one_path_are_refused(tmp_path: Path):
    target = tmp_path / "r.out"
    problems = outputs.check_outputs([], {"--html": target, "--csv": target})
    assert problems == [f"{target}: given to both --html and --csv; give each output its own name"]


def test_missing_and_unwritable_folders_are_named(tmp_path: Path):
    problems = outputs.check_outputs(
        [], {"--csv": Path("/proc/r.csv"), "--html": tmp_path / "nope" / "r.html"}
    )
    assert problems[0].startswith("/proc/r.csv: --csv cannot write files here")
    assert problems[1] == (
        f"{tmp_path / 'nope' / 'r.html'}: --html no such folder; "
        "create it first or pick another output"
    )


def test_a_folder_as_an_output_is_refused(tmp_path: Path):
    assert outputs.check_outputs([], {"--csv": tmp_path}) == [
        f"{tmp_path}: --csv names a folder; give a file name"
    ]


def test_the_probe_leaves_nothing_behind(tmp_path: Path):
    assert outputs.folder_problem(tmp_path) is None
    assert list(tmp_path.iterdir()) == []


# --- the commands -------------------------------------------------------------


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)
    return dst


@pytest.mark.parametrize("option", ["--html", "--csv", "--annotated"])
def test_score_refuses_to_overwrite_its_input(tmp_path: Path, option: str):
    video = _copy(CLIP, tmp_path / "v.mp4")
    before = video.read_bytes()
    result = run("score", str(video), "-s", "bridge", option, str(video))
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"error: {video}: {option} would overwrite the input {video}; pick another name"
    )
    assert video.read_bytes() == before
    assert result.stdout == ""  # refused before any scoring


def test_score_refuses_two_outputs_on_one_path(tmp_path: Path):
    target = tmp_path / "out.x"
    result = run("score", str(DEMO), "-s", "bridge", "--html", str(target), "--csv", str(target))
    assert result.returncode == 1
    assert "given to both --html and --csv" in one_error_line(result)
    assert not target.exists()


def test_a_bad_destination_is_found_before_scoring(tmp_path: Path):
    result = run("score", str(DEMO), "-s", "bridge", "--csv", "/proc/r.csv")
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith("error: /proc/r.csv: --csv cannot write files here")
    assert result.stdout == ""


def test_same_named_inputs_in_two_folders_get_two_reports(tmp_path: Path):
    a = _copy(DEMO, tmp_path / "d1" / "clip.jsonl")
    b = _copy(DEMO, tmp_path / "d2" / "clip.jsonl")
    report = tmp_path / "r.html"
    result = run("score", str(a), str(b), "-s", "bridge", "--html", str(report), "--workers", "1")
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.glob("r-*.html"))
    assert written == ["r-d1-clip.html", "r-d2-clip.html"]
    assert f"HTML report: {tmp_path / 'r-d1-clip.html'}" in result.stdout


@needs_data
def test_annotating_same_named_photos_keeps_them_all(tmp_path: Path):
    photos = [DATA / f"{name}/0.jpg" for name in ("Butt_Lift_Bridge", "Childs_Pose", "Cat_Stretch")]
    result = run("pose", *map(str, photos), "--annotate", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "Butt_Lift_Bridge-0_pose.jpg",
        "Cat_Stretch-0_pose.jpg",
        "Childs_Pose-0_pose.jpg",
    ]


def test_one_photo_keeps_its_plain_annotated_name(tmp_path: Path):
    photo = ROOT / "samples" / "sports2d_two_people.jpg"
    result = run("pose", str(photo), "--annotate", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["sports2d_two_people_pose.jpg"]


def test_live_refuses_to_record_over_its_source(tmp_path: Path):
    source = _copy(DEMO, tmp_path / "s.jsonl")
    before = source.read_bytes()
    result = run(
        "live",
        "-s",
        "bridge",
        "--source",
        str(source),
        "--record",
        str(source),
        "--out",
        str(tmp_path / "o.mp4"),
    )
    assert result.returncode == 1
    assert "--record would overwrite the input" in one_error_line(result)
    assert source.read_bytes() == before


def test_live_on_a_recording_with_no_frames_claims_no_video(tmp_path: Path):
    header_only = tmp_path / "empty.jsonl"
    header_only.write_text(DEMO.read_text().splitlines()[0] + "\n")
    out = tmp_path / "o.mp4"
    result = run("live", "-s", "bridge", "--source", str(header_only), "--out", str(out))
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"error: {header_only}: has a header but no frames")
    assert "overlay video:" not in result.stdout
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


def _frames(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


def test_ctrl_c_during_live_out_keeps_the_video_so_far(tmp_path: Path):
    out = tmp_path / "o.mp4"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posecheck",
            "live",
            "-s",
            "bridge",
            "--source",
            str(DEMO),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    # Wait until the session is under way, then press Ctrl-C (SIGINT to the process).
    for line in process.stdout:
        if "hold started" in line:
            break
    process.send_signal(signal.SIGINT)
    rest, err = process.communicate(timeout=60)
    assert "stopped" in rest
    assert f"overlay video: {out}" in rest
    assert "Traceback" not in err
    assert _frames(out) > 30
    assert not list(tmp_path.glob(".*partial*"))


def test_an_unreachable_display_falls_back_to_a_file(tmp_path: Path):
    # Nothing listens on display 77 (port 6077): Qt would abort the process.
    result = subprocess.run(
        [sys.executable, "-m", "posecheck", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DISPLAY": "localhost:77.0"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "the display localhost:77.0 cannot be used" in result.stdout
    assert (tmp_path / "posecheck-demo.mp4").is_file()
