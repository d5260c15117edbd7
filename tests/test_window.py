"""The live window: sized to fit the screen, full screen on `f`, keys named; and, under
Xvfb at 1280x800, a 1080p video shown whole with its degrees and ticks and crosses."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.draw import style
from posecheck.io import video, window
from tests import xdisplay
from tests.helpers import CLI_CODE, DATA, needs_data


@pytest.mark.parametrize(
    ("image", "screen"),
    [((1920, 1080), (1280, 800)), ((850, 567), (1280, 800)), ((720, 1280), (1366, 768))],
)
def test_a_window_opens_inside_the_screen_with_the_pictures_shape(image, screen):
    w, h = window.fitted_size(image, screen)
    assert w <= screen[0] and h <= 0.9 * screen[1]
    assert abs(w / h - image[0] / image[1]) < 0.01
    assert w <= image[0] and h <= image[1]  # never enlarged on opening
    if image == (850, 567):
        assert (w, h) == image  # one that fits keeps its own size


def test_keys_are_named_whatever_the_modifiers():
    assert window.key_name(-1) is None
    assert window.key_name(ord("f")) == "f"
    assert window.key_name(ord("S") | 0x100000) == "s"  # Caps Lock in the high bits
    assert window.key_name(27) == "esc" and window.key_name(32) == "space"
    assert window.key_name(0xFF51) is None  # an arrow key is not a letter


def _can_drive_a_window() -> bool:
    return (
        window.display_available()
        and all(shutil.which(tool) for tool in ("import", "xwininfo"))
        and xdisplay.xtest_available()
    )


needs_window = pytest.mark.skipif(
    not _can_drive_a_window(),
    reason="needs a display (Xvfb), xwininfo, ImageMagick's `import` and libXtst",
)


@needs_window
def test_the_screen_size_is_the_x_servers():
    size = window.screen_size()
    assert size is not None
    out = subprocess.run(["xwininfo", "-root"], capture_output=True, text=True, check=True)
    assert f"Width: {size[0]}" in out.stdout and f"Height: {size[1]}" in out.stdout


def _clip_1080p(path: Path) -> None:
    """A 1920x1080 video, 60 s at 10 fps, of a real bridge with the hips down: some
    checks pass, one fails. Long enough to outlast a slow start on a busy machine."""
    photo = video.read_image(DATA / "Butt_Lift_Bridge/0.jpg")
    h, w = photo.shape[:2]
    scale = min(1920 / w, 1080 / h)
    fitted = cv2.resize(photo, (round(w * scale), round(h * scale)))
    frame = np.zeros((1080, 1920, 3), np.uint8)
    y, x = (1080 - fitted.shape[0]) // 2, (1920 - fitted.shape[1]) // 2
    frame[y : y + fitted.shape[0], x : x + fitted.shape[1]] = fitted
    with video.VideoWriter(path, 10.0) as writer:
        for _ in range(600):
            writer.write(frame)


def _palette_pixels(screen: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int((np.abs(screen.astype(int) - np.array(colour)).max(axis=2) <= 3).sum())


def _settles_at(title: str, geometry: tuple[int, int, int, int], within_s: float = 40.0) -> bool:
    """Whether the window takes ``geometry`` within ``within_s`` (frames come slowly on a
    busy machine, and the window acts on a key as it shows the next one)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if xdisplay.window_geometry(title) == geometry:
            return True
        time.sleep(0.2)
    return False


@needs_data
@needs_window
def test_a_1080p_source_fits_the_screen_and_f_toggles_full_screen(tmp_path: Path):
    clip = tmp_path / "clip.mp4"
    _clip_1080p(clip)
    screen_w, screen_h = window.screen_size() or (0, 0)
    title = "posecheck: Bridge"
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, "live", "--stretch", "bridge", "--source", str(clip)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        x, y, w, h = xdisplay.wait_for_window(title, process)
        # The window appears at OpenCV's default size first and is fitted as it
        # shows its first frame, which a busy machine can delay.
        deadline = time.monotonic() + 15.0
        while abs(w / h - 1920 / 1080) >= 0.02 and time.monotonic() < deadline:
            time.sleep(0.2)
            x, y, w, h = xdisplay.window_geometry(title) or (x, y, w, h)
        # Whole on the screen, the picture's shape kept.
        assert x >= 0 and y >= 0 and x + w <= screen_w and y + h <= screen_h, (x, y, w, h)
        assert abs(w / h - 1920 / 1080) < 0.02
        # Ticks on discs of the pass colour, a cross on the fail colour (see the
        # screenshot by eye for the "°" in the labels), once the checks settle.
        shot = tmp_path / "window.png"
        xdisplay.wake()
        for _ in range(20):
            time.sleep(1.0)
            subprocess.run(["import", "-window", "root", str(shot)], check=True, timeout=30)
            picture = video.read_image(shot)[y : y + h, x : x + w]
            passed = _palette_pixels(picture, style.DEFAULT_STYLE.passed)
            failed = _palette_pixels(picture, style.DEFAULT_STYLE.failed)
            if passed > 50 and failed > 50:
                break
        assert passed > 50 and failed > 50, (passed, failed)
        centre = (x + w // 2, y + h // 2)
        xdisplay.press("f", centre)
        assert _settles_at(title, (0, 0, screen_w, screen_h))
        xdisplay.press("f", (screen_w // 2, screen_h // 2))
        assert _settles_at(title, (x, y, w, h))
        back = (x, y, w, h)
        xdisplay.press("q", (back[0] + w // 2, back[1] + h // 2))
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "No hold was started." in stdout  # the hips stay down throughout


@needs_window
def test_out_and_the_window_at_the_same_time(tmp_path: Path):
    out = tmp_path / "demo.mp4"
    process = subprocess.Popen(
        [sys.executable, "-c", CLI_CODE, "demo", "--out", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        xdisplay.wait_for_window("posecheck: Bridge", process)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"overlay video: {out}" in stdout
    assert "instead of a window" not in stdout
    assert video.probe_video(out).frames > 250


@needs_window
def test_the_window_passes_keys_on_and_space_pauses_until_pressed_again():
    from posecheck.catalog.reference import load_references
    from posecheck.coaching.coach import Coach
    from posecheck.io import recording
    from posecheck.run import live
    from tests.helpers import ROOT

    detection = next(recording.read_detections(ROOT / "samples" / "bridge_from_stills.jsonl"))
    result = Coach(load_references()["bridge"]).step(detection)
    frame = np.full((480, 640, 3), 60, np.uint8)
    keys: list[str] = []
    with window.Window("posecheck: keys") as shown:
        sink = live.WindowSink(shown, paced=False, keys=(("s", "skip"),), on_key=keys.append)
        assert sink.show(frame, result)
        x, y, w, h = xdisplay.wait_for_window("posecheck: keys")
        centre = (x + w // 2, y + h // 2)
        xdisplay.press("s", centre)
        for _ in range(20):
            if keys:
                break
            assert sink.show(frame, result)
            time.sleep(0.05)
        assert keys == ["s"]
        # Space pauses: show() waits, still taking keys, until space again.
        later = threading.Timer(1.0, lambda: [xdisplay.press(k, centre) for k in ("r", "space")])
        xdisplay.press("space", centre)
        later.start()
        began = time.monotonic()
        for _ in range(20):
            if not sink.show(frame, result) or time.monotonic() - began > 0.9:
                break
            time.sleep(0.05)
        later.join()
        assert time.monotonic() - began >= 0.9, "show() waited while paused"
        assert keys == ["s", "r"]


def test_with_no_display_the_screen_size_is_unknown(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(window.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    assert window.screen_size() is None
    # A window is then fitted into the fallback size.
    assert window.fitted_size((1920, 1080), window.FALLBACK_SCREEN) == (1126, 634)
