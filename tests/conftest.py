"""pytest configuration. Shared helpers live in tests/helpers.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path_factory, monkeypatch):
    """Every test that runs live, demo or score logs into a throwaway history file,
    never the user's own (~/.local/share/posecheck); subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("POSECHECK_DB", str(folder / "history.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg"))


# Tests that open a real window on the one display (Xvfb in CI), find it by its
# title, press keys in it or take screenshots of the screen. Run in parallel
# (pytest-xdist) they would see each other's windows, so they all go to one
# worker, one after another. A new test that opens a window belongs here.
ON_THE_DISPLAY = (
    "tests/test_window.py::",
    "tests/test_live.py::test_live_window_",
    "tests/test_recognize.py::test_live_auto_in_a_window",
    "tests/test_routines_cli.py::test_s_in_the_window",
    "tests/test_routine_e2e.py::test_live_hip_flexor_relief_in_a_window",
    "tests/test_video.py::test_a_real_window",
)


# The Ray tests: one starts a local Ray, another asks for a cluster at
# `--address auto`, which would find the first one's.
ONE_RAY = ("tests/test_batch_ray.py::",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(ON_THE_DISPLAY):
            item.add_marker(pytest.mark.xdist_group("display"))
        elif item.nodeid.startswith(ONE_RAY):
            item.add_marker(pytest.mark.xdist_group("ray"))
