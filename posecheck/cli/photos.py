"""`posecheck pose` and `posecheck check`: photos, one after another."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from posecheck.body.geometry import JOINTS
from posecheck.catalog.reference import Reference
from posecheck.cli.app import (
    EXIT_DATA,
    EXIT_OK,
    JsonOption,
    RefsOption,
    StretchOption,
    _error,
    _exit_code,
    _fail_on,
    _reference,
    _references,
    app,
)
from posecheck.errors import InputError, PosecheckError
from posecheck.form.checks import Verdict, target_text
from posecheck.form.recognize import Recognition
from posecheck.io import outputs, video
from posecheck.run.auto import AUTO
from posecheck.run.photos import PhotoResult, PoseSummary, annotated, describe_photos

AnnotateOption = Annotated[
    Path | None,
    typer.Option(
        "--annotate",
        help="Write each photo with the skeleton and results drawn into this folder.",
        file_okay=False,
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


def _annotate(result: PhotoResult, target: Path) -> Path:
    video.write_image(target, annotated(result))
    return target


def _annotation_targets(images: list[Path], folder: Path) -> dict[Path, Path]:
    """Where each photo's drawing goes: ``<label>_pose.<ext>``, unique across the run."""
    photos = [p for p in video.expand_image_paths_lenient(images) if isinstance(p, Path)]
    labels = outputs.unique_labels(photos)
    return {
        photo: folder / f"{label}_pose{photo.suffix.lower()}"
        for photo, label in zip(photos, labels, strict=True)
    }


def _human_verdict(path: Path, verdict: Verdict, people: int, name: str | None = None) -> str:
    stretch = name or verdict.stretch
    if not verdict.person:
        return f"{path}: {stretch} · no person found\n  -> {verdict.cue}"
    state = "ALIGNED" if verdict.aligned else "not aligned"
    head = (
        f"{path}: {stretch} · {verdict.view} view · {verdict.position} · "
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
        value = r.check.kind.unit.value_text(r.value)
        status = f"{r.status} (advice)" if r.check.advice else str(r.status)
        lines.append(f"  {r.check.label:<{width}}  {value:>7}  {target_text(r.check):<14} {status}")
    if verdict.cue:
        lines.append(f"  -> {verdict.cue}")
    return "\n".join(lines)


def _human_recognition(
    result: PhotoResult, recognition: Recognition, names: Mapping[str, str]
) -> str:
    """What `check --stretch auto` says of one photo: the stretch it recognised and its
    verdict, or that it recognised none, with the closest candidates."""
    closest = ", ".join(
        f"{names[c.stretch]} {c.match:.2f}" for c in recognition.candidates[:3] if c.match > 0
    )
    if result.verdict is None:
        if result.detection.pose is None:
            return f"{result.path}: no person found; make sure the whole body is in the picture"
        line = f"{result.path}: no catalog stretch recognised"
        return line + (f" (closest: {closest})" if closest else "")
    lines = _human_verdict(result.path, result.verdict, result.summary.people).splitlines()
    lines[0] = "  " + lines[0].removeprefix(f"{result.path}: ")
    head = f"{result.path}: recognised {names[result.verdict.stretch]} (match: {closest})"
    return "\n".join([head, *lines])


def _auto_json(result: PhotoResult, recognition: Recognition) -> dict[str, object]:
    """The `check --stretch auto --json` fields after ``path``: the recognised stretch's
    verdict (``stretch`` null when none) and the top three ``candidates``."""
    record: dict[str, object]
    if result.verdict is not None:
        record = result.verdict.to_json()
    else:
        s = result.summary
        record = {
            "stretch": None,
            "person": s.person,
            "view": None if s.view is None else str(s.view),
            "position": None if s.position is None else str(s.position),
            "aligned": False,
        }
    record["candidates"] = recognition.top(3)
    record["people"] = result.summary.people
    return record


def _run_photos(
    images: list[Path],
    reference: Reference | None,
    as_json: bool,
    annotate: Path | None,
    recognise_among: Mapping[str, Reference] | None = None,
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
        names = {k: r.name for k, r in (recognise_among or {}).items()}
        for item in describe_photos(images, reference, recognise_among):
            if isinstance(item, InputError):
                _error(str(item))
                failed = True
                continue
            if item.recognition is not None:
                if as_json:
                    found = _auto_json(item, item.recognition)
                    typer.echo(json.dumps({"path": str(item.path), **found}))
                else:
                    typer.echo(_human_recognition(item, item.recognition, names))
            elif as_json:
                record: dict[str, object] = {"path": str(item.path)}
                if item.verdict is not None:
                    record.update(item.verdict.to_json())
                    record["people"] = item.summary.people
                else:
                    record["image_wh"] = list(item.detection.image_wh)
                    record.update(item.summary.to_json())
                typer.echo(json.dumps(record))
            elif item.verdict is not None:
                typer.echo(
                    _human_verdict(item.path, item.verdict, item.summary.people, item.stretch_name)
                )
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
    """Check the alignment in each photo against a stretch's reference pose
    (`--stretch auto`: the stretch recognised in the photo, if any)."""
    if stretch == AUTO:
        _run_photos(images, None, as_json, annotate, _references(refs))
    else:
        _run_photos(images, _reference(refs, stretch), as_json, annotate)
