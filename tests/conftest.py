"""pytest configuration. Shared helpers live in tests/helpers.py."""

from __future__ import annotations

import signal

import pytest

# A test run started in the background by a non-interactive shell inherits
# SIGINT ignored, and an ignored signal stays ignored in every process it
# starts: the posecheck commands the Ctrl-C tests interrupt would never see
# it. With Python's own handler back here, each child starts with the default
# (a handler is reset on exec; only "ignored" is inherited).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path_factory, monkeypatch):
    """Every test that runs live, demo or score logs into a throwaway history file,
    never the user's own (~/.local/share/posecheck); subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("POSECHECK_DB", str(folder / "history.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg"))
