"""`posecheck stretches`, `show` and `refs check`: the stretch library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from posecheck.catalog.reference import Reference, check_files
from posecheck.cli.app import (
    EXIT_DATA,
    EXIT_OK,
    JsonOption,
    RefsOption,
    _error,
    _reference,
    _references,
    app,
)
from posecheck.form.checks import target_text


@app.command()
def stretches(as_json: JsonOption = False, refs: RefsOption = None) -> None:
    """List the stretches posecheck knows, with views and prescriptions."""
    for ref in _references(refs).values():
        if as_json:
            typer.echo(json.dumps(ref.to_json()))
        else:
            views = "/".join(str(v) for v in ref.views)
            typer.echo(f"{ref.id:<33} {views:<11} {_prescribed(ref):<44} {ref.name}")


def _prescribed(ref: Reference) -> str:
    """The prescription in words; a phased stretch's as its phases' holds in order."""
    if ref.phases:
        return ", then ".join(f"hold {p.hold_s:g} s" for p in ref.phases)
    return ref.prescription.text()


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
        f"  Prescription: {_prescribed(ref)}",
        f"  Position: {positions}; camera view: {views}",
    ]
    if ref.roles:
        lines.append(
            f"  Legs: the {ref.roles[0]} and the {ref.roles[1]} leg, recognised from the pose"
        )
    if ref.camera_limits:
        lines.append(f"  What the camera cannot judge: {ref.camera_limits}")
    labels = {c.id: c.label for c in ref.checks}
    for n, p in enumerate(ref.phases, start=1):
        judged = ", ".join(labels[c].lower() for c in p.checks)
        lines.append(f"  Phase {n}: {p.label}, hold {p.hold_s:g} s (judged on: {judged})")
    lines.append("  Checks, most important first:")
    for c in sorted(ref.checks, key=lambda c: c.priority):
        where = f" (in {'/'.join(str(v) for v in c.views)} view)" if c.views else ""
        advice = " [advice: shown, never blocks the hold]" if c.advice else ""
        lines.append(f"    - {c.label}: {target_text(c)}{where}{advice}")
        lines.append(f"        why: {c.why}")
        for cue in dict.fromkeys((c.cue_low, c.cue_high)):  # a cue said both ways, once
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
        for ref in _references(refs).values():
            typer.echo(f"ok  {ref.path}  ({ref.id}, {len(ref.checks)} checks)")
        raise typer.Exit(EXIT_OK)
    failed = False
    for checked in check_files(paths):
        for line in checked.problems:
            _error(line)
        failed = failed or bool(checked.problems)
        if checked.reference is not None:
            ref = checked.reference
            typer.echo(f"ok  {checked.path}  ({ref.id}, {len(ref.checks)} checks)")
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)
