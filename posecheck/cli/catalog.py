"""`posecheck stretches`, `routines`, `show` and `refs check`: the stretch library."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated

import typer

from posecheck.catalog.fields import toml_files
from posecheck.catalog.reference import Reference, check_files
from posecheck.catalog.routines import (
    DEFAULT_REST_S,
    ROUTINES_FOLDER,
    Routine,
    check_routine_files,
    estimated_s,
    is_routine_path,
    prescription_text,
    routine_estimated_s,
)
from posecheck.cli.app import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    JsonOption,
    RefsOption,
    _error,
    _references,
    _routines,
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
    return prescription_text(ref)


@app.command()
def routines(as_json: JsonOption = False, refs: RefsOption = None) -> None:
    """List the routines (one per source article) with their steps and length."""
    stretches = _references(refs)
    for routine in _routines(refs, stretches).values():
        if as_json:
            typer.echo(json.dumps(routine.to_json(stretches)))
            continue
        steps = routine.references(stretches)
        length = _minutes(routine_estimated_s(steps, DEFAULT_REST_S))
        count = f"{len(steps)} steps, {length}"
        typer.echo(f"{routine.id:<28} {count:<22} {routine.name}")


def _minutes(seconds: float) -> str:
    """``about 6 min`` (or seconds, under a minute)."""
    if seconds < 60:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.0f} min"


@app.command()
def show(
    item: Annotated[str, typer.Argument(help="A stretch id or a routine id.", show_default=False)],
    refs: RefsOption = None,
) -> None:
    """Explain a stretch and each of its checks, or a routine and its steps."""
    stretches = _references(refs)
    if item in stretches:
        typer.echo(_stretch_text(stretches[item]))
        return
    routines_found = _routines(refs, stretches)
    if item in routines_found:
        typer.echo(_routine_text(routines_found[item], stretches))
        return
    close = difflib.get_close_matches(item, [*stretches, *routines_found], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    _error(
        f"unknown stretch or routine '{item}'{hint}; "
        "run 'posecheck stretches' or 'posecheck routines' to list them"
    )
    raise typer.Exit(EXIT_USAGE)


def _stretch_text(ref: Reference) -> str:
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
    return "\n".join(lines)


def _routine_text(routine: Routine, stretches: dict[str, Reference]) -> str:
    steps = routine.references(stretches)
    total = _minutes(routine_estimated_s(steps, DEFAULT_REST_S))
    lines = [
        f"{routine.name} ({routine.id})",
        f"  {routine.description}",
        f"  Source: article {routine.source}",
        f"  Steps ({total} with {DEFAULT_REST_S:g} s rests between steps):",
    ]
    for number, (step, ref) in enumerate(zip(routine.steps, steps, strict=True), start=1):
        own = stretches[step.stretch].prescription
        changed = f"; the stretch alone: {own.text()}" if step.overrides() else ""
        lines.append(
            f"    {number}. {ref.name}: {_prescribed(ref)} ({_minutes(estimated_s(ref))}{changed})"
        )
    lines.append(f"  `posecheck show {steps[0].id}` explains a stretch and its checks;")
    lines.append(f"  `posecheck live --routine {routine.id}` coaches the whole routine.")
    return "\n".join(lines)


refs_app = typer.Typer(
    help="Work with reference pose files.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
app.add_typer(refs_app, name="refs")


def _holds_only_routines(path: Path) -> bool:
    """A routine file, a routines folder, or a folder whose only files are its routines."""
    if not path.is_dir():
        return is_routine_path(path)
    if path.name == ROUTINES_FOLDER:
        return True
    return not toml_files(path) and bool(toml_files(path / ROUTINES_FOLDER))


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
    """Validate reference files and routine files, and report every problem, one line each.

    A file in a folder named `routines` is read as a routine; a folder's own
    `routines/` subfolder is checked with it.
    """
    if not paths:
        stretches = _references(refs)
        for ref in stretches.values():
            typer.echo(f"ok  {ref.path}  ({ref.id}, {len(ref.checks)} checks)")
        for routine in _routines(refs, stretches).values():
            typer.echo(f"ok  {routine.path}  ({routine.id}, {len(routine.steps)} steps)")
        raise typer.Exit(EXIT_OK)
    stretch_paths = [p for p in paths if not _holds_only_routines(p)]
    routine_paths = [p for p in paths if is_routine_path(p) and not p.is_dir()]
    for folder in (p for p in paths if p.is_dir()):
        routine_paths += toml_files(folder / ROUTINES_FOLDER)
        if folder.name == ROUTINES_FOLDER:
            routine_paths += toml_files(folder)
    failed = False
    found: dict[str, Reference] = {}
    for checked in check_files(stretch_paths) if stretch_paths else []:
        for line in checked.problems:
            _error(line)
        failed = failed or bool(checked.problems)
        if checked.reference is not None:
            ref = checked.reference
            found[ref.id] = ref
            typer.echo(f"ok  {checked.path}  ({ref.id}, {len(ref.checks)} checks)")
    if routine_paths:
        # Routines may name the stretches just checked as well as the library's.
        stretches = {**_references(refs), **found}
        for routine_check in check_routine_files(routine_paths, stretches):
            for line in routine_check.problems:
                _error(line)
            failed = failed or bool(routine_check.problems)
            if routine_check.routine is not None:
                routine = routine_check.routine
                typer.echo(f"ok  {routine_check.path}  ({routine.id}, {len(routine.steps)} steps)")
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)
