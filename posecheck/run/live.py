"""Live coaching as a library function: a source in, coached frames out to sinks.

`run_session` owns the frame loop that `posecheck live` and `posecheck demo`
run: detections from the source, the coach (smoothing, checks, session), the
overlay, and whatever sinks the caller gives it (a window, a video file). A
landmark recording of the session is kept when asked. It prints nothing: each
event goes to the caller's ``on_event``, and the result says what happened, so
the CLI decides the words.

Ctrl-C inside the loop ends the session the same way as pressing q: the
sinks are closed normally, so the video and the recording so far are kept.

Pose estimation runs on a thread of its own (`io/pipeline.py`) while this
loop coaches, draws and shows the frame before, so the frame rate is bound
by the model alone. From a camera the newest frame wins: a frame the
estimator had no time for is dropped, and each frame shown carries the pose
found in it (never a later frame's pose on an earlier picture). A file is
played frame by frame in order, nothing dropped, so it coaches the same way
on every run.

Sinks are the hook for anything that follows the session frame by frame: each
gets the drawn picture and the `CoachFrame` it shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from posecheck.body.landmarks import Detection
from posecheck.catalog.reference import Reference
from posecheck.coaching.coach import Coach, CoachFrame
from posecheck.coaching.reps import RepSummary
from posecheck.coaching.session import Event, EventKind, Phase, SessionConfig
from posecheck.draw import overlay, panel
from posecheck.io import recording, video
from posecheck.io.sources import Source, open_source
from posecheck.io.window import Window

# After the last rep, keep the "Done" screen up this long.
DONE_LINGER_MS = 2000


class Stepper(Protocol):
    """What the loop drives frame by frame: a `Coach`, or a routine's steps."""

    @property
    def reps_total(self) -> int: ...

    def step(self, detection: Detection, frame: video.Frame | None = None) -> CoachFrame: ...

    def finish(self, timestamp_ms: int) -> list[RepSummary]: ...


class FrameSink(Protocol):
    """Where drawn frames go. ``show`` returns False when the user wants to stop."""

    def show(self, drawn: video.Frame, result: CoachFrame) -> bool: ...


# The keys every window answers to, listed in its corner.
WINDOW_KEYS: tuple[tuple[str, str], ...] = (
    ("q", "quit"),
    ("space", "pause"),
    ("f", "full screen"),
)


class WindowSink:
    """Shows frames in a window, with the keys it answers to in a corner.

    A file source is played at its own pace, as a camera would deliver it; a
    camera is shown as fast as it comes. Space pauses (the frame stays, with
    "Paused" over it) until space again; the time paused does not count
    toward the pace. Keys the window does not handle itself (q, Esc, f,
    space) go to ``on_key``: list them in ``keys`` (e.g. ``("s", "skip")``)
    to show them in the corner too.
    """

    def __init__(
        self,
        window: Window,
        *,
        paced: bool,
        keys: Sequence[tuple[str, str]] = WINDOW_KEYS,
        on_key: Callable[[str], None] = lambda key: None,
        style: overlay.Style = overlay.DEFAULT_STYLE,
    ) -> None:
        self.window = window
        self.paced = paced
        self.keys = keys
        self.on_key = on_key
        self.style = style
        self._start = time.monotonic()
        self._first_ms: int | None = None

    def show(self, drawn: video.Frame, result: CoachFrame) -> bool:
        if self.paced:
            t = result.detection.timestamp_ms
            self._first_ms = t if self._first_ms is None else self._first_ms
            wait = (t - self._first_ms) / 1000 - (time.monotonic() - self._start)
            if wait > 0:
                time.sleep(wait)
        shown = drawn.copy()  # other sinks get the picture without the key list
        panel.draw_key_legend(shown, self.keys, self.style)
        if not self.window.show(shown):
            return False
        return self._answer(shown)

    def _answer(self, shown: video.Frame) -> bool:
        """Act on the key just pressed; False to stop."""
        key = self.window.pressed
        if key == "space":
            return self._paused(shown)
        if key is not None and key != "f":
            self.on_key(key)
        return True

    def _paused(self, shown: video.Frame) -> bool:
        began = time.monotonic()
        self.window.show(overlay.compose(shown, None, None, headline="Paused", style=self.style))
        while True:
            if not self.window.wait_key(50):
                return False
            key = self.window.pressed
            if key == "space":
                self._start += time.monotonic() - began
                return True
            if key is not None and key != "f":
                self.on_key(key)


class VideoSink:
    """Writes frames to a video file (see `video.VideoWriter`).

    With ``fps`` (a camera, whose frames come as fast as the model allows),
    each frame is written as often as needed to keep the file in real time
    at that rate, by the frames' own times (repeated to fill a gap, left out
    when it comes sooner than the rate); without it, every frame once.
    """

    def __init__(self, writer: video.VideoWriter, fps: float | None = None) -> None:
        self.writer = writer
        self.fps = fps
        self._first_ms: int | None = None
        self._written = 0

    def show(self, drawn: video.Frame, result: CoachFrame) -> bool:
        if self.fps is None:
            self.writer.write(drawn)
            return True
        t = result.detection.timestamp_ms
        self._first_ms = t if self._first_ms is None else self._first_ms
        # Frames the file holds by the end of this one; a frame that comes sooner
        # than the rate asks for is left out.
        due = int((t - self._first_ms) * self.fps / 1000) + 1
        for _ in range(due - self._written):
            self.writer.write(drawn)
        self._written = max(self._written, due)
        return True


@dataclass(frozen=True)
class SessionResult:
    """What a live session did. ``recorded_frames`` is None when nothing was asked
    to be recorded, 0 when the source gave no frame (and so no file was written)."""

    reps: list[RepSummary]
    reps_total: int
    interrupted: bool
    frames: int
    recorded_frames: int | None


def run_session(
    source: Source | Path | int,
    reference: Reference,
    config: SessionConfig | None = None,
    *,
    sinks: Sequence[FrameSink] = (),
    on_event: Callable[[Event, int], None] = lambda event, total: None,
    on_rep: Callable[[RepSummary], None] = lambda rep: None,
    mirror: bool = False,
    record: Path | None = None,
    style: overlay.Style = overlay.DEFAULT_STYLE,
    headline: Callable[[CoachFrame], str | None] = lambda result: None,
    coach: Stepper | None = None,
) -> SessionResult:
    """Coach one session from ``source`` (a camera index, a video, or a recording,
    opened or not).

    ``on_event(event, reps_total)`` is called for every session event as it
    happens, and ``on_rep(summary)`` for each rep of a stretch's own coach as it
    completes (so a log can keep it at once). The loop ends when the source
    ends, a sink asks to stop, Ctrl-C is pressed, or `DONE_LINGER_MS` after the
    last rep. Posecheck's own errors (`InputError`, `ModelError`) propagate to
    the caller; the sinks and the recording are closed either way. A recording
    of the session is written at the source's own frame rate. Frames are drawn
    in ``style``; ``headline(result)`` may give big text for the middle of a
    frame (a get-ready countdown), or None. ``coach`` replaces the reference's
    own coach (a routine drives its steps through the same loop).
    """
    opened = source if isinstance(source, Source) else open_source(source)
    coach = coach or Coach(reference, config)
    last_ms = 0
    frames = 0
    done_ms: int | None = None
    interrupted = False
    recorder: recording.RecordingWriter | None = None
    try:
        with ExitStack() as stack:
            pairs = opened.play(mirror=mirror)
            close = getattr(pairs, "close", None)
            if close is not None:  # the estimation thread ends with the loop
                stack.callback(close)
            try:
                for frame, detection in pairs:
                    if record is not None and recorder is None:
                        recorder = stack.enter_context(
                            recording.RecordingWriter(
                                record, detection.image_wh, stretch=reference.id, fps=opened.fps
                            )
                        )
                    if recorder is not None:
                        recorder.write(detection)
                    result = coach.step(detection, frame)
                    last_ms = detection.timestamp_ms
                    frames += 1
                    for event in result.events:
                        if event.kind == EventKind.REP_COMPLETED and isinstance(coach, Coach):
                            on_rep(coach.session.reps[-1])  # kept before it is announced
                        on_event(event, coach.reps_total)
                    if sinks:
                        canvas = (
                            frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                        )
                        drawn = overlay.compose(
                            canvas,
                            result.pose,
                            result.verdict,
                            result.state,
                            headline=headline(result),
                            style=style,
                        )
                        if not all([sink.show(drawn, result) for sink in sinks]):
                            break
                    if result.state.phase == Phase.DONE:
                        done_ms = detection.timestamp_ms if done_ms is None else done_ms
                        if detection.timestamp_ms - done_ms >= DONE_LINGER_MS:
                            break
            except KeyboardInterrupt:
                # Caught inside the `with`, so what was written so far is kept.
                interrupted = True
    finally:
        reps = coach.finish(last_ms)
    recorded = None if record is None else (0 if recorder is None else recorder.frames)
    return SessionResult(reps, coach.reps_total, interrupted, frames, recorded)
