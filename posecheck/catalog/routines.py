"""Routines: an article's stretches in order, each step naming a stretch and, where
the article says so, changing its prescription (20 s instead of 30 s).

A routine file is read like a stretch file, through `Fields`: every problem is
collected and reported one line each, naming the file and the field. A step
names a stretch by id, so a routine is validated against the stretches loaded
with it (bundled and the user's own). Bundled routines live in
``reference_poses/routines/``; a user's folder given with ``--refs`` (or
POSECHECK_REFS) may hold its own in a ``routines/`` subfolder.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from posecheck import resources
from posecheck.catalog.fields import (
    Fields,
    FileError,
    described,
    listed,
    parse_toml,
    read_text,
    toml_files,
)
from posecheck.catalog.library import user_dirs
from posecheck.catalog.schema import (
    MAX_HOLD_S,
    MAX_REPS,
    Prescription,
    Reference,
    alternation_problem,
)
from posecheck.errors import InputError

ROUTINES_FOLDER = "routines"

_TOP_FIELDS = ("id", "name", "source", "description", "steps")
# What a step may change of its stretch's prescription. Sides are the
# stretch's own (a one-sided stretch cannot gain sides), so only these.
OVERRIDES = ("hold_s", "reps", "alternate")
_STEP_FIELDS = ("stretch", *OVERRIDES)
# An article's routine is a handful of stretches; far more is a broken file.
MAX_STEPS = 50


class RoutineError(FileError):
    """Every problem found in one or more routine files; each is one full line."""


@dataclass(frozen=True)
class RoutineStep:
    """One step: a stretch and what the routine changes of its prescription
    (None keeps the stretch's own)."""

    stretch: str
    hold_s: float | None = None
    reps: int | None = None
    alternate: bool | None = None

    def prescription(self, base: Prescription) -> Prescription:
        """The prescription in force for this step, given the stretch's own."""
        return dataclasses.replace(
            base,
            hold_s=base.hold_s if self.hold_s is None else self.hold_s,
            reps=base.reps if self.reps is None else self.reps,
            alternate=base.alternate if self.alternate is None else self.alternate,
        )

    def reference(self, stretches: Mapping[str, Reference]) -> Reference:
        """The step's stretch with the step's prescription in place of its own."""
        base = stretches[self.stretch]
        return dataclasses.replace(base, prescription=self.prescription(base.prescription))

    def overrides(self) -> dict[str, object]:
        """Only what the step changes, by field name."""
        return {name: getattr(self, name) for name in OVERRIDES if getattr(self, name) is not None}


@dataclass(frozen=True)
class Routine:
    id: str
    name: str
    source: str
    description: str
    steps: tuple[RoutineStep, ...]
    path: str = field(default="", compare=False)
    bundled: bool = field(default=True, compare=False)

    def references(self, stretches: Mapping[str, Reference]) -> list[Reference]:
        """Each step's stretch with its prescription in force, in order."""
        return [step.reference(stretches) for step in self.steps]

    def to_json(self, stretches: Mapping[str, Reference]) -> dict[str, object]:
        """The summary `posecheck routines --json` prints, one object per routine."""
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "steps": [
                {
                    "stretch": step.stretch,
                    "name": ref.name,
                    "prescription": ref.prescription.to_json(),
                    "overrides": step.overrides(),
                    "estimated_s": round(estimated_s(ref)),
                }
                for step, ref in zip(self.steps, self.references(stretches), strict=True)
            ],
            "estimated_s": round(routine_estimated_s(self.references(stretches), DEFAULT_REST_S)),
            "rest_s": DEFAULT_REST_S,
            "bundled": self.bundled,
        }


# An estimate, not a promise: getting into position and the checks confirming
# it take a few seconds per hold; a rest between reps on the same side, and
# switching sides, a few more.
SETUP_ESTIMATE_S = 5.0
# A dynamic stretch's reps follow each other with a release, not a rest.
RELEASE_ESTIMATE_S = 2.0
# The rest between steps, unless the user sets another (`live --rest`): long
# enough to read what comes next and get down to the floor.
DEFAULT_REST_S = 15.0
BETWEEN_REPS_ESTIMATE_S = 5.0


def estimated_s(reference: Reference) -> float:
    """About how long a step takes: every hold (or phase), plus getting into position."""
    if reference.phases:
        holds = sum(stage.hold_s for stage in reference.phases)
        return SETUP_ESTIMATE_S * len(reference.phases) + holds
    p = reference.prescription
    holds = p.reps * (2 if p.per_side else 1)
    between = RELEASE_ESTIMATE_S if p.dynamic else BETWEEN_REPS_ESTIMATE_S
    return SETUP_ESTIMATE_S + holds * p.hold_s + (holds - 1) * between


def prescription_text(reference: Reference) -> str:
    """The prescription in words; a phased stretch's as its phases' holds in order."""
    if reference.phases:
        return ", then ".join(f"hold {p.hold_s:g} s" for p in reference.phases)
    return reference.prescription.text()


def routine_estimated_s(references: Sequence[Reference], rest_s: float) -> float:
    """The whole routine: every step, and the rest between steps."""
    return sum(estimated_s(r) for r in references) + rest_s * max(0, len(references) - 1)


class _RoutineReader(Fields):
    """Reads one routine file's parsed TOML, collecting every problem rather than stopping."""

    def __init__(self, origin: str, stretches: Mapping[str, Reference]) -> None:
        super().__init__(origin)
        self.stretches = stretches

    def routine(self, data: Mapping[str, object], *, bundled: bool) -> Routine | None:
        self.unknown_fields(data, "", _TOP_FIELDS)
        routine_id = self.kebab_id(
            data, "", hint="a kebab-case string, the file name without .toml"
        )
        if routine_id is not None and self.origin.endswith(".toml"):
            stem = Path(self.origin).name.removesuffix(".toml")
            if routine_id != stem:
                self.bad("id", f"'{routine_id}' must match the file name '{stem}'")
        if routine_id is not None and routine_id in self.stretches:
            # `posecheck show ID` names either; one id must mean one thing.
            self.bad("id", f"'{routine_id}' is already a stretch id; choose another id")
        name = self.text(data, "", "name")
        source = self.text(data, "", "source")
        description = self.text(data, "", "description")
        steps = self.steps(data)
        if (
            self.problems
            or routine_id is None
            or name is None
            or source is None
            or description is None
            or steps is None
        ):
            return None
        return Routine(
            id=routine_id,
            name=name,
            source=source,
            description=description,
            steps=steps,
            path=self.origin,
            bundled=bundled,
        )

    def steps(self, data: Mapping[str, object]) -> tuple[RoutineStep, ...] | None:
        items = self.array(data, "", "steps", of="tables, written [[steps]]")
        if items is None:
            return None
        if not items:
            self.bad("steps", "must have at least one step (got none)")
            return None
        if len(items) > MAX_STEPS:
            self.bad("steps", f"must have at most {MAX_STEPS} steps (got {len(items)})")
            return None
        built = [self.step(item, f"steps[{i}]") for i, item in enumerate(items)]
        found = [s for s in built if s is not None]
        return tuple(found) if len(found) == len(items) else None

    def step(self, item: object, path: str) -> RoutineStep | None:
        if not isinstance(item, dict):
            self.bad(path, f"must be a table (got {described(item)})")
            return None
        self.unknown_fields(item, path, _STEP_FIELDS)
        stretch_id = self.text(item, path, "stretch", hint="a stretch id")
        reference = None
        if stretch_id is not None:
            reference = self.stretches.get(stretch_id)
            if reference is None:
                self.bad(f"{path}.stretch", _unknown_stretch(stretch_id, self.stretches))
        hold_s = self.number(
            item,
            path,
            "hold_s",
            required=False,
            positive=True,
            most=MAX_HOLD_S,
        )
        reps = (
            self.integer(item, path, "reps", minimum=1, maximum=MAX_REPS, hint="an integer >= 1")
            if "reps" in item
            else None
        )
        alternate = self.boolean(item, path, "alternate", required=False)
        if reference is not None and reference.phases:
            # A phased stretch's phases carry their own holds and are its reps.
            for key in ("hold_s", "reps"):
                if key in item:
                    self.bad(
                        f"{path}.{key}",
                        f"cannot be changed: {stretch_id} is held in phases, "
                        "each with its own hold",
                    )
                    return None
        if alternate is not None and reference is not None:
            problem = alternation_problem(reference.prescription.sides, alternate=alternate)
            if problem:
                self.bad(f"{path}.alternate", f"{problem}: {stretch_id} has no sides")
                return None
        if (
            stretch_id is None
            or reference is None
            or ("hold_s" in item and hold_s is None)
            or ("reps" in item and reps is None)
            or ("alternate" in item and alternate is None)
        ):
            return None
        return RoutineStep(
            stretch=stretch_id,
            hold_s=None if hold_s is None else float(hold_s),
            reps=reps,
            alternate=alternate,
        )


def _unknown_stretch(stretch_id: str, stretches: Mapping[str, Reference]) -> str:
    close = difflib.get_close_matches(stretch_id, list(stretches), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown stretch '{stretch_id}'{hint}; valid: {listed(sorted(stretches))}"


def parse_routine(
    text: str, origin: str, stretches: Mapping[str, Reference], *, bundled: bool = True
) -> Routine:
    """Parse and validate one routine file's text against the known ``stretches``.

    ``origin`` names the file in messages. Raises RoutineError listing every
    problem found, one line each.
    """
    try:
        data = parse_toml(text, origin)
    except FileError as exc:
        raise RoutineError(exc.problems) from None
    reader = _RoutineReader(origin, stretches)
    routine = reader.routine(data, bundled=bundled)
    if routine is None:
        raise RoutineError(reader.problems)
    return routine


# --- the library -------------------------------------------------------------------


def bundled_routines_dir() -> Path:
    """The folder of the bundled routine files (beside the bundled stretches)."""
    return resources.find("reference_poses") / ROUTINES_FOLDER


def load_routine_file(path: Path, stretches: Mapping[str, Reference], *, bundled: bool) -> Routine:
    """One routine file. Messages name a bundled file by its name, a user's by its path."""
    origin = path.name if bundled else str(path)
    try:
        text = read_text(path, origin, what="a routine file")
    except FileError as exc:
        raise RoutineError(exc.problems) from None
    return parse_routine(text, origin, stretches, bundled=bundled)


def routine_files(extra_dirs: Sequence[Path] = ()) -> list[tuple[Path, bool]]:
    """Every routine file to load, bundled first, with whether it is bundled.

    A user's folder holds its routines in a ``routines/`` subfolder, so its
    stretch files and its routine files never mix; a folder without one simply
    adds no routine. Missing user folders are the stretch library's to report.
    """
    found = [(path, True) for path in toml_files(bundled_routines_dir())]
    seen = {bundled_routines_dir().resolve()}
    for folder in user_dirs(extra_dirs):
        sub = folder / ROUTINES_FOLDER
        if not sub.is_dir() or sub.resolve() in seen:
            continue
        seen.add(sub.resolve())
        found += [(path, False) for path in toml_files(sub)]
    return found


def load_routines(
    stretches: Mapping[str, Reference], extra_dirs: Sequence[Path] = ()
) -> dict[str, Routine]:
    """Every bundled routine, then the user's, keyed by id in that order.

    Raises RoutineError listing the problems of every file at once.
    """
    problems: list[str] = []
    routines: dict[str, Routine] = {}
    for path, bundled in routine_files(extra_dirs):
        try:
            routine = load_routine_file(path, stretches, bundled=bundled)
        except RoutineError as exc:
            problems.extend(exc.problems)
            continue
        earlier = routines.get(routine.id)
        if earlier is None:
            routines[routine.id] = routine
        else:
            what = "a bundled routine" if earlier.bundled else f"used by {earlier.path}"
            clash = f"id '{routine.id}' is already {what}; choose another id"
            problems.append(f"{routine.path}: {clash}")
    if problems:
        raise RoutineError(problems)
    return routines


def get_routine(routines: Mapping[str, Routine], routine_id: str) -> Routine:
    """The routine with this id; InputError, with a suggestion when one is close."""
    found = routines.get(routine_id)
    if found is not None:
        return found
    close = difflib.get_close_matches(routine_id, list(routines), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise InputError(f"unknown routine '{routine_id}'{hint}; run 'posecheck routines' to list them")


@dataclass(frozen=True)
class RoutineFileCheck:
    """One routine file (or folder) checked by `check_routine_files`."""

    path: Path
    routine: Routine | None
    problems: tuple[str, ...] = ()


def is_routine_path(path: Path) -> bool:
    """Whether `refs check` reads this file as a routine: it sits in a ``routines/`` folder."""
    return path.parent.name == ROUTINES_FOLDER


def check_routine_files(
    paths: Sequence[Path], stretches: Mapping[str, Reference]
) -> list[RoutineFileCheck]:
    """Validate routine files against ``stretches``, each judged on its own and
    against the ids of the bundled routines and of the files before it."""
    taken = {path.stem: path.resolve() for path in toml_files(bundled_routines_dir())}
    checks = []
    for path in dict.fromkeys(paths):
        try:
            routine = load_routine_file(path, stretches, bundled=False)
        except RoutineError as error:
            checks.append(RoutineFileCheck(path, None, tuple(error.problems)))
            continue
        earlier = taken.setdefault(routine.id, path.resolve())
        if earlier == path.resolve():
            checks.append(RoutineFileCheck(path, routine))
            continue
        what = (
            "a bundled routine"
            if earlier.parent == bundled_routines_dir().resolve()
            else f"used by {earlier}"
        )
        clash = f"{path}: id '{routine.id}' is already {what}; choose another id"
        checks.append(RoutineFileCheck(path, None, (clash,)))
    return checks
