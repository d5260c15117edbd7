"""The `posecheck` command. The only module that prints or exits.

Exit codes: 0 all inputs fine; 1 a data error (an input could not be read;
the other inputs are still processed); 2 a usage error (bad options or
arguments); 3 an installation problem (the pose model is missing or damaged);
130 stopped by Ctrl-C (SIGINT); 143 stopped by SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from posecheck import __version__, overlay, recording, video
from posecheck.checks import Verdict, target_text
from posecheck.errors import InputError, ModelError, PosecheckError
from posecheck.geometry import JOINTS
from posecheck.html_report import write_html
from posecheck.pipeline import Coach, PhotoResult, PoseSummary, describe_photos, detections
from posecheck.reference import (
    Prescription,
    Reference,
    ReferenceError,
    get_reference,
    load_file,
    load_references,
)
from posecheck.report import ScoreReport
from posecheck.scoring import ScoreOptions, score_video
from posecheck.session import EventKind, Phase, RepSummary, SessionConfig

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_SETUP = 3
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), 128 + 2 as shells report it
EXIT_TERMINATED = 143  # SIGTERM, 128 + 15
DEFAULT_WORKERS = os.cpu_count() or 1

app = typer.Typer(
    name="posecheck",
    help="Check hip-flexor and lower-back stretch form from a camera, a video or a photo.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _error(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"posecheck {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Check hip-flexor and lower-back stretch form from a camera, a video or a photo."""


def _format_angle(value: float | None) -> str:
    return "  -" if value is None else f"{value:4.0f}°"


def _human_summary(path: Path, summary: PoseSummary) -> str:
    if not summary.person:
        return f"{path}: no person found; make sure the whole body is in the picture"
    facing = f", facing {summary.facing}" if summary.facing else ""
    lines = [f"{path}: person found · {summary.view} view{facing} · {summary.position}"]
    if summary.people > 1:
        lines.append(f"  {summary.people} people in view; describing the most prominent one")
    lines.append(f"  {'angle':<10}{'left':>7}{'right':>7}")
    for joint in JOINTS:
        left = _format_angle(summary.angles_deg.get(f"left_{joint}"))
        right = _format_angle(summary.angles_deg.get(f"right_{joint}"))
        lines.append(f"  {joint:<10}{left:>7}{right:>7}")
    return "\n".join(lines)


RefsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--refs",
        help="A folder of your own reference files (repeatable; POSECHECK_REFS works too).",
        file_okay=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object per item, one per line.")
]
AnnotateOption = Annotated[
    Path | None,
    typer.Option(
        "--annotate",
        help="Write each photo with the skeleton and results drawn into this folder.",
        file_okay=False,
    ),
]
StretchOption = Annotated[
    str,
    typer.Option(
        "--stretch", "-s", help="The stretch id (see `posecheck stretches`).", show_default=False
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Write the overlay video to this .mp4 instead of a window.", dir_okay=False
    ),
]
HoldOption = Annotated[
    float | None,
    typer.Option("--hold", help="Hold seconds, instead of the prescription's.", min=1),
]
ImagesArgument = Annotated[
    list[Path],
    typer.Argument(help="Photos, or folders of photos (JPEG, PNG, BMP, WebP).", show_default=False),
]


def _references(refs: list[Path] | None) -> dict[str, Reference]:
    try:
        return load_references(refs or [])
    except ReferenceError as error:
        for line in error.problems:
            _error(line)
        raise typer.Exit(EXIT_DATA) from None


def _reference(refs: list[Path] | None, stretch: str) -> Reference:
    """The named stretch's reference; an unknown id is a usage error (exit 2)."""
    try:
        return get_reference(_references(refs), stretch)
    except InputError as error:
        _error(str(error))
        raise typer.Exit(EXIT_USAGE) from None


def _annotate(result: PhotoResult, folder: Path) -> Path:
    frame = result.frame
    pose = result.detection.pose
    s = result.summary
    if pose is not None and result.verdict is not None:
        frame = overlay.draw_verdict(frame, pose, result.verdict)
    elif pose is not None:
        frame = overlay.draw_skeleton(frame, pose)
        caption = f"{s.view} view, {s.position}"
        if s.people > 1:
            caption += f" (the most prominent of {s.people} people)"
        frame = overlay.draw_caption(frame, [caption])
    else:
        frame = overlay.draw_caption(frame, ["no person found"])
        if result.verdict is not None and result.verdict.cue:
            frame = overlay.draw_banner(frame, result.verdict.cue)
    target = folder / f"{result.path.stem}_pose{result.path.suffix.lower()}"
    video.write_image(target, frame)
    return target


def _format_value(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}°" if kind in ("angle", "inclination") else f"{value:.2f}"


def _human_verdict(path: Path, verdict: Verdict, people: int) -> str:
    if not verdict.person:
        return f"{path}: {verdict.stretch} · no person found\n  -> {verdict.cue}"
    state = "ALIGNED" if verdict.aligned else "not aligned"
    head = (
        f"{path}: {verdict.stretch} · {verdict.view} view · {verdict.position} · "
        f"{state} · score {verdict.score}"
    )
    lines = [head]
    if people > 1:
        lines.append(f"  {people} people in view; judging the most prominent one")
    if verdict.side is not None and verdict.roles:
        first_role = next(iter(verdict.roles))
        lines.append(f"  side: {verdict.side} leg {first_role}")
    for gate in verdict.gates:
        if not gate.passed:
            lines.append(f"  gate {gate.id}: not met")
    width = max((len(r.check.label) for r in verdict.results), default=5)
    lines.append(f"  {'check':<{width}}  {'value':>7}  {'target':<14} verdict")
    for r in verdict.results:
        value = _format_value(r.value, r.check.kind.value)
        lines.append(
            f"  {r.check.label:<{width}}  {value:>7}  {target_text(r.check):<14} {r.status}"
        )
    if verdict.cue:
        lines.append(f"  -> {verdict.cue}")
    return "\n".join(lines)


def _run_photos(
    images: list[Path], reference: Reference | None, as_json: bool, annotate: Path | None
) -> None:
    """The loop shared by `pose` and `check`: every photo in order, errors in place."""
    if annotate is not None:
        try:
            annotate.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _error(f"{annotate}: cannot create this folder ({error.strerror}); pick another")
            raise typer.Exit(EXIT_DATA) from None
    failed = False
    try:
        for item in describe_photos(images, reference):
            if isinstance(item, InputError):
                _error(str(item))
                failed = True
                continue
            if as_json:
                record: dict[str, object] = {"path": str(item.path)}
                if item.verdict is not None:
                    record.update(item.verdict.to_json())
                    record["people"] = item.summary.people
                else:
                    record["image_wh"] = list(item.detection.image_wh)
                    record.update(item.summary.to_json())
                typer.echo(json.dumps(record))
            elif item.verdict is not None:
                typer.echo(_human_verdict(item.path, item.verdict, item.summary.people))
            else:
                typer.echo(_human_summary(item.path, item.summary))
            if annotate is not None:
                try:
                    written = _annotate(item, annotate)
                except InputError as error:
                    _error(str(error))
                    failed = True
                    continue
                if not as_json:
                    typer.echo(f"  annotated: {written}")
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(EXIT_SETUP) from None
    except PosecheckError as error:
        _error(str(error))
        raise typer.Exit(EXIT_DATA) from None
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


@app.command()
def pose(
    images: ImagesArgument,
    as_json: JsonOption = False,
    annotate: AnnotateOption = None,
) -> None:
    """Find the person in each photo and report view, body position and main joint angles."""
    _run_photos(images, None, as_json, annotate)


@app.command()
def check(
    images: ImagesArgument,
    stretch: StretchOption,
    as_json: JsonOption = False,
    annotate: AnnotateOption = None,
    refs: RefsOption = None,
) -> None:
    """Check the alignment in each photo against a stretch's reference pose."""
    _run_photos(images, _reference(refs, stretch), as_json, annotate)


def prescription_text(p: Prescription) -> str:
    """e.g. "2 reps per side, alternating sides, hold 20 s" or "hold 30 s"."""
    if p.reps == 1:
        return f"hold {p.hold_s:g} s on each side" if p.sides == "each" else f"hold {p.hold_s:g} s"
    parts = [f"{p.reps} reps per side" if p.sides == "each" else f"{p.reps} reps"]
    if p.alternate:
        parts.append("alternating sides")
    parts.append(f"hold {p.hold_s:g} s")
    return ", ".join(parts)


@app.command()
def stretches(as_json: JsonOption = False, refs: RefsOption = None) -> None:
    """List the stretches posecheck knows, with views and prescriptions."""
    references = _references(refs)
    for ref in references.values():
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "id": ref.id,
                        "name": ref.name,
                        "position": [str(p) for p in ref.positions],
                        "view": [str(v) for v in ref.views],
                        "prescription": {
                            "hold_s": ref.prescription.hold_s,
                            "reps": ref.prescription.reps,
                            "sides": ref.prescription.sides,
                            "alternate": ref.prescription.alternate,
                        },
                        "checks": len(ref.checks),
                        "bundled": ref.bundled,
                    }
                )
            )
        else:
            views = "/".join(str(v) for v in ref.views)
            typer.echo(
                f"{ref.id:<28} {views:<11} {prescription_text(ref.prescription):<44} {ref.name}"
            )


@app.command()
def show(
    stretch: Annotated[str, typer.Argument(help="The stretch id.", show_default=False)],
    refs: RefsOption = None,
) -> None:
    """Explain a stretch and each of its checks in plain language."""
    ref = _reference(refs, stretch)
    positions = " or ".join(str(p) for p in ref.positions)
    views = " or ".join(str(v) for v in ref.views)
    lines = [
        f"{ref.name} ({ref.id})",
        f"  {ref.description}",
        f"  Source: article {ref.source}",
        f"  Prescription: {prescription_text(ref.prescription)}",
        f"  Position: {positions}; camera view: {views}",
    ]
    if ref.roles:
        lines.append(
            f"  Legs: the {ref.roles[0]} and the {ref.roles[1]} leg, recognised from the pose"
        )
    lines.append("  Checks, most important first:")
    for c in sorted(ref.checks, key=lambda c: c.priority):
        where = f" (in {'/'.join(str(v) for v in c.views)} view)" if c.views else ""
        lines.append(f"    - {c.label}: {target_text(c)}{where}")
        for cue in (c.cue_low, c.cue_high):
            if cue:
                lines.append(f'        if not: "{cue}"')
    typer.echo("\n".join(lines))


refs_app = typer.Typer(
    help="Work with reference pose files.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
app.add_typer(refs_app, name="refs")


@refs_app.command("check")
def refs_check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Reference files or folders; default: the bundled ones and --refs.",
            show_default=False,
        ),
    ] = None,
    refs: RefsOption = None,
) -> None:
    """Validate reference files and report every problem, one line each."""
    if not paths:
        references = _references(refs)
        for ref in references.values():
            typer.echo(f"ok  {ref.path}  ({ref.id}, {len(ref.checks)} checks)")
        raise typer.Exit(EXIT_OK)
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    failed = False
    for file in files:
        try:
            ref = load_file(file, bundled=False)
        except ReferenceError as error:
            for line in error.problems:
                _error(line)
            failed = True
            continue
        typer.echo(f"ok  {file}  ({ref.id}, {len(ref.checks)} checks)")
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


EVENT_TEXT = {
    EventKind.IN_POSITION: "in position, checking alignment",
    EventKind.HOLD_STARTED: "hold started",
    EventKind.HOLD_PAUSED: "hold paused",
    EventKind.HOLD_RESUMED: "hold resumed",
    EventKind.REP_COMPLETED: "rep completed",
    EventKind.SWITCH_SIDE: "switch sides",
    EventKind.REST_STARTED: "rest",
    EventKind.SESSION_DONE: "all reps done",
}
# After the last rep, keep the "Done" screen up this long.
DONE_LINGER_MS = 2000


def _rep_lines(reps: list[RepSummary], total: int) -> list[str]:
    if not reps:
        return ["No hold was started."]
    lines = []
    for r in reps:
        side = f" ({r.side})" if r.side else ""
        state = "completed" if r.completed else "not completed"
        fault = f"; main fault: {r.main_fault}" if r.main_fault else ""
        lines.append(
            f"Rep {r.rep} of {total}{side}: held {r.held_s:.1f} / {r.target_s:g} s, "
            f"in form {r.in_form_s:.1f} s, {state}{fault}"
        )
    return lines


def _coach(
    reference: Reference,
    config: SessionConfig,
    source: Path | int,
    *,
    mirror: bool,
    record: Path | None,
    out: Path | None,
    fps: float,
) -> None:
    """Run a coached session from a source to a window (out is None) or an mp4."""
    coach = Coach(reference, config)
    last_ms = 0
    done_ms: int | None = None
    try:
        with ExitStack() as stack:
            window = (
                stack.enter_context(video.Window(f"posecheck: {reference.name}"))
                if out is None
                else None
            )
            writer = stack.enter_context(video.VideoWriter(out, fps)) if out is not None else None
            recorder: recording.RecordingWriter | None = None
            start = time.monotonic()
            first_ms: int | None = None
            for frame, detection in detections(source, mirror=mirror):
                if record is not None and recorder is None:
                    recorder = stack.enter_context(
                        recording.RecordingWriter(
                            record, detection.image_wh, stretch=reference.id, fps=fps
                        )
                    )
                if recorder is not None:
                    recorder.write(detection)
                result = coach.step(detection, frame)
                last_ms = detection.timestamp_ms
                for event in result.events:
                    side = f", {event.side}" if event.side else ""
                    detail = f": {event.detail}" if event.detail else ""
                    typer.echo(
                        f"{event.timestamp_ms / 1000:7.1f} s  {EVENT_TEXT[event.kind]}"
                        f" (rep {event.rep} of {coach.session.reps_total}{side}){detail}"
                    )
                canvas = frame if frame is not None else overlay.blank_canvas(detection.image_wh)
                drawn = overlay.draw_coaching(canvas, result.pose, result.verdict, result.state)
                if window is not None:
                    # Play at the source's own pace, as a camera would deliver it.
                    first_ms = detection.timestamp_ms if first_ms is None else first_ms
                    wait = (detection.timestamp_ms - first_ms) / 1000 - (time.monotonic() - start)
                    if wait > 0 and not isinstance(source, int):
                        time.sleep(wait)
                    if not window.show(drawn):
                        break
                elif writer is not None:
                    writer.write(drawn)
                if result.state.phase == Phase.DONE:
                    done_ms = detection.timestamp_ms if done_ms is None else done_ms
                    if detection.timestamp_ms - done_ms >= DONE_LINGER_MS:
                        break
    except KeyboardInterrupt:
        typer.echo("stopped")
    except ModelError as error:
        _error(str(error))
        raise typer.Exit(EXIT_SETUP) from None
    except PosecheckError as error:
        _error(str(error))
        raise typer.Exit(EXIT_DATA) from None
    finally:
        reps = coach.finish(last_ms)
    for line in _rep_lines(reps, coach.session.reps_total):
        typer.echo(line)
    if out is not None:
        typer.echo(f"overlay video: {out}")
    if record is not None:
        typer.echo(f"landmarks recorded: {record}")


def _output_for(out: Path | None, default_name: str) -> Path | None:
    """None for a window; a file when asked for, or when there is no display."""
    if out is not None:
        return out
    if video.display_available():
        return None
    path = Path(default_name)
    typer.echo(f"no display found: writing the overlay video to {path} instead of a window")
    return path


def _source_fps(source: Path | int) -> float:
    if isinstance(source, int):
        return 30.0
    if recording.is_recording(source):
        fps = recording.read_header(source).get("fps", 30)
        return float(fps) if isinstance(fps, int | float) and fps > 0 else 30.0
    return video.probe_video(source).fps or 30.0


@app.command()
def live(
    stretch: StretchOption,
    camera: Annotated[int, typer.Option("--camera", help="Camera index.")] = 0,
    source: Annotated[
        Path | None,
        typer.Option(
            "--source",
            help="Play a video file or a landmark recording (.jsonl) "
            "instead of the camera, in real time.",
            dir_okay=False,
        ),
    ] = None,
    side: Annotated[
        str | None,
        typer.Option(
            "--side", help="Start on this side: left or right (default: the side you take)."
        ),
    ] = None,
    hold: HoldOption = None,
    no_mirror: Annotated[
        bool, typer.Option("--no-mirror", help="Do not mirror the camera picture.")
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record", help="Save the session's landmarks to this .jsonl file.", dir_okay=False
        ),
    ] = None,
    out: OutOption = None,
    refs: RefsOption = None,
) -> None:
    """Coach a stretch live from the webcam (or a file played as if it were one)."""
    if side not in (None, "left", "right"):
        _error(f"--side must be left or right (got {side!r})")
        raise typer.Exit(EXIT_USAGE)
    if source is None and not 0 <= camera <= video.MAX_CAMERA_INDEX:
        _error(f"--camera must be 0 to {video.MAX_CAMERA_INDEX} (got {camera})")
        raise typer.Exit(EXIT_USAGE)
    reference = _reference(refs, stretch)
    src: Path | int = source if source is not None else camera
    try:
        fps = _source_fps(src)
    except PosecheckError as error:
        _error(str(error))
        raise typer.Exit(EXIT_DATA) from None
    config = SessionConfig(hold_s=hold, first_side=side)
    target = _output_for(out, "posecheck-live.mp4")
    _coach(
        reference,
        config,
        src,
        mirror=source is None and not no_mirror,
        record=record,
        out=target,
        fps=fps,
    )


DEMO_SAMPLE = "bridge_from_stills.jsonl"


def _demo_sample() -> Path:
    packaged = Path(__file__).parent / "_samples" / DEMO_SAMPLE
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[1] / "samples" / DEMO_SAMPLE


@app.command()
def demo(
    out: OutOption = None,
) -> None:
    """Watch posecheck coach a bridge hold, with no webcam: a bundled recorded session."""
    sample = _demo_sample()
    try:
        header: dict[str, Any] = recording.read_header(sample)
    except InputError as error:
        _error(f"{error}; reinstall posecheck-stretch to restore the demo sample")
        raise typer.Exit(EXIT_SETUP) from None
    reference = _reference(None, str(header.get("stretch", "bridge")))
    hold = header.get("hold_s")
    typer.echo(
        f"Demo: {reference.name}, a {hold:g} s hold, from a session recorded as landmarks "
        f"({header.get('source', sample.name)})."
    )
    config = SessionConfig(hold_s=float(hold) if isinstance(hold, int | float) else None)
    target = _output_for(out, "posecheck-demo.mp4")
    _coach(
        reference, config, sample, mirror=False, record=None, out=target, fps=_source_fps(sample)
    )


def _per_video(path: Path | None, video_path: Path, several: bool) -> Path | None:
    """With several videos, each gets its own output: report.html -> report-clip1.html."""
    if path is None or not several:
        return path
    return path.with_name(f"{path.stem}-{video_path.stem}{path.suffix}")


def _human_report(report: ScoreReport) -> str:
    lines = [
        f"{report.video.path}: {report.stretch} · {report.verdict_text()}",
        f"  {report.video.duration_s:.1f} s of video, person visible "
        f"{report.person_visible_pct:.0f}%, time in form {report.time_in_form_s:.1f} s",
    ]
    lines += [f"  {line}" for line in _rep_lines(report.reps, report.reps_prescribed)]
    lines.append(
        f"  scored in {report.processing_s:.1f} s ({report.realtime_factor:.1f}x real time)"
    )
    return "\n".join(lines)


@app.command()
def score(
    videos: Annotated[
        list[Path],
        typer.Argument(
            help="Recorded videos, or landmark recordings (.jsonl).",
            show_default=False,
            # Not click's check, which stops the whole batch with a usage error:
            # an unreadable file is reported like any bad input and the rest run.
            readable=False,
        ),
    ],
    stretch: StretchOption,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write a self-contained HTML report here.", dir_okay=False),
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per frame here.", dir_okay=False)
    ] = None,
    annotated: Annotated[
        Path | None,
        typer.Option(
            "--annotated", help="Write the video with the overlay here (.mp4).", dir_okay=False
        ),
    ] = None,
    sample_fps: Annotated[
        float | None,
        typer.Option(
            "--sample-fps", help="Score only this many frames per second (faster).", min=1
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Processes for pose estimation (default: CPU cores).", min=1
        ),
    ] = DEFAULT_WORKERS,
    hold: HoldOption = None,
    refs: RefsOption = None,
) -> None:
    """Score recorded videos of a stretch into a report (JSON, HTML, CSV, annotated video)."""
    reference = _reference(refs, stretch)
    several = len(videos) > 1
    failed = False
    for path in videos:
        options = ScoreOptions(
            sample_fps=sample_fps,
            workers=workers,
            csv_path=_per_video(csv_path, path, several),
            annotated_path=_per_video(annotated, path, several),
            config=SessionConfig(hold_s=hold),
        )
        try:
            report = _score_one(path, reference, options, show_progress=not as_json)
            html_path = _per_video(html, path, several)
            if html_path is not None:
                write_html(report, html_path)
        except ModelError as error:
            _error(str(error))
            raise typer.Exit(EXIT_SETUP) from None
        except PosecheckError as error:
            _error(str(error))
            failed = True
            continue
        except KeyboardInterrupt:
            _error(f"{path}: interrupted; its unfinished outputs were removed")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        for warning in report.warnings:
            typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
        if as_json:
            typer.echo(json.dumps(report.to_json()))
        else:
            typer.echo(_human_report(report))
            for label, written in (
                ("HTML report", html_path),
                ("CSV", options.csv_path),
                ("annotated video", options.annotated_path),
            ):
                if written is not None:
                    typer.echo(f"  {label}: {written}")
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


def _score_one(
    path: Path, reference: Reference, options: ScoreOptions, *, show_progress: bool
) -> ScoreReport:
    """Score with a progress bar on a terminal; none when output is piped."""
    if not (show_progress and sys.stderr.isatty()):
        return score_video(path, reference, options)
    from rich.progress import Progress  # only needed on a terminal

    with Progress(transient=True) as bar:
        task = bar.add_task(f"scoring {path.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return score_video(path, reference, options, advance)


def _keep_native_noise_off_the_terminal() -> None:
    """Give Python its own copy of stderr and point file descriptor 2 at /dev/null.

    MediaPipe, TensorFlow Lite and absl write INFO and WARNING lines straight
    to descriptor 2 from C++, some of them from static destructors after our
    code has finished, so silencing them around each call is not enough. Our
    own messages (and typer's usage errors) go through ``sys.stderr``, which
    now writes to a duplicate of the original descriptor; native code writes
    to the null device for the whole life of the process, teardown included.
    """
    try:
        sys.stderr.flush()
        ours = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return  # no usable stderr at all: nothing to protect
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = os.fdopen(
        ours, "w", buffering=1, encoding=encoding, errors="backslashreplace", closefd=True
    )
    os.dup2(null, 2)
    os.close(null)


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `with` block unwinds and
    removes its unfinished output, as after Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main() -> None:
    """Console-script entry point."""
    _keep_native_noise_off_the_terminal()
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure worth a traceback.
        sys.exit(EXIT_INTERRUPTED)
    except _Terminated:
        _error("stopped by SIGTERM; unfinished outputs were removed")
        sys.exit(EXIT_TERMINATED)
