"""Windows on the screen: whether one can be opened here, and `Window` itself.

A window is the one cv2 call that can take the whole process down (Qt aborts
when there is no usable X server), so whether a screen exists is decided here,
before any GUI call, and by a throwaway process where it is not certain.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import cv2

from posecheck.errors import InputError
from posecheck.io.video import Frame

# waitKeyEx rather than waitKey: waitKey keeps only the low byte of the key code,
# which turns arrow keys (0xFF51...) into letters such as 'Q'.
_QUIT_KEYS = frozenset({ord("q"), ord("Q"), 27})
_SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"))
# Where a local X server keeps its sockets, X0 for display :0 and so on.
X11_SOCKETS = Path("/tmp/.X11-unix")


class DisplayUnavailableError(InputError):
    """There is no screen to open a window on."""


def display_available() -> bool:
    """True where a window can be opened: Windows, macOS, or elsewhere with DISPLAY set."""
    if sys.platform in ("win32", "darwin"):
        return True
    # The opencv wheel's GUI (Qt via its xcb plugin) needs an X server. Without one
    # cv2.imshow aborts the whole process (SIGABRT), which no exception can catch,
    # so this has to be decided before any cv2 GUI call.
    display = os.environ.get("DISPLAY", "")
    if not display:
        return False
    # A local display ":N" (or ":N.screen") has a socket; a stale DISPLAY left
    # pointing at a stopped server would abort just the same.
    if display.startswith(":"):
        number = display[1:].split(".", 1)[0]
        return (X11_SOCKETS / f"X{number}").exists()
    return True


def _x_server_answers(display: str, timeout_s: float) -> bool:
    """Whether something accepts connections where ``display`` says the X server is."""
    host, _, rest = display.partition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    try:
        if host in ("", "unix"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout_s)
                s.connect(str(X11_SOCKETS / f"X{number}"))
        else:
            with socket.create_connection((host, 6000 + int(number)), timeout=timeout_s):
                pass
    except OSError:
        return False
    return True


# Open a window and close it again, in a throwaway process.
_WINDOW_PROBE = "import cv2; cv2.namedWindow('posecheck'); cv2.waitKey(1); cv2.destroyAllWindows()"
_window_probes: dict[str, bool] = {}


def display_works(timeout_s: float = 15.0) -> bool:
    """True where a window really opens: `display_available`, then a probe.

    A DISPLAY that names an unreachable or refusing X server makes the
    opencv wheel's Qt abort the whole process on the first window (SIGABRT,
    exit 134). So on Linux the server is first asked for a connection, and a
    throwaway process then opens and closes a window; only if both work does
    this process risk its own. The answer is kept per DISPLAY value.
    """
    if not display_available():
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    display = os.environ.get("DISPLAY", "")
    if display not in _window_probes:
        works = _x_server_answers(display, timeout_s=2.0)
        if works:
            try:
                probe = subprocess.run(
                    [sys.executable, "-c", _WINDOW_PROBE],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=timeout_s,
                    check=False,
                )
                works = probe.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                works = False
        _window_probes[display] = works
    return _window_probes[display]


class Window:
    """A window showing frames; `show` returns False once the user wants to stop."""

    def __init__(self, title: str) -> None:
        if not display_available():
            raise DisplayUnavailableError(
                "no display available to open a window (DISPLAY is not set); "
                "run from a desktop session, or save the result to a file instead"
            )
        self.title = title
        self._shown = False
        # The key pressed while the last frame was shown (its low 16 bits), if any.
        self.last_key: int | None = None
        # cv2 points Qt at a font folder its wheel does not ship, and Qt warns
        # about that on every window; use the system's fonts when there are some.
        current = os.environ.get("QT_QPA_FONTDIR")
        if not current or not Path(current).is_dir():
            for folder in _SYSTEM_FONT_DIRS:
                if folder.is_dir():
                    os.environ["QT_QPA_FONTDIR"] = str(folder)
                    break

    def __enter__(self) -> Window:
        return self

    def show(self, frame: Frame) -> bool:
        """Show a BGR uint8 frame; False once the user pressed q, Q or Esc or closed the window."""
        # Checked before imshow, which would reopen a window the user has closed.
        if self._shown and not self._visible():
            return False
        cv2.imshow(self.title, frame)
        self._shown = True
        key = cv2.waitKeyEx(1)
        # Bits above 16 can carry modifier state (Num Lock, Caps Lock).
        self.last_key = None if key == -1 else key & 0xFFFF
        return self.last_key is None or self.last_key not in _QUIT_KEYS

    def _visible(self) -> bool:
        try:
            return float(cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE)) >= 1
        except cv2.error:  # some backends raise once the window is gone
            return False

    def close(self) -> None:
        """Destroy the window; safe to call twice or after the user closed it."""
        if self._shown:
            self._shown = False
            try:
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)  # the window only goes once GUI events are pumped
            except cv2.error:
                pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
