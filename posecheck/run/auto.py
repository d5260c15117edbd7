"""`--stretch auto`: coaching and scoring whatever stretch the user is doing.

`score_auto` scores a recording in which the user moves through several
stretches: `coaching.auto.AutoCoach` recognises each one and coaches it, and
every segment (one stretch, from when it was first recognised) gets its own
report. `run_auto_session` is the live loop of `live --stretch auto`: it names
the stretch it sees, and coaches it once the answer has settled.

Like the rest of `run/`, nothing here prints: events go to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from posecheck.catalog.reference import Reference
from posecheck.coaching.auto import AutoCoach, AutoFrame, Segment
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.session import CoachState, Event, Phase, SessionConfig
from posecheck.draw import overlay
from posecheck.form.results import Verdict
from posecheck.io import recording
from posecheck.io.sources import Source, open_source
from posecheck.report.segments import SegmentedReport, SegmentReport
from posecheck.report.summary import ReportBuilder
from posecheck.run.live import FrameSink
from posecheck.run.scoring import _PHOTO, Progress, ScoreOptions, _as_read

AUTO = "auto"
LOOKING = "Looking for a stretch"


def score_auto(
    path: Path,
    references: Mapping[str, Reference],
    options: ScoreOptions | None = None,
    progress: Progress | None = None,
) -> SegmentedReport:
    """Score a recording segment by segment, one per stretch recognised in it.

    Raises `InputError` for a file that cannot be read.
    """
    options = options or ScoreOptions()
    started = time.perf_counter()
    source = open_source(path, refuse_photo=_PHOTO.format(path=path))
    meta = source.info
    auto = AutoCoach(references, options.config)
    builders: list[ReportBuilder] = []
    last_ms = 0
    pairs = source.detections(options.sample_fps, options.workers)
    for frames, (frame, detection) in enumerate(pairs, start=1):
        step = auto.step(detection, frame)
        last_ms = detection.timestamp_ms
        if step.segment is not None:
            while len(builders) <= step.segment:
                builders.append(ReportBuilder(references[auto.segments[len(builders)].stretch]))
            for coached in step.coached:
                builders[step.segment].add(coached)
        if progress is not None:
            progress(frames, meta.frames)
    segments = auto.finish(last_ms)
    meta, warnings = _as_read(source)
    elapsed = time.perf_counter() - started
    reports = [
        SegmentReport(s.start_ms / 1000, s.end_ms / 1000, b.build(meta, s.reps, elapsed))
        for s, b in zip(segments, builders, strict=True)
    ]
    return SegmentedReport(meta, AUTO, reports, elapsed, warnings)


@dataclass(frozen=True)
class AutoSessionResult:
    """What a live auto session did: every stretch coached, in order."""

    segments: list[Segment]
    interrupted: bool
    frames: int
    recorded_frames: int | None


def _caption(step: AutoFrame, references: Mapping[str, Reference]) -> list[str]:
    """What the picture says before a stretch is coached, or while another one is forming."""
    if step.detection.pose is None:
        return ["No one in view"]
    if step.guess is None:
        return [f"{LOOKING}: none recognised"]
    return [f"Is this {references[step.guess].name}? Hold still"]


def _looking(step: AutoFrame) -> CoachFrame:
    """A coached frame for the sinks while no stretch is coached yet."""
    best = step.recognition.best
    verdict = (
        best.verdict
        if best is not None
        else Verdict("none", step.pose is not None, None, None, (), ())
    )
    state = CoachState(Phase.SETUP, LOOKING, 0.0, 0.0, 0, 0, None, None)
    return CoachFrame(None, step.detection, step.pose, verdict, (), state)


def run_auto_session(
    source: Source | Path | int,
    references: Mapping[str, Reference],
    config: SessionConfig | None = None,
    *,
    sinks: Sequence[FrameSink] = (),
    on_event: Callable[[Event, int], None] = lambda event, total: None,
    on_stretch: Callable[[str, int], None] = lambda stretch, timestamp_ms: None,
    mirror: bool = False,
    record: Path | None = None,
) -> AutoSessionResult:
    """Coach whatever stretch the user does, from ``source``.

    ``on_stretch(stretch, timestamp_ms)`` is called when a new stretch settles
    and its coaching begins (a moment of "none" in between, such as a fault
    or leaving the picture, does not end the stretch: its session pauses);
    ``on_event`` for every event of the coached stretch's session. The loop
    ends when the source ends, a sink asks to stop, or Ctrl-C is pressed:
    one stretch done, the user may go on to the next.
    """
    opened = source if isinstance(source, Source) else open_source(source)
    auto = AutoCoach(references, config)
    last_ms = 0
    frames = 0
    segments_seen = 0
    interrupted = False
    recorder: recording.RecordingWriter | None = None
    try:
        with ExitStack() as stack:
            try:
                for frame, detection in opened.play(mirror=mirror):
                    if record is not None and recorder is None:
                        recorder = stack.enter_context(
                            recording.RecordingWriter(
                                record, detection.image_wh, stretch=AUTO, fps=opened.fps
                            )
                        )
                    if recorder is not None:
                        recorder.write(detection)
                    step = auto.step(detection, frame)
                    last_ms = detection.timestamp_ms
                    frames += 1
                    if len(auto.segments) != segments_seen:
                        segments_seen = len(auto.segments)
                        on_stretch(auto.segments[-1].stretch, last_ms)
                    segment = auto.current
                    for coached in step.coached:
                        for event in coached.events:
                            on_event(event, segment.coach.session.reps_total if segment else 0)
                    current = step.current
                    if sinks:
                        canvas = (
                            frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                        )
                        if current is not None and step.guess in (None, current.verdict.stretch):
                            # The panel names the stretch being coached.
                            name = references[current.verdict.stretch].name
                            state = replace(
                                current.state, phase_text=f"{name} · {current.state.phase_text}"
                            )
                            drawn = overlay.compose(canvas, current.pose, current.verdict, state)
                        else:
                            drawn = overlay.compose(
                                canvas, step.pose, None, caption=_caption(step, references)
                            )
                        shown = current if current is not None else _looking(step)
                        if not all([sink.show(drawn, shown) for sink in sinks]):
                            break
            except KeyboardInterrupt:
                interrupted = True
    finally:
        segments = auto.finish(last_ms)
    recorded = None if record is None else (0 if recorder is None else recorder.frames)
    return AutoSessionResult(segments, interrupted, frames, recorded)
