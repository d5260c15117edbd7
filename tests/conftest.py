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
