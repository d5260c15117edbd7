"""The `posecheck` command. The only module that prints or exits.

Exit codes: 0 all inputs fine; 1 a data error (an input could not be read;
the other inputs are still processed); 2 a usage error (bad options or
arguments); 3 an installation problem (the pose model is missing or damaged).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from posecheck import __version__, overlay, video
from posecheck.errors import InputError, ModelError, PosecheckError
from posecheck.geometry import JOINTS
from posecheck.pipeline import PhotoResult, PoseSummary, describe_photos

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_SETUP = 3

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


def _annotate(result: PhotoResult, folder: Path) -> Path:
    frame = result.frame
    pose = result.detection.pose
    if pose is not None:
        frame = overlay.draw_skeleton(frame, pose)
        s = result.summary
        caption = f"{s.view} view, {s.position}"
        if s.people > 1:
            caption += f" (the most prominent of {s.people} people)"
        frame = overlay.draw_caption(frame, [caption])
    else:
        frame = overlay.draw_caption(frame, ["no person found"])
    target = folder / f"{result.path.stem}_pose{result.path.suffix.lower()}"
    video.write_image(target, frame)
    return target


@app.command()
def pose(
    images: Annotated[
        list[Path],
        typer.Argument(
            help="Photos, or folders of photos (JPEG, PNG, BMP, WebP).", show_default=False
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per photo, one per line.")
    ] = False,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help="Write each photo with the skeleton drawn into this folder.",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Find the person in each photo and report view, body position and main joint angles."""
    if annotate is not None:
        try:
            annotate.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            _error(f"{annotate}: cannot create this folder ({error.strerror}); pick another")
            raise typer.Exit(EXIT_DATA) from None
    failed = False
    try:
        for item in describe_photos(images):
            if isinstance(item, InputError):
                _error(str(item))
                failed = True
                continue
            if as_json:
                record = {"path": str(item.path), "image_wh": list(item.detection.image_wh)}
                record.update(item.summary.to_json())
                typer.echo(json.dumps(record))
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure worth a traceback.
        sys.exit(130)
