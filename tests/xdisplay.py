"""Test helpers that act on an X display the way a person would: find a window, press
a key in it. Xlib and its XTest extension through ctypes, so no extra package."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import subprocess
import time


def window_geometry(title: str) -> tuple[int, int, int, int] | None:
    """x, y, width and height of the top-level window named ``title`` (None if none)."""
    found = subprocess.run(
        ["xwininfo", "-name", title], capture_output=True, text=True, check=False, timeout=10
    )
    if found.returncode != 0:
        return None
    fields = {}
    for key in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"):
        match = re.search(rf"{key}:\s+(-?\d+)", found.stdout)
        if match is None:
            return None
        fields[key] = int(match.group(1))
    return tuple(fields.values())  # type: ignore[return-value]


def wait_for_window(
    title: str, process: subprocess.Popen[str] | None = None, timeout_s: float = 90.0
) -> tuple[int, int, int, int]:
    """The geometry of the window named ``title`` once it is there; when ``process``
    was to open it, what the process said if it ends or takes too long first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        geometry = window_geometry(title)
        if geometry is not None and geometry[2] > 1:
            return geometry
        time.sleep(0.25)
    if process is None:
        raise AssertionError(f"no window named {title!r} within {timeout_s} s")
    if process.poll() is None:
        process.kill()
    stdout, stderr = process.communicate(timeout=30)
    raise AssertionError(f"no window named {title!r}; the command said: {stdout}{stderr}")


def _xlib() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XStringToKeysym.restype = ctypes.c_ulong
    x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
    x11.XKeysymToKeycode.restype = ctypes.c_ubyte
    x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XFlush.argtypes = x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XResetScreenSaver.argtypes = [ctypes.c_void_p]
    xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
    xtst.XTestFakeMotionEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_ulong,
    ]
    return x11, xtst


def xtest_available() -> bool:
    try:
        _xlib()
    except OSError:
        return False
    return True


def press(key: str, at: tuple[int, int]) -> None:
    """Press and release ``key`` (an X keysym name: "f", "q", "space") with the pointer
    at ``at``, so the window under it gets the key even with no window manager."""
    x11, xtst = _xlib()
    display = x11.XOpenDisplay(None)
    if not display:
        raise AssertionError("cannot open the X display")
    try:
        xtst.XTestFakeMotionEvent(display, -1, at[0], at[1], 0)
        code = x11.XKeysymToKeycode(display, x11.XStringToKeysym(key.encode()))
        xtst.XTestFakeKeyEvent(display, code, 1, 0)
        xtst.XTestFakeKeyEvent(display, code, 0, 0)
        x11.XFlush(display)
    finally:
        x11.XCloseDisplay(display)


def wake() -> None:
    """Reset the X server's screen saver, which blanks an idle Xvfb after 10 minutes
    (a screenshot is then all black). Does nothing where Xlib cannot be loaded."""
    try:
        x11, _ = _xlib()
    except OSError:
        return
    display = x11.XOpenDisplay(None)
    if not display:
        raise AssertionError("cannot open the X display")
    try:
        x11.XResetScreenSaver(display)
        x11.XFlush(display)
    finally:
        x11.XCloseDisplay(display)
