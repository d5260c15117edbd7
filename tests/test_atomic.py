"""posecheck.atomic: an output is written whole or not at all, and a refusal is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck import atomic
from posecheck.errors import InputError


def test_a_clean_block_publishes_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "report.csv"
    target.write_text("old\n")
    with atomic.Partial(target) as partial:
        assert partial.temp == tmp_path / ".report.csv.partial"
        partial.temp.write_text("new\n")
        assert target.read_text() == "old\n"  # untouched until the block ends
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_block_removes_the_temporary_and_keeps_the_old_file(
    tmp_path: Path, error: type[BaseException]
):
    target = tmp_path / "report.csv"
    target.write_text("old\n")
    with pytest.raises(error), atomic.Partial(target) as partial:
        partial.temp.write_text("half")
        raise error
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_keep_on_error_publishes_what_was_written(tmp_path: Path):
    target = tmp_path / "session.jsonl"
    with pytest.raises(KeyboardInterrupt), atomic.Partial(target, keep_on_error=True) as p:
        p.temp.write_text("frames so far\n")
        raise KeyboardInterrupt
    assert target.read_text() == "frames so far\n"


def test_a_block_that_wrote_nothing_leaves_no_file(tmp_path: Path):
    with atomic.Partial(tmp_path / "nothing.mp4", keep_suffix=True) as partial:
        assert partial.temp.name == ".nothing.partial.mp4"  # cv2 picks the format by suffix
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused_before_anything_is_written(tmp_path: Path):
    target = tmp_path / "nowhere" / "out.csv"
    with pytest.raises(InputError) as error:
        atomic.Partial(target, option="--csv")
    assert str(error.value) == (
        f"{target.parent}: no such folder; create it first or pick another --csv"
    )


def test_write_replaces_the_whole_file(tmp_path: Path):
    target = tmp_path / "report.html"
    atomic.write(target, "<p>one</p>")
    atomic.write(target, b"<p>two</p>")
    assert target.read_text() == "<p>two</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_rename_the_system_refuses_is_one_line_and_leaves_nothing(tmp_path: Path):
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the rename fails
    (target / "inside").write_text("keep me")
    with pytest.raises(InputError) as error:
        atomic.write(target, "data")
    message = str(error.value)
    assert message.startswith(f"{target}: cannot be written (") and "\n" not in message
    assert message.endswith("; pick another output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
