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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from posecheck import __version__, resources
from posecheck.body.geometry import JOINTS
from posecheck.catalog.reference import (
    Prescription,
    Reference,
    ReferenceError,
    bundled_dir,
    get_reference,
    load_file,
    load_references,
)
from posecheck.coaching.session import Event, EventKind, RepSummary, SessionConfig
from posecheck.draw import overlay
from posecheck.errors import InputError, ModelError, PosecheckError
from posecheck.form.checks import Verdict, target_text
from posecheck.io import outputs, recording, sources, video
from posecheck.io.window import Window, display_works
from posecheck.report.html import write_html
from posecheck.report.summary import ScoreReport
from posecheck.run import live as live_session
from posecheck.run.photos import PhotoResult, PoseSummary, describe_photos
from posecheck.run.scoring import ScoreOptions, score_video

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


def _exit_code(error: PosecheckError) -> int:
    """The one mapping from posecheck's errors to exit codes (see the module docstring)."""
    return EXIT_SETUP if isinstance(error, ModelError) else EXIT_DATA


@contextmanager
def _reported() -> Iterator[None]:
    """Turn posecheck's own errors into one red line and their exit code."""
    try:
        yield
    except PosecheckError as error:
        _error(str(error))
        raise typer.Exit(_exit_code(error)) from None


def _fail_on(problems: list[str]) -> None:
    """Report every output problem found before the work starts, then exit 1."""
    for line in problems:
        _error(line)
    if problems:
        raise typer.Exit(EXIT_DATA)


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
    typer.Option(
        "--hold", help="Hold seconds, instead of the prescription's (1-3600).", min=1, max=3600
    ),
]
ImagesArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Photos, or folders of photos (JPEG, PNG, BMP, WebP).",
        show_default=False,
        # Not Click's check: an unreadable photo is one line, exit 1, and the rest still run.
        readable=False,
    ),
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


def _annotate(result: PhotoResult, target: Path) -> Path:
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
    video.write_image(target, frame)
    return target


def _annotation_targets(images: list[Path], folder: Path) -> dict[Path, Path]:
    """Where each photo's drawing goes: ``<label>_pose.<ext>``, unique across the run."""
    photos = [p for p in video.expand_image_paths_lenient(images) if isinstance(p, Path)]
    labels = outputs.unique_labels(photos)
    return {
        photo: folder / f"{label}_pose{photo.suffix.lower()}"
        for photo, label in zip(photos, labels, strict=True)
    }


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
        status = f"{r.status} (advice)" if r.check.advice else str(r.status)
        lines.append(f"  {r.check.label:<{width}}  {value:>7}  {target_text(r.check):<14} {status}")
    if verdict.cue:
        lines.append(f"  -> {verdict.cue}")
    return "\n".join(lines)


def _run_photos(
    images: list[Path], reference: Reference | None, as_json: bool, annotate: Path | None
) -> None:
    """The loop shared by `pose` and `check`: every photo in order, errors in place."""
    targets: dict[Path, Path] = {}
    if annotate is not None:
        try:
            annotate.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _error(f"{annotate}: cannot create this folder ({error.strerror}); pick another")
            raise typer.Exit(EXIT_DATA) from None
        targets = _annotation_targets(images, annotate)
        problem = outputs.folder_problem(annotate)
        problems = [f"{annotate}: --annotate {problem}"] if problem else []
        problems += outputs.check_outputs(
            list(targets), {f"--annotate ({p.name})": t for p, t in targets.items()}
        )
        _fail_on(problems)
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
                    written = _annotate(item, targets[item.path])
                except InputError as error:
                    _error(str(error))
                    failed = True
                    continue
                if not as_json:
                    typer.echo(f"  annotated: {written}")
    except PosecheckError as error:
        _error(str(error))
        raise typer.Exit(_exit_code(error)) from None
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
        advice = " [advice: shown, never blocks the hold]" if c.advice else ""
        lines.append(f"    - {c.label}: {target_text(c)}{where}{advice}")
        lines.append(f"        why: {c.why}")
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
    failed = False
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(p for p in path.glob("*.toml") if p.is_file())
        if not found:
            _error(f"{path}: no reference files (*.toml) in this folder; check the path")
            failed = True
        files.extend(found)
    # Ids taken so far, and by which file: the bundled stretches first, so a
    # file is told here about the clash that --refs would reject it for.
    taken: dict[str, Path] = {}
    bundled = bundled_dir()
    for path in sorted(bundled.glob("*.toml")):
        try:
            taken.setdefault(load_file(path, bundled=True).id, path.resolve())
        except ReferenceError:
            continue  # a damaged bundled file is reported when it is checked itself
    checked: set[Path] = set()
    for file in files:
        if file.resolve() in checked:
            continue  # the same file named twice (a folder and a file in it)
        checked.add(file.resolve())
        try:
            ref = load_file(file, bundled=False)
        except ReferenceError as error:
            for line in error.problems:
                _error(line)
            failed = True
            continue
        earlier = taken.setdefault(ref.id, file.resolve())
        if earlier != file.resolve():
            if earlier.parent == bundled.resolve():
                _error(f"{file}: id '{ref.id}' is already a bundled stretch; choose another id")
            else:
                _error(f"{file}: id '{ref.id}' is already used by {earlier}; choose another id")
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


def _print_event(event: Event, reps_total: int) -> None:
    side = f", {event.side}" if event.side else ""
    detail = f": {event.detail}" if event.detail else ""
    typer.echo(
        f"{event.timestamp_ms / 1000:7.1f} s  {EVENT_TEXT[event.kind]}"
        f" (rep {event.rep} of {reps_total}{side}){detail}"
    )


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
    with _reported(), ExitStack() as stack:
        sink: live_session.FrameSink
        writer: video.VideoWriter | None = None
        if out is None:
            window = stack.enter_context(Window(f"posecheck: {reference.name}"))
            sink = live_session.WindowSink(window, paced=not isinstance(source, int))
        else:
            writer = stack.enter_context(video.VideoWriter(out, fps))
            sink = live_session.VideoSink(writer)
        result = live_session.run_session(
            source,
            reference,
            config,
            sinks=[sink],
            on_event=_print_event,
            mirror=mirror,
            record=record,
            fps=fps,
        )
    if result.interrupted:
        typer.echo("stopped")
    for line in _rep_lines(result.reps, result.reps_total):
        typer.echo(line)
    if out is not None:
        if writer is not None and writer.frames > 0:
            typer.echo(f"overlay video: {out}")
        else:
            typer.echo(f"no frames were shown, so no overlay video was written to {out}")
    if record is not None:
        if result.recorded_frames:
            typer.echo(f"landmarks recorded: {record}")
        else:
            typer.echo(f"no frames were seen, so no recording was written to {record}")


def _check_session_outputs(source: Path | int, out: Path | None, record: Path | None) -> None:
    """--out and --record must not overwrite the source or each other, and must be writable."""
    named = {option: path for option, path in (("--out", out), ("--record", record)) if path}
    _fail_on(outputs.check_outputs([source] if isinstance(source, Path) else [], named))


def _output_for(out: Path | None, default_name: str) -> Path | None:
    """None for a window; a file when asked for, or when there is no display."""
    if out is not None:
        return out
    if display_works():
        return None
    path = Path(default_name)
    display = os.environ.get("DISPLAY")
    reason = f"the display {display} cannot be used" if display else "no display found"
    typer.echo(f"{reason}: writing the overlay video to {path} instead of a window")
    return path


def _source_fps(source: Path | int) -> float:
    return sources.open_source(source).fps


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
    with _reported():
        fps = _source_fps(src)
    config = SessionConfig(hold_s=hold, first_side=side)
    target = _output_for(out, "posecheck-live.mp4")
    _check_session_outputs(src, target, record)
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
    return resources.find("samples", DEMO_SAMPLE)


@app.command()
def demo(
    out: OutOption = None,
) -> None:
    """Watch posecheck coach a bridge hold, with no webcam: a bundled recorded session."""
    sample = _demo_sample()
    try:
        header = recording.read_header(sample)
    except InputError as error:
        _error(f"{error}; reinstall posecheck-stretch to restore the demo sample")
        raise typer.Exit(EXIT_SETUP) from None
    reference = _reference(None, header.stretch or "bridge")
    hold_s = header.hold_s
    length = f"a {hold_s:g} s hold" if hold_s else "a hold"
    typer.echo(
        f"Demo: {reference.name}, {length}, from a session recorded as landmarks "
        f"({header.source or sample.name})."
    )
    config = SessionConfig(hold_s=hold_s)
    target = _output_for(out, "posecheck-demo.mp4")
    _check_session_outputs(sample, target, None)
    _coach(
        reference, config, sample, mirror=False, record=None, out=target, fps=_source_fps(sample)
    )


@dataclass(frozen=True)
class _VideoOutputs:
    html: Path | None
    csv: Path | None
    annotated: Path | None

    def named(self) -> dict[str, Path]:
        pairs = (("--html", self.html), ("--csv", self.csv), ("--annotated", self.annotated))
        return {option: path for option, path in pairs if path is not None}


def _plan_score_outputs(
    videos: list[Path], html: Path | None, csv_path: Path | None, annotated: Path | None
) -> list[_VideoOutputs]:
    """Each video's outputs; with several videos each gets its name added
    (report.html -> report-clip1.html), keeping folders where names clash.
    Every problem is reported before any video is scored."""
    labels = outputs.unique_labels(videos) if len(videos) > 1 else [""] * len(videos)

    def each(path: Path | None, label: str) -> Path | None:
        return path if path is None or not label else outputs.derived(path, label)

    plan = [
        _VideoOutputs(each(html, label), each(csv_path, label), each(annotated, label))
        for label in labels
    ]
    named: dict[str, Path] = {}
    for video_path, planned in zip(videos, plan, strict=True):
        suffix = f" (for {video_path})" if len(videos) > 1 else ""
        named.update({f"{option}{suffix}": path for option, path in planned.named().items()})
    _fail_on(outputs.check_outputs(videos, named))
    return plan


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
            "--sample-fps",
            help="Score only this many frames per second (faster; 1-240).",
            min=1,
            max=240,
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
    plan = _plan_score_outputs(videos, html, csv_path, annotated)
    failed = False
    for path, planned in zip(videos, plan, strict=True):
        options = ScoreOptions(
            sample_fps=sample_fps,
            workers=workers,
            csv_path=planned.csv,
            annotated_path=planned.annotated,
            config=SessionConfig(hold_s=hold),
        )
        html_path = planned.html
        try:
            report = _score_one(path, reference, options, show_progress=not as_json)
            if html_path is not None:
                write_html(report, html_path)
        except PosecheckError as error:
            _error(str(error))
            if _exit_code(error) == EXIT_SETUP:
                raise typer.Exit(EXIT_SETUP) from None
            failed = True  # a data error: this video only, the others still run
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
