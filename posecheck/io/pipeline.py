"""Pose estimation on a thread of its own, overlapped with whatever uses the poses.

Live coaching does three things per frame: get a picture, estimate the pose,
then coach, draw and show. One after another, the frame rate is bound by
their sum; MediaPipe releases the GIL while it runs, so estimation on its
own thread overlaps with the caller's coaching, drawing and display, and
the rate is bound by the model alone.

Two ways to hand frames over, one per kind of source:

- `newest_first` (a camera): a capture thread keeps only the newest picture
  and the estimator always takes the newest one, so a slow frame never
  builds a queue; stale pictures and poses are dropped. The caller gets the
  newest estimated frame, always shown with its own pose (the skeleton is
  drawn on the picture it was found in, never on a later one).
- `in_order` (a file played back): every frame is estimated and delivered,
  in order, a few frames ahead of the caller; nothing is dropped, so a file
  gives the same session on every run.

Errors raised by the camera or the estimator come out of the caller's
iteration. Threads end when the iteration ends (fully, by ``close``, or by
the generator being dropped); the camera is released by its own thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Generic, TypeVar

from posecheck.body.landmarks import Detection
from posecheck.io import video
from posecheck.io.estimator import PoseEstimator

T = TypeVar("T")
Frames = Iterator[tuple[video.Frame, int]]
Pairs = Generator[tuple[video.Frame | None, Detection], None, None]
# How long a closing iteration waits for each thread to end.
_JOIN_S = 5.0
# In-order playback estimates at most this many frames ahead of the caller.
_AHEAD = 3


class _Ended:
    """Put in a hand-over when its producer ends: normally (``error`` None) or by an error."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Newest(Generic[T]):
    """A one-item hand-over between threads where the newest item wins.

    `put` replaces any item not yet taken (it is dropped and counted); `take`
    waits for an item newer than the last one taken. An ending (`_Ended`)
    comes after the item still waiting, never in its place.
    """

    def __init__(self) -> None:
        self._item: T | None = None
        self._end: _Ended | None = None
        self._ready = threading.Condition()
        self.dropped = 0

    def put(self, item: T | _Ended) -> None:
        with self._ready:
            if isinstance(item, _Ended):
                self._end = self._end or item
            else:
                self.dropped += self._item is not None
                self._item = item
            self._ready.notify_all()

    def take(self, stop: threading.Event) -> T | _Ended:
        """The newest item, waiting for one; the ending once nothing is left, or as
        soon as ``stop`` is set."""
        with self._ready:
            while self._item is None and self._end is None:
                if stop.is_set():
                    return _Ended()
                self._ready.wait(0.1)
            if self._item is not None:
                item, self._item = self._item, None
                return item
            return self._end or _Ended()


def _detect_all(
    take: Callable[[], tuple[video.Frame, int] | _Ended],
    give: Callable[[tuple[video.Frame, Detection] | _Ended], None],
    mirror: bool,
    stop: threading.Event,
) -> None:
    """The estimator thread: detect every frame ``take`` gives until it ends."""
    try:
        with PoseEstimator("video") as estimator:
            while not stop.is_set():
                item = take()
                if isinstance(item, _Ended):
                    give(item)
                    return
                frame, timestamp_ms = item
                if mirror:
                    frame = video.mirror(frame)
                give((frame, estimator.detect(frame, timestamp_ms)))
    except BaseException as error:  # handed to the caller's thread, raised there
        give(_Ended(error))


def newest_first(frames: Frames, *, mirror: bool = False) -> Pairs:
    """(picture, detection) from a live source, estimated on a thread, newest first.

    ``frames`` is read on a capture thread of its own (a camera's read waits
    for the next picture); whatever the estimator is not ready for is dropped.
    """
    stop = threading.Event()
    captured: Newest[tuple[video.Frame, int]] = Newest()
    estimated: Newest[tuple[video.Frame, Detection]] = Newest()

    def capture() -> None:
        try:
            for item in frames:
                if stop.is_set():
                    break
                captured.put(item)
            captured.put(_Ended())
        except BaseException as error:
            captured.put(_Ended(error))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    threads = [
        threading.Thread(target=capture, name="posecheck-capture", daemon=True),
        threading.Thread(
            target=_detect_all,
            args=(lambda: captured.take(stop), estimated.put, mirror, stop),
            name="posecheck-estimate",
            daemon=True,
        ),
    ]
    return _delivered(lambda: estimated.take(stop), threads, stop)


def in_order(frames: Frames, *, mirror: bool = False) -> Pairs:
    """(picture, detection) for every frame of a file, in order, estimated a few frames
    ahead on a thread; nothing is dropped."""
    stop = threading.Event()
    ahead: queue.Queue[tuple[video.Frame, Detection] | _Ended] = queue.Queue(maxsize=_AHEAD)

    def read() -> tuple[video.Frame, int] | _Ended:
        try:
            return next(frames)
        except StopIteration:
            return _Ended()

    def give(item: tuple[video.Frame, Detection] | _Ended) -> None:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def take() -> tuple[video.Frame, Detection] | _Ended:
        while True:
            try:
                return ahead.get(timeout=0.1)
            except queue.Empty:
                if stop.is_set():
                    return _Ended()

    def estimate() -> None:
        try:
            _detect_all(read, give, mirror, stop)
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=estimate, name="posecheck-estimate", daemon=True)
    return _delivered(take, [thread], stop)


def _delivered(
    take: Callable[[], tuple[video.Frame, Detection] | _Ended],
    threads: list[threading.Thread],
    stop: threading.Event,
) -> Pairs:
    for thread in threads:
        thread.start()
    try:
        while True:
            item = take()
            if isinstance(item, _Ended):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join(_JOIN_S)
