"""The `posecheck` typer app: its shared options, the one mapping from errors to
exit codes, and the process setup (stderr, SIGTERM). The commands register on
`app` from the other modules of this package (see its __init__).

Exit codes: 0 all inputs fine; 1 a data error (an input could not be read;
the other inputs are still processed); 2 a usage error (bad options or
arguments); 3 an installation problem (the pose model is missing or damaged);
130 stopped by Ctrl-C (SIGINT); 143 stopped by SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from posecheck import __version__
from posecheck.catalog.reference import (
    Reference,
    ReferenceError,
    get_reference,
    load_references,
)
from posecheck.catalog.routines import Routine, RoutineError, get_routine, load_routines
from posecheck.coaching.reps import RepSummary
from posecheck.errors import InputError, ModelError, PosecheckError

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


def _one_target(
    stretch: str | None, routine: str | None, named: str = "--stretch ID or --routine ID"
) -> None:
    """Exit with a usage error unless exactly one of --stretch and --routine was given."""
    if (stretch is None) == (routine is None):
        _error(f"give one of {named} (not both)")
        raise typer.Exit(EXIT_USAGE)


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
StretchOption = Annotated[
    str,
    typer.Option(
        "--stretch",
        "-s",
        help="The stretch id (see `posecheck stretches`), or auto to recognise it.",
        show_default=False,
    ),
]
# For commands that take a routine instead (`live`, `score`): one of the two.
StretchOrRoutineOption = Annotated[
    str | None,
    typer.Option(
        "--stretch",
        "-s",
        help="The stretch id (see `posecheck stretches`), or auto to recognise it; "
        "or give --routine.",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Also write the overlay video to this .mp4 (with no display, instead of a window).",
        dir_okay=False,
    ),
]
HoldOption = Annotated[
    float | None,
    typer.Option(
        "--hold", help="Hold seconds, instead of the prescription's (1-3600).", min=1, max=3600
    ),
]

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="The practice history file (default: POSECHECK_DB, else "
        "$XDG_DATA_HOME/posecheck/history.sqlite3).",
        dir_okay=False,
        show_default=False,
    ),
]
NoHistoryOption = Annotated[
    bool, typer.Option("--no-history", help="Do not record this in the practice history.")
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


def _routines(refs: list[Path] | None, stretches: dict[str, Reference]) -> dict[str, Routine]:
    try:
        return load_routines(stretches, refs or [])
    except RoutineError as error:
        for line in error.problems:
            _error(line)
        raise typer.Exit(EXIT_DATA) from None


def _routine(refs: list[Path] | None, routine_id: str) -> tuple[Routine, list[Reference]]:
    """The named routine and its steps' stretches (prescriptions in force); an
    unknown id is a usage error (exit 2)."""
    stretches = _references(refs)
    try:
        routine = get_routine(_routines(refs, stretches), routine_id)
    except InputError as error:
        _error(str(error))
        raise typer.Exit(EXIT_USAGE) from None
    return routine, routine.references(stretches)


def _rep_lines(
    reps: list[RepSummary], total: int, labels: Mapping[str, str] | None = None
) -> list[str]:
    """One line per rep; a fault by its label when ``labels`` (check id -> label) has it."""
    labels = labels or {}
    if not reps:
        return ["No hold was started."]
    lines = []
    for r in reps:
        side = f" ({r.side})" if r.side else ""
        state = "completed" if r.completed else "not completed"
        main = r.main_fault
        fault = f"; main fault: {labels.get(main, main)}" if main else ""
        lines.append(
            f"Rep {r.rep} of {total}{side}: held {r.held_s:.1f} / {r.target_s:g} s, "
            f"in form {r.in_form_s:.1f} s, {state}{fault}"
        )
    return lines


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
