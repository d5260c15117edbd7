"""Scoring a recording of a whole routine: the frames through the routine's steps,
each step's frames into its own stretch report.

Nobody presses a key in a recording, so the steps move on by themselves
(`RoutineCoach` with ``advance_on_later``): a step ends when its prescription
is done, or when the person has left its stretch and holds a later step's
stretch in position for `ADVANCE_S`; the steps passed over count as skipped.
There is no rest between steps: the next step watches from the frame after
the last one ended. Time comes from the recording's own frame times.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from posecheck.catalog.reference import Reference
from posecheck.coaching.routine import ConfigFor, RoutineCoach, RoutinePhase
from posecheck.coaching.session import SessionConfig
from posecheck.draw import overlay
from posecheck.draw.routine import draw_routine_plate
from posecheck.io import video
from posecheck.io.sources import open_source
from posecheck.report.routine import RoutineCsvWriter, RoutineReport, StepReport
from posecheck.report.summary import ReportBuilder
from posecheck.run.routine import plate_lines
from posecheck.run.scoring import _PHOTO, Progress, ScoreOptions, _as_read, report_context


def score_routine(
    path: Path,
    routine: tuple[str, str],
    references: Sequence[Reference],
    options: ScoreOptions | None = None,
    progress: Progress | None = None,
    config_for: ConfigFor | None = None,
) -> RoutineReport:
    """Score one recording of a routine (its id and name, and its steps' stretches
    with the prescriptions in force) into a report split per step.

    Raises `InputError` for a file that cannot be read; the CSV and annotated
    video are written atomically and only when the whole recording was scored.
    """
    options = options or ScoreOptions()
    config = options.config or SessionConfig()
    started = time.perf_counter()
    source = open_source(path, refuse_photo=_PHOTO.format(path=path))
    meta = source.info
    coach = RoutineCoach(
        references, config_for or (lambda ref: config), rest_s=0, advance_on_later=True
    )
    builders = [ReportBuilder(ref) for ref in references]
    last_ms = 0
    with ExitStack() as outputs:
        csv_writer = (
            outputs.enter_context(RoutineCsvWriter(options.csv_path, list(references)))
            if options.csv_path
            else None
        )
        writer = (
            outputs.enter_context(
                video.VideoWriter(options.annotated_path, options.sample_fps or source.fps)
            )
            if options.annotated_path
            else None
        )
        workers = options.workers if options.annotated_path is None else 1
        for frame, detection in source.detections(options.sample_fps, workers):
            # The frame belongs to the step under way when it arrives, even if
            # that step ends on it.
            step = coach.step
            under_way = coach.phase == RoutinePhase.STEP
            result = coach.update(detection, frame)
            last_ms = detection.timestamp_ms
            if under_way:
                builders[step - 1].add(result.coached)
                if csv_writer is not None:
                    csv_writer.add(step, result.coached)
            if writer is not None:
                canvas = frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                shown = result.coached
                drawn = overlay.compose(canvas, shown.pose, shown.verdict, shown.state)
                counters = 1 if shown.state.side is None else 2
                draw_routine_plate(drawn, plate_lines(result.state, keys=False), counters)
                writer.write(drawn)
            if progress is not None:
                progress(sum(b.frames for b in builders), meta.frames)
    ended_steps = coach.finish(last_ms)
    meta, warnings = _as_read(source)
    processing_s = time.perf_counter() - started
    steps = []
    for ended, builder in zip(ended_steps, builders, strict=True):
        report = builder.build(meta, list(ended.reps), processing_s)
        report = dataclasses.replace(report, context=report_context(path, ended.reference, options))
        steps.append(
            StepReport(
                step=ended.step,
                status=ended.status,
                start_s=None if ended.start_ms is None else ended.start_ms / 1000.0,
                end_s=None if ended.end_ms is None else ended.end_ms / 1000.0,
                report=report,
            )
        )
    return RoutineReport(
        video=meta,
        routine=routine[0],
        routine_name=routine[1],
        steps=steps,
        processing_s=processing_s,
        warnings=warnings,
    )
