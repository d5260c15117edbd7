"""Windows on the screen: whether one can be opened here, the screen's size, and
`Window` itself.

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

# Keys (as `key_name` gives them) that end a window's session.
_QUIT_KEYS = frozenset({"q", "esc"})
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


# How many frames a window manager gets to make a window full screen (counted,
# not timed: no module below run/ reads the clock).
_FULL_SCREEN_WAIT_FRAMES = 10
# Where the screen size cannot be found, a window is fitted into this.
FALLBACK_SCREEN = (1280, 720)
# Share of the screen a window may take on opening, leaving room for the title
# bar, a taskbar or a dock.
_SCREEN_SHARE_W, _SCREEN_SHARE_H = 0.95, 0.88


def screen_size() -> tuple[int, int] | None:
    """The screen's size in pixels (width, height), or None where it cannot be found.

    Asked of the system itself, with no extra library: Xlib through ctypes on
    Linux and other X11 systems (the whole X screen, which spans every monitor
    of a multi-monitor desktop), GetSystemMetrics on Windows. macOS answers None.
    """
    if sys.platform == "win32":
        import ctypes

        user32 = ctypes.WinDLL("user32")  # type: ignore[attr-defined,unused-ignore]
        w, h = int(user32.GetSystemMetrics(0)), int(user32.GetSystemMetrics(1))
        return (w, h) if w > 0 and h > 0 else None
    if sys.platform == "darwin" or not display_available():
        return None
    return _x_screen_size()


def _x_screen_size() -> tuple[int, int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        xlib = ctypes.CDLL(name)
    except OSError:
        return None
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for function in ("XDefaultScreen", "XDisplayWidth", "XDisplayHeight", "XCloseDisplay"):
        getattr(xlib, function).restype = ctypes.c_int
    xlib.XDefaultScreen.argtypes = [ctypes.c_void_p]
    xlib.XDisplayWidth.argtypes = xlib.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = xlib.XOpenDisplay(None)
    if not display:
        return None
    try:
        screen = xlib.XDefaultScreen(display)
        w, h = int(xlib.XDisplayWidth(display, screen)), int(xlib.XDisplayHeight(display, screen))
    finally:
        xlib.XCloseDisplay(display)
    return (w, h) if w > 0 and h > 0 else None


def fitted_size(image_wh: tuple[int, int], screen_wh: tuple[int, int]) -> tuple[int, int]:
    """The window size that shows an image whole on the screen, its aspect ratio kept:
    the image's own size when it fits, else shrunk (never enlarged on opening)."""
    w, h = image_wh
    room_w, room_h = screen_wh[0] * _SCREEN_SHARE_W, screen_wh[1] * _SCREEN_SHARE_H
    scale = min(1.0, room_w / w, room_h / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def key_name(code: int) -> str | None:
    """A key code from ``waitKeyEx`` as a name: "esc", "space" or the character in
    lower case; None for no key or one with no name here (arrows, function keys)."""
    if code == -1:
        return None
    code &= 0xFFFF  # bits above 16 can carry modifier state (Num Lock, Caps Lock)
    if code == 27:
        return "esc"
    if code == 32:
        return "space"
    if 33 <= code < 127:
        return chr(code).lower()
    return None


class Window:
    """A window showing frames, sized to fit the screen when it opens.

    It can be resized with its image's aspect ratio kept, has no toolbar, and
    answers keys itself: ``f`` toggles full screen, ``q`` or Esc ends (`show`
    returns False). Any other key is left in `pressed` for the caller (the
    live loop pauses on space; routines skip and repeat on s and r).
    """

    def __init__(self, title: str) -> None:
        if not display_available():
            raise DisplayUnavailableError(
                "no display available to open a window (DISPLAY is not set); "
                "run from a desktop session, or save the result to a file instead"
            )
        self.title = title
        self.pressed: str | None = None
        self.full_screen = False
        self._shown = False
        self._screen = FALLBACK_SCREEN
        # Where the window was before full screen, and frames shown since it was asked for.
        self._windowed: tuple[int, int, int, int] | None = None
        self._asked_at: int | None = None
        self._grown = False
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

    def _open(self, frame: Frame) -> None:
        """Create the window for the first frame, fitted to the screen."""
        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        cv2.namedWindow(self.title, flags)
        self._screen = screen = screen_size() or FALLBACK_SCREEN
        w, h = fitted_size((frame.shape[1], frame.shape[0]), screen)
        cv2.resizeWindow(self.title, w, h)
        # Where it goes is left to the window manager, which knows which monitor
        # is in use (the X screen spans them all); with none, it opens at the corner.

    def show(self, frame: Frame) -> bool:
        """Show a BGR uint8 frame and take one key press; False once the user pressed
        q, Q or Esc or closed the window. The key, if any, is left in `pressed`."""
        # Checked before imshow, which would reopen a window the user has closed.
        if self._shown and not self._visible():
            return False
        if not self._shown:
            self._open(frame)
        cv2.imshow(self.title, frame)
        self._shown = True
        self._full_screen_taken()
        return self.wait_key(1)

    def wait_key(self, ms: int) -> bool:
        """Pump the window's events for up to ``ms`` ms (at least 1) and take one key,
        as `show` does; False once the user wants to stop."""
        # waitKeyEx rather than waitKey: waitKey keeps only the low byte of the key
        # code, which turns arrow keys (0xFF51...) into letters such as 'Q'.
        self.pressed = key_name(cv2.waitKeyEx(max(1, ms)))
        if self.pressed == "f":
            self.toggle_full_screen()
        if self._shown and not self._visible():
            return False
        return self.pressed not in _QUIT_KEYS

    def toggle_full_screen(self) -> None:
        """Full screen on, or back to the window it was.

        Full screen is asked of the window manager; where none takes it (no
        window manager at all, as under Xvfb), the window is moved to the
        corner and grown to the screen instead, a few frames later.
        """
        if not self._shown:
            return
        self.full_screen = not self.full_screen
        if self.full_screen:
            self._windowed = self.image_rect()
            self._asked_at = 0
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
            return
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_NORMAL)
        if self._grown and self._windowed is not None:  # grown by hand: undone by hand
            x, y, w, h = self._windowed
            cv2.resizeWindow(self.title, w, h)
            cv2.moveWindow(self.title, x, y)
        self._asked_at = None
        self._grown = False

    def _full_screen_taken(self) -> None:
        """A few frames after full screen was asked for: grow the window by hand if
        the picture still fills neither the screen's width nor its height."""
        if self._asked_at is None:
            return
        self._asked_at += 1
        if self._asked_at < _FULL_SCREEN_WAIT_FRAMES:
            return
        self._asked_at = None
        _, _, w, h = self.image_rect()
        if w < self._screen[0] and h < self._screen[1]:
            cv2.moveWindow(self.title, 0, 0)
            cv2.resizeWindow(self.title, *self._screen)
            self._grown = True

    def image_rect(self) -> tuple[int, int, int, int]:
        """Where the picture is on the screen: x, y, width, height."""
        x, y, w, h = cv2.getWindowImageRect(self.title)
        return int(x), int(y), int(w), int(h)

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
