"""posecheck.io.video and posecheck.io.window: photos, videos, atomic writing, cameras, windows.

Test videos are written in tmp_path by the module's own VideoWriter from a real
photo, shifted per frame so that the frames differ. Cameras and GUI calls are
replaced by small fakes; a real window opens only where a display exists.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.errors import InputError
from posecheck.io import video, window
from posecheck.io.video import VideoWriter
from posecheck.io.window import DisplayUnavailableError
from tests.helpers import DATA, ROOT

PHOTO = DATA / "Butt_Lift_Bridge" / "1.jpg"
SIZE = (160, 120)  # width, height of the test videos


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    if not PHOTO.is_file():
        pytest.skip(f"real photo not found at {PHOTO} (../shared/data/fedb beside the checkout)")
    return cv2.resize(video.read_image(PHOTO), SIZE)


def frames_from(photo: np.ndarray, n: int) -> list[np.ndarray]:
    return [np.roll(photo, 4 * i, axis=1) for i in range(n)]


def write_clip(path: Path, frames: list[np.ndarray], fps: float = 25.0) -> Path:
    with VideoWriter(path, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return path


@pytest.fixture
def clip(tmp_path: Path, photo: np.ndarray) -> Path:
    """Ten 160x120 frames at 25 fps."""
    return write_clip(tmp_path / "clip.mp4", frames_from(photo, 10))


def with_rotation_90(mp4: bytes) -> bytes:
    """Set the track's display matrix (in its tkhd box) to a 90 degree rotation."""
    data = bytearray(mp4)
    at = data.index(b"tkhd")
    version = data[at + 4]
    # tkhd: version+flags, times/track id/duration (20 or 32 bytes), 16 more, then the matrix.
    matrix = at + 8 + (20 if version == 0 else 32) + 16
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30)
    return bytes(data)


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """Insert an EXIF (APP1) segment holding only the Orientation tag after the JPEG's SOI."""
    ifd = struct.pack("<HHHIHH", 1, 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


# --- reading videos ------------------------------------------------------------------


def test_video_frames_are_timed_by_the_file(clip: Path, photo: np.ndarray):
    got = list(video.video_frames(clip))
    assert [t for _, t in got] == [40 * i for i in range(10)]
    frame = got[3][0]
    assert frame.shape == (120, 160, 3) and frame.dtype == np.uint8
    # mp4v is lossy: compare loosely with the frame that was written.
    assert np.abs(frame.astype(int) - frames_from(photo, 4)[3]).mean() < 12


def test_probe_video_describes_the_file(clip: Path):
    info = video.probe_video(clip)
    assert (info.path, info.width, info.height) == (str(clip), 160, 120)
    assert info.fps == pytest.approx(25.0)
    assert info.frames == 10
    assert info.duration_s == pytest.approx(0.4)
    assert info.rotation_deg == 0


def test_rotation_metadata_is_reported_and_applied(clip: Path):
    rotated = clip.with_name("rotated.mp4")
    rotated.write_bytes(with_rotation_90(clip.read_bytes()))
    info = video.probe_video(rotated)
    assert (info.rotation_deg, info.width, info.height) == (90, 120, 160)
    frames = [f for f, _ in video.video_frames(rotated)]
    assert len(frames) == 10 and frames[0].shape == (160, 120, 3)


def test_a_text_file_named_mp4_is_an_input_error(tmp_path: Path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my notes, not a video\n" * 20)
    with pytest.raises(InputError, match=r"notes.mp4: not a readable video"):
        video.probe_video(fake)
    with pytest.raises(InputError, match=r"notes.mp4: not a readable video"):
        next(video.video_frames(fake))


def test_a_missing_video_or_a_folder_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match=r"gone.mp4: no such file; check the path"):
        video.probe_video(tmp_path / "gone.mp4")
    with pytest.raises(InputError, match=r"is a folder"):
        next(video.video_frames(tmp_path))


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        # The index (moov) comes first ("faststart"): half of it cannot be opened.
        (lambda data: data[: data.index(b"moov") + 200], "not a readable video"),
        # Index whole but the frame data (mdat) gone: it opens and then decodes nothing.
        (lambda data: data[: data.index(b"mdat") + 4], "no frame could be decoded"),
    ],
    ids=["index-cut", "frames-cut"],
)
def test_a_truncated_video_is_an_input_error(clip: Path, cut, message):
    broken = clip.with_name("broken.mp4")
    broken.write_bytes(cut(clip.read_bytes()))
    with pytest.raises(InputError, match=f"broken.mp4: {message}"):
        video.probe_video(broken)
    with pytest.raises(InputError, match=f"broken.mp4: {message}"):
        list(video.video_frames(broken))


def test_a_span_of_a_video_holds_exactly_the_frames_of_a_whole_read(
    tmp_path: Path, photo: np.ndarray
):
    """Chunks of work read spans; seeking must neither lose nor repeat a frame."""
    clip = write_clip(tmp_path / "long.mp4", frames_from(photo, 75))  # 3 s at 25 fps
    whole = list(video.video_frames(clip))
    for start_ms, end_ms in [(0, 1000), (1000, 2000), (1200, 2480), (2000, None), (2950, None)]:
        span = list(video.video_frames(clip, start_ms, end_ms))
        expected = [(f, t) for f, t in whole if t >= start_ms and (end_ms is None or t < end_ms)]
        assert [t for _, t in span] == [t for _, t in expected], (start_ms, end_ms)
        for (a, _), (b, _) in zip(span, expected, strict=True):
            assert np.array_equal(a, b)


def test_a_span_of_a_real_h264_clip_matches_a_whole_read():
    clip = ROOT / "samples" / "sports2d_demo.mp4"
    whole = [(f, t) for f, t in video.video_frames(clip) if 4000 <= t < 5500]
    span = list(video.video_frames(clip, 4000, 5500))
    assert [t for _, t in span] == [t for _, t in whole] and len(span) == 45
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(span, whole, strict=True))


def test_a_file_that_cannot_be_opened_is_one_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    locked = write_clip(tmp_path / "locked.mp4", [np.zeros((120, 160, 3), np.uint8)] * 2)
    real_open = Path.open

    def open_denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", open_denied)
    message = rf"^{locked}: cannot be read \(Permission denied\); check the file and its perm"
    with pytest.raises(InputError, match=message):
        video.probe_video(locked)
    with pytest.raises(InputError, match=message):
        next(video.video_frames(locked))
    with pytest.raises(InputError, match=message):
        video.read_image(locked)


def test_a_name_too_long_for_the_system_is_an_input_error(tmp_path: Path):
    long_name = tmp_path / ("x" * 300 + ".mp4")
    with pytest.raises(InputError, match=r"cannot be read \(File name too long\)"):
        video.probe_video(long_name)


def test_photos_are_told_apart_from_videos_by_content(tmp_path: Path, clip: Path):
    jpeg = tmp_path / "photo_named.mp4"
    jpeg.write_bytes(PHOTO.read_bytes())
    assert video.is_photo(jpeg) and video.is_photo(PHOTO)
    assert not video.is_photo(clip)
    assert not video.is_photo(tmp_path / "missing.mov")


class FakeCapture:
    """Stands in for cv2.VideoCapture: scripted frame times, records release()."""

    released = 0

    def __init__(self, times_ms: list[float], fps: float, opened: bool = True) -> None:
        self.times_ms, self.fps, self.opened, self.read_count = times_ms, fps, opened, 0

    def isOpened(self) -> bool:  # noqa: N802 - cv2's name
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.read_count >= len(self.times_ms):
            return False, None
        self.read_count += 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self.times_ms[self.read_count - 1]
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        FakeCapture.released += 1


@pytest.fixture
def fake_capture(monkeypatch: pytest.MonkeyPatch):
    """Install a FakeCapture factory; returns a function that sets its script."""
    FakeCapture.released = 0
    script: dict[str, object] = {"times_ms": [], "fps": 25.0, "opened": True}
    monkeypatch.setattr(cv2, "VideoCapture", lambda *args: FakeCapture(**script))

    def configure(**kwargs: object) -> None:
        script.update(kwargs)

    return configure


@pytest.mark.parametrize(
    ("times_ms", "fps", "expected"),
    [
        ([0, 0, 40, 40, 30, 250.4], 25.0, [0, 40, 80, 120, 160, 250]),
        ([0, 0, 0], 0.0, [0, 1, 2]),  # fps unknown: +1 ms
        ([-5, float("nan"), 10], 30.0, [0, 33, 66]),
    ],
)
def test_video_times_that_do_not_increase_are_replaced(
    tmp_path: Path, fake_capture, times_ms, fps, expected
):
    file = tmp_path / "x.mp4"
    file.write_bytes(b"anything; the capture is faked")
    fake_capture(times_ms=times_ms, fps=fps)
    assert [t for _, t in video.video_frames(file)] == expected
    assert FakeCapture.released == 1


def test_a_video_generator_stopped_early_releases_its_capture(
    clip: Path, monkeypatch: pytest.MonkeyPatch
):
    releases: list[str] = []
    real_capture = cv2.VideoCapture

    class RecordingCapture:
        """A real capture whose release() is recorded. Wrapped, not subclassed:
        subclassing cv2.VideoCapture corrupts memory with cv2 5.0 (seen as a segfault)."""

        def __init__(self, *args: object) -> None:
            self._capture = real_capture(*args)

        def __getattr__(self, name: str) -> object:
            return getattr(self._capture, name)

        def release(self) -> None:
            releases.append("released")
            self._capture.release()

    monkeypatch.setattr(cv2, "VideoCapture", RecordingCapture)
    frames = video.video_frames(clip)
    next(frames)
    next(frames)
    assert releases == []
    frames.close()  # what `for ... break` leads to once the generator is dropped
    assert releases == ["released"]

    def consumer_fails() -> None:
        for _frame, t in video.video_frames(clip):
            if t > 0:
                raise RuntimeError("consumer failed")

    with pytest.raises(RuntimeError):
        consumer_fails()
    assert releases == ["released", "released"]


# --- cameras -------------------------------------------------------------------------


def test_camera_times_come_from_the_clock_and_always_increase(fake_capture):
    fake_capture(times_ms=[0.0] * 5)
    ticks = iter([100.0, 100.0, 100.0404, 100.03, 101.5])
    frames = video.camera_frames(0, clock=lambda: next(ticks))
    assert [next(frames)[1] for _ in range(5)] == [0, 1, 40, 41, 1500]
    # The fake camera has no sixth picture: like a camera unplugged mid-session.
    with pytest.raises(InputError, match=r"^camera 0 stopped sending pictures; "):
        next(frames)
    assert FakeCapture.released == 1


def test_a_camera_that_does_not_open_names_itself_and_suggests_a_file(fake_capture):
    fake_capture(opened=False)
    with pytest.raises(InputError, match=r"^camera 3 could not be opened; .*--source FILE$"):
        next(video.camera_frames(3))
    assert FakeCapture.released == 1


def test_a_camera_without_a_first_picture_is_an_input_error(fake_capture):
    fake_capture(times_ms=[])
    with pytest.raises(InputError, match=r"^camera 0 sent no picture; .*--source FILE$"):
        next(video.camera_frames(0))
    assert FakeCapture.released == 1


@pytest.mark.parametrize("index", [-1, -5, 64, 1000])
def test_a_camera_index_out_of_range_never_reaches_cv2(fake_capture, index: int):
    # cv2.VideoCapture(-1) crashes the process with some backends.
    with pytest.raises(InputError, match=rf"^camera {index} is not a camera index; use 0 to 63"):
        next(video.camera_frames(index))
    assert FakeCapture.released == 0  # no capture was ever made


def test_a_camera_stopped_early_is_released(fake_capture):
    fake_capture(times_ms=[0.0] * 100)
    frames = video.camera_frames(0)
    next(frames)
    frames.close()
    assert FakeCapture.released == 1


# --- reading photos ------------------------------------------------------------------


def test_read_image_gives_bgr_uint8(photo: np.ndarray):
    frame = video.read_image(PHOTO)
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert frame.shape[:2] == cv2.imread(str(PHOTO)).shape[:2]


def test_read_image_turns_the_photo_upright_by_its_exif_orientation(tmp_path: Path):
    image = np.zeros((20, 40, 3), np.uint8)
    image[:, :20] = 255  # left half white
    ok, jpeg = cv2.imencode(".jpg", image)
    assert ok
    path = tmp_path / "phone photo é.jpg"  # and a non-ASCII name
    path.write_bytes(with_exif_orientation(jpeg.tobytes(), 6))  # 6: rotate 90° clockwise
    frame = video.read_image(path)
    assert frame.shape == (40, 20, 3)
    assert frame[:15].mean() > 240 and frame[25:].mean() < 15  # the white half is now on top


@pytest.mark.parametrize("content", [b"", b"not a photo at all\n" * 10], ids=["empty", "text"])
def test_read_image_of_a_file_that_is_not_an_image(tmp_path: Path, content: bytes):
    path = tmp_path / "notes.jpg"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        video.read_image(path)
    assert str(error.value) == (
        f"{path}: not a readable image (expected JPEG, PNG, BMP or WebP); check the file"
    )


def test_read_image_of_a_missing_file_or_a_folder(tmp_path: Path):
    with pytest.raises(InputError, match=r"gone.jpg: no such file; check the path"):
        video.read_image(tmp_path / "gone.jpg")
    with pytest.raises(InputError, match=r"is a folder"):
        video.read_image(tmp_path)


def test_image_frames_are_spaced_by_the_interval(tmp_path: Path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        video.write_image(paths[-1], np.full((8, 8, 3), 50 * i, np.uint8))
    got = list(video.image_frames(paths, interval_ms=500))
    assert [t for _, t in got] == [0, 500, 1000]
    assert [int(f[0, 0, 0]) for f, _ in got] == [0, 50, 100]
    with pytest.raises(ValueError, match=r"interval_ms"):
        next(video.image_frames(paths, interval_ms=0))


# --- expanding inputs ----------------------------------------------------------------


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ["b.jpg", "a.PNG", "c.webp", "d.jpeg", "e.bmp", "notes.txt", ".hidden.jpg"]:
        (folder / name).write_bytes(b"x")
    (folder / "sub.jpg").mkdir()  # a folder with an image suffix is not an image
    (folder / "sub.jpg" / "deeper.jpg").write_bytes(b"x")  # and it is not entered
    return folder


def test_a_folder_gives_its_images_sorted_by_name(photo_folder: Path):
    names = [p.name for p in video.expand_image_paths_lenient([photo_folder])]
    assert names == ["a.PNG", "b.jpg", "c.webp", "d.jpeg", "e.bmp"]


def test_a_file_is_kept_whatever_its_suffix(photo_folder: Path):
    notes = photo_folder / "notes.txt"
    assert video.expand_image_paths_lenient([notes, notes]) == [notes, notes]


def test_an_empty_folder_or_a_missing_path_is_an_input_error(tmp_path: Path):
    (tmp_path / "readme.txt").write_text("no photos here")
    empty, gone = video.expand_image_paths_lenient([tmp_path, tmp_path / "gone"])
    assert isinstance(empty, InputError) and str(empty) == (
        f"{tmp_path}: no images found (expected .bmp, .jpeg, .jpg, .png, .webp); "
        "point at a folder of photos"
    )
    assert isinstance(gone, InputError) and "gone: no such file or folder" in str(gone)


def test_lenient_expansion_keeps_errors_in_place(tmp_path: Path, photo_folder: Path):
    first, last = tmp_path / "first.jpg", tmp_path / "last.jpg"
    first.write_bytes(b"x")
    last.write_bytes(b"x")
    empty = tmp_path / "empty"
    empty.mkdir()
    items = video.expand_image_paths_lenient(
        [first, tmp_path / "gone.jpg", photo_folder, empty, last]
    )
    kinds = [item.name if isinstance(item, Path) else "error" for item in items]
    images = ["a.PNG", "b.jpg", "c.webp", "d.jpeg", "e.bmp"]
    assert kinds == ["first.jpg", "error", *images, "error", "last.jpg"]
    assert "gone.jpg: no such file" in str(items[1])
    assert "empty: no images found" in str(items[7])


# --- writing -------------------------------------------------------------------------


def test_video_writer_publishes_only_on_a_clean_exit(tmp_path: Path, photo: np.ndarray):
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 25.0) as writer:
        for frame in frames_from(photo, 7):
            writer.write(frame)
        # The encoder may still hold the frames; any file so far is the hidden temporary.
        assert not out.exists() and leftovers(tmp_path) in ([], [".out.partial.mp4"])
    assert writer.frames == 7 and leftovers(tmp_path) == []
    info = video.probe_video(out)
    assert (info.width, info.height, info.frames) == (160, 120, 7)
    assert len(list(video.video_frames(out))) == 7


def test_video_writer_leaves_nothing_after_an_exception(tmp_path: Path, photo: np.ndarray):
    out = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError), VideoWriter(out, 25.0) as writer:
        for frame in frames_from(photo, 3):
            writer.write(frame)
        raise RuntimeError("the pipeline failed")
    assert list(tmp_path.iterdir()) == []

    out.write_bytes(b"previous result")
    with pytest.raises(RuntimeError), VideoWriter(out, 25.0) as writer:
        writer.write(photo)
        raise RuntimeError("the pipeline failed")
    assert out.read_bytes() == b"previous result" and leftovers(tmp_path) == []


def test_video_writer_rejects_a_frame_of_another_size(tmp_path: Path):
    out = tmp_path / "out.mp4"
    with (
        pytest.raises(ValueError, match=r"differs from the first frame"),
        VideoWriter(out, 10) as w,
    ):
        w.write(np.zeros((120, 160, 3), np.uint8))
        w.write(np.zeros((60, 80, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_video_writer_errors_name_the_path(tmp_path: Path):
    with pytest.raises(InputError, match=r"no-such-folder: no such folder"):
        VideoWriter(tmp_path / "no-such-folder" / "out.mp4", 25.0)
    odd = tmp_path / "out.unknownformat"
    with (
        pytest.raises(InputError, match=r"out.unknownformat: cannot write a video"),
        VideoWriter(odd, 25.0) as writer,
    ):
        writer.write(np.zeros((120, 160, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []
    with VideoWriter(tmp_path / "nothing.mp4", 25.0):
        pass  # no frame written: no file
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".JPEG", ".bmp", ".webp"])
def test_write_image_round_trips(tmp_path: Path, suffix: str):
    frame = np.zeros((30, 40, 3), np.uint8)
    frame[:, :, 2] = 200  # red in BGR
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"previous result")
    video.write_image(path, frame)
    assert leftovers(tmp_path) == []
    back = video.read_image(path)
    assert back.shape == (30, 40, 3)
    assert np.abs(back.astype(int) - frame).max() <= (0 if suffix in (".png", ".bmp") else 8)


def test_write_image_errors_name_the_path(tmp_path: Path):
    frame = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(InputError, match=r"out.gif: cannot save an image with this suffix"):
        video.write_image(tmp_path / "out.gif", frame)
    with pytest.raises(InputError, match=r"missing: no such folder"):
        video.write_image(tmp_path / "missing" / "out.png", frame)
    target = tmp_path / "taken.png"
    target.mkdir()  # a folder where the image should go: the rename fails
    with pytest.raises(InputError, match=r"taken.png: cannot be saved"):
        video.write_image(target, frame)
    assert leftovers(tmp_path) == []


# --- display and windows ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "display", "expected"),
    [
        ("linux", None, False),
        ("linux", "", False),
        ("linux", ":0", True),
        ("linux", ":0.0", True),
        ("linux", ":7", False),  # stale: no server behind display 7
        ("linux", "remotehost:0", True),
        ("win32", None, True),
        ("darwin", None, True),
    ],
)
def test_display_available(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform, display, expected
):
    (tmp_path / "X0").touch()
    monkeypatch.setattr(window, "X11_SOCKETS", tmp_path)
    monkeypatch.setattr(sys, "platform", platform)
    if display is None:
        monkeypatch.delenv("DISPLAY", raising=False)
    else:
        monkeypatch.setenv("DISPLAY", display)
    assert window.display_available() is expected


def test_window_without_a_display_raises_before_any_gui_call(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    for name in ("imshow", "namedWindow", "waitKey", "waitKeyEx", "getWindowProperty"):
        monkeypatch.setattr(cv2, name, lambda *a: pytest.fail("a cv2 GUI call was made"))
    with pytest.raises(DisplayUnavailableError, match=r"^no display available") as error:
        window.Window("posecheck")
    assert isinstance(error.value, InputError) and "\n" not in str(error.value)


class FakeGui:
    """Replaces cv2's GUI calls: scripted keys and visibility, records what was called."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: list[int] = []
        self.visible = 1.0
        self.calls: list[str] = []
        monkeypatch.setattr(window, "display_available", lambda: True)
        monkeypatch.setattr(cv2, "imshow", lambda title, frame: self.calls.append("imshow"))
        monkeypatch.setattr(cv2, "waitKeyEx", lambda ms: self.keys.pop(0) if self.keys else -1)
        monkeypatch.setattr(cv2, "waitKey", lambda ms: -1)
        monkeypatch.setattr(cv2, "getWindowProperty", lambda title, prop: self.visible)
        monkeypatch.setattr(cv2, "destroyWindow", lambda title: self.calls.append("destroy"))
        # Opening: the window is made, fitted to a 1280x800 screen and placed.
        monkeypatch.setattr(window, "screen_size", lambda: (1280, 800))
        for name in ("namedWindow", "resizeWindow", "moveWindow", "setWindowProperty"):
            monkeypatch.setattr(cv2, name, lambda *args: None)


@pytest.mark.parametrize(
    ("key", "keep_going"),
    [
        (-1, True),
        (ord("q"), False),
        (ord("Q"), False),
        (27, False),
        (0x10_0000 | ord("q"), False),  # q with Num Lock on (GTK reports modifier bits)
        (0xFF51, True),  # left arrow: its low byte is 'Q' but it must not quit
        (ord("a"), True),
    ],
)
def test_window_show_stops_on_q_or_esc(monkeypatch: pytest.MonkeyPatch, key, keep_going):
    gui = FakeGui(monkeypatch)
    gui.keys = [key]
    with window.Window("posecheck") as shown:
        assert shown.show(np.zeros((4, 4, 3), np.uint8)) is keep_going
    assert gui.calls == ["imshow", "destroy"]


def test_window_show_stops_once_the_user_closed_it(monkeypatch: pytest.MonkeyPatch):
    gui = FakeGui(monkeypatch)
    frame = np.zeros((4, 4, 3), np.uint8)
    with window.Window("posecheck") as shown:
        assert shown.show(frame)
        gui.visible = 0.0  # the user clicked the close button
        assert not shown.show(frame)
    assert gui.calls == ["imshow", "destroy"]  # the closed window was not shown again


@pytest.mark.skipif(
    not window.display_available(),
    reason="no display (DISPLAY unset or its X server absent); run under Xvfb to open a window",
)
def test_a_real_window_opens_shows_and_closes():
    # In a child process: with a broken X connection cv2 aborts the whole process.
    code = textwrap.dedent(
        """
        import numpy as np
        from posecheck.io.window import Window
        with Window("posecheck test") as window:
            for _ in range(5):
                assert window.show(np.full((120, 160, 3), 128, np.uint8))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_bgr_to_rgb_swaps_blue_and_red_into_a_new_array():
    frame = np.zeros((2, 3, 3), np.uint8)
    frame[..., 0] = 10  # blue
    frame[..., 2] = 200  # red
    rgb = video.bgr_to_rgb(frame)
    assert rgb.dtype == np.uint8 and rgb.shape == frame.shape and rgb.flags.c_contiguous
    assert (rgb[..., 0] == 200).all() and (rgb[..., 2] == 10).all()
    assert frame[0, 0, 0] == 10  # the input is untouched


def test_live_with_a_negative_camera_is_a_usage_error_not_a_crash(tmp_path: Path):
    from tests.helpers import one_error_line, run_in

    result = run_in(tmp_path, "live", "--stretch", "bridge", "--camera", "-1")
    assert result.returncode == 2  # was a segmentation fault (139) in cv2
    assert one_error_line(result) == "error: --camera must be 0 to 63 (got -1)"
