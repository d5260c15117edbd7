"""Reference poses: the schema, TOML parsing that reports every problem at once, loading.

The format is documented for users in reference_poses/README.md.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from pathlib import Path

from posecheck import resources
from posecheck.body.geometry import Position, View
from posecheck.errors import InputError, PosecheckError


class CheckKind(StrEnum):
    ANGLE = "angle"
    INCLINATION = "inclination"
    ALIGNMENT = "alignment"
    HEIGHT = "height"
    DISTANCE = "distance"
    SPACING = "spacing"


# How many points each kind takes and the suffix of its target fields.
POINT_COUNT = {
    CheckKind.ANGLE: 3,
    CheckKind.INCLINATION: 2,
    CheckKind.ALIGNMENT: 2,
    CheckKind.HEIGHT: 2,
    CheckKind.DISTANCE: 2,
    CheckKind.SPACING: 4,
}
UNIT_SUFFIX = {
    CheckKind.ANGLE: "deg",
    CheckKind.INCLINATION: "deg",
    CheckKind.ALIGNMENT: "len",
    CheckKind.HEIGHT: "len",
    CheckKind.DISTANCE: "len",
    CheckKind.SPACING: "ratio",
}
NEEDS_UNIT = {CheckKind.ALIGNMENT, CheckKind.HEIGHT, CheckKind.DISTANCE}

SIDED_PARTS = (
    "shoulder",
    "elbow",
    "wrist",
    "pinky",
    "index",
    "thumb",
    "hip",
    "knee",
    "ankle",
    "heel",
    "foot_index",
    "eye",
    "eye_inner",
    "eye_outer",
    "ear",
    "mouth",
)
CENTRAL_POINTS = ("nose",)
FIXED_PREFIXES = ("left", "right", "mid")


@dataclass(frozen=True)
class Point:
    """A parsed point name.

    ``front_knee`` is Point("front", "knee"); ``nose`` is Point(None, "nose").
    ``prefix`` is "left", "right", "mid", a role name, or None for a central point.
    """

    prefix: str | None
    part: str

    @property
    def name(self) -> str:
        return self.part if self.prefix is None else f"{self.prefix}_{self.part}"


@dataclass(frozen=True)
class Limits:
    """The allowed range of a check's value, in the kind's unit; None is no limit on that side.

    ``target`` and ``tolerance`` are kept when the file gave them (for display);
    then low = target - tolerance and high = target + tolerance.
    """

    low: float | None
    high: float | None
    target: float | None = None
    tolerance: float | None = None


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    kind: CheckKind
    points: tuple[Point, ...]
    limits: Limits
    priority: int
    cue_high: str | None = None
    cue_low: str | None = None
    unit: tuple[Point, Point] | None = None
    reference: str = "vertical"
    views: tuple[View, ...] = ()
    gate: bool = False
    # The sentence of the source article this check enforces, quoted or
    # closely paraphrased; `posecheck show` prints it.
    why: str = ""
    # A check with no basis in the article: shown, but it never blocks
    # alignment or the hold.
    advice: bool = False


@dataclass(frozen=True)
class Prescription:
    hold_s: float
    reps: int
    sides: str  # "each" or "none"
    alternate: bool


@dataclass(frozen=True)
class Reference:
    id: str
    name: str
    source: str
    description: str
    positions: tuple[Position, ...]
    views: tuple[View, ...]
    prescription: Prescription
    checks: tuple[Check, ...]
    roles: tuple[str, str] | None = None
    path: str = field(default="", compare=False)
    bundled: bool = field(default=True, compare=False)


# --- parsing -----------------------------------------------------------------------

REFS_ENV = "POSECHECK_REFS"

# Oblique is what posecheck reports between side and front; it is a view to
# guide the user out of, so a reference cannot ask for it.
TARGET_VIEWS = tuple(v.value for v in View if v is not View.OBLIQUE)
POSITIONS = tuple(p.value for p in Position)
KINDS = tuple(k.value for k in CheckKind)
SIDES_CHOICES = ("each", "none")
INCLINATION_REFERENCES = ("vertical", "horizontal")

_KEBAB_CASE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_ROLE_WORD = re.compile(r"[a-z]+")

_TOP_FIELDS = (
    "id",
    "name",
    "source",
    "description",
    "position",
    "view",
    "roles",
    "prescription",
    "checks",
)
_PRESCRIPTION_FIELDS = ("hold_s", "reps", "sides", "alternate")
_CHECK_FIELDS = (
    "id",
    "label",
    "kind",
    "points",
    "unit",
    "reference",
    "priority",
    "cue_high",
    "cue_low",
    "views",
    "gate",
    "why",
    "advice",
)
_LIMIT_NAMES = ("target", "tolerance", "min", "max")
# The one line a check without `why` gets: every check must say which
# sentence of its source article it enforces.
WHY_HINT = (
    "a string: the sentence of the source article this check enforces, "
    "in a close paraphrase or a short quote"
)

# Every suffix is known, so target_len on an angle check is told to use
# target_deg rather than called an unknown field.
_ANY_LIMIT_FIELD = tuple(
    f"{n}_{s}" for s in dict.fromkeys(UNIT_SUFFIX.values()) for n in _LIMIT_NAMES
)
# The values each kind can take; a limit outside them could never be met, or
# never fail.
# Lengths are in body units (a thigh, a shin): ten of them is already off the
# picture, so a limit past that is a typo, not a stretch.
_VALUE_RANGE: dict[CheckKind, tuple[float | None, float | None]] = {
    CheckKind.ANGLE: (0.0, 180.0),
    CheckKind.INCLINATION: (0.0, 90.0),
    CheckKind.ALIGNMENT: (-10.0, 10.0),
    CheckKind.HEIGHT: (-10.0, 10.0),
    CheckKind.DISTANCE: (0.0, 10.0),
    CheckKind.SPACING: (0.0, 10.0),
}
# The largest tolerance of each unit: the width of the widest range above.
_MOST_TOLERANCE = {"deg": 180.0, "len": 20.0, "ratio": 10.0}
# Bounds on the prescription and on priorities: sane for any stretch, and
# small enough that a session never plans an absurd number of reps.
MAX_HOLD_S = 3600.0
MAX_REPS = 100
MAX_PRIORITY = 100
# A reference file is a few kilobytes; refuse to read one far larger whole.
MAX_FILE_BYTES = 1 << 20


# Any number in a reference beyond this is a typo; compared before float maths.
_LARGEST = 10**9


class ReferenceError(PosecheckError):
    """Every problem found in one or more reference files; each is one full line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _toml_type(value: object) -> str:
    # bool first: it is a subclass of int.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, date | time):
        return "datetime"
    return type(value).__name__


def _shown(value: object) -> str:
    """A value as it reads in TOML; arrays and tables by their type only."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**15:
        article = "a negative" if value < 0 else "an"
        return f"{article} integer of {len(str(abs(value)))} digits"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return _toml_type(value)


def _one_line(text: str) -> str:
    """A problem as one line: values quoted from the file can hold newlines and other
    control characters, which are shown escaped (``\\n``) instead."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _described(value: object) -> str:
    """Type and value, for a value of the wrong type: ``integer 3``, ``table``."""
    kind, shown = _toml_type(value), _shown(value)
    return kind if shown == kind else f"{kind} {shown}"


def _join(table_path: str, key: str) -> str:
    return f"{table_path}.{key}" if table_path else key


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names)


def _unknown_point(name: str, prefixes: Sequence[str]) -> str:
    central = " or ".join(CENTRAL_POINTS)
    return (
        f"unknown point '{name}'; valid: <prefix>_<part> or {central}, "
        f"with prefixes {_listed(prefixes)} and parts {_listed(SIDED_PARTS)}"
    )


@dataclass(frozen=True)
class _Bounds:
    """A check's limits and which fields set each side (None: no limit on that side)."""

    limits: Limits | None
    low_from: str | None
    high_from: str | None


class _Parser:
    """Validates one file's parsed TOML, collecting every problem rather than stopping.

    Readers return None when the field has a problem (already recorded), so the
    caller can go on to the next field.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []

    # --- recording problems

    def bad(self, path: str, text: str) -> None:
        """A problem with one field: ``checks[2].tolerance_deg must be > 0 (got -5)``."""
        self.problems.append(_one_line(f"{self.origin}: {path} {text}"))

    def note(self, table_path: str, text: str) -> None:
        """A problem with a table as a whole, such as a missing field; "" is the file."""
        where = f"{table_path}: " if table_path else ""
        self.problems.append(_one_line(f"{self.origin}: {where}{text}"))

    def missing(self, table_path: str, key: str, hint: str) -> None:
        self.note(table_path, f"missing field '{key}' ({hint})")

    def unknown_fields(
        self, table: Mapping[str, object], table_path: str, known: Collection[str]
    ) -> None:
        for key in table:
            if key not in known:
                self.note(table_path, f"unknown field '{key}'")

    # --- reading one field

    def text(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        required: bool = True,
        hint: str = "a string",
    ) -> str | None:
        if key not in table:
            if required:
                self.missing(table_path, key, hint)
            return None
        value, path = table[key], _join(table_path, key)
        if not isinstance(value, str):
            self.bad(path, f"must be a string (got {_described(value)})")
            return None
        if not value.strip():
            self.bad(path, f"must not be empty (got {_shown(value)})")
            return None
        return value

    def number(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        required: bool = True,
        positive: bool = False,
        most: float | None = None,
        hint: str = "a number",
    ) -> float | None:
        """The number as written: an int stays an int so messages show ``-5``, not ``-5.0``.

        ``most`` bounds it above (and, when it may be negative, below by ``-most``).
        """
        if key not in table:
            if required:
                self.missing(table_path, key, hint)
            return None
        value, path = table[key], _join(table_path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, f"must be a number (got {_described(value)})")
            return None
        if isinstance(value, int) and abs(value) > _LARGEST:
            # Compared as an int: math.isfinite would overflow on a 400-digit integer.
            self.bad(path, f"must be a number of sensible size (got {_shown(value)})")
            return None
        if not math.isfinite(value):
            self.bad(path, f"must be a finite number (got {_shown(value)})")
            return None
        if positive and value <= 0:
            self.bad(path, f"must be > 0 (got {_shown(value)})")
            return None
        if most is not None and (value > most or (not positive and value < -most)):
            within = f"at most {most:g}" if positive else f"between {-most:g} and {most:g}"
            self.bad(path, f"must be {within} (got {_shown(value)})")
            return None
        return value

    def integer(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        minimum: int,
        maximum: int,
        hint: str,
    ) -> int | None:
        if key not in table:
            self.missing(table_path, key, hint)
            return None
        value, path = table[key], _join(table_path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, f"must be an integer (got {_described(value)})")
            return None
        if value < minimum:
            self.bad(path, f"must be >= {minimum} (got {_shown(value)})")
            return None
        if value > maximum:
            self.bad(path, f"must be at most {maximum} (got {_shown(value)})")
            return None
        return value

    def boolean(
        self, table: Mapping[str, object], table_path: str, key: str, *, required: bool
    ) -> bool | None:
        if key not in table:
            if required:
                self.missing(table_path, key, "a boolean, true or false")
            return None
        value = table[key]
        if not isinstance(value, bool):
            self.bad(_join(table_path, key), f"must be a boolean (got {_described(value)})")
            return None
        return value

    def choice(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        choices: Sequence[str],
        *,
        required: bool = True,
    ) -> str | None:
        if key not in table:
            if required:
                self.missing(table_path, key, f"one of {_listed(choices)}")
            return None
        value = table[key]
        if not isinstance(value, str) or value not in choices:
            got = _shown(value) if isinstance(value, str) else _described(value)
            self.bad(_join(table_path, key), f"must be one of {_listed(choices)} (got {got})")
            return None
        return value

    def array(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        of: str,
        required: bool = True,
        hint: str = "",
    ) -> list[object] | None:
        if key not in table:
            if required:
                self.missing(table_path, key, hint or f"an array of {of}")
            return None
        value = table[key]
        if not isinstance(value, list):
            self.bad(_join(table_path, key), f"must be an array of {of} (got {_described(value)})")
            return None
        return value

    def members(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        choices: Sequence[str],
        *,
        required: bool = True,
        chosen_from: str = "",
    ) -> list[str] | None:
        """A non-empty array of distinct strings from ``choices``.

        ``chosen_from`` names where the choices come from, when that is not
        the format itself (a check's views come from the file's view).
        """
        items = self.array(
            table,
            table_path,
            key,
            of="strings",
            required=required,
            hint=f"an array of strings from {_listed(choices)}",
        )
        if items is None:
            return None
        path = _join(table_path, key)
        if not items:
            self.bad(path, f"must not be empty (valid: {_listed(choices)})")
            return None
        found: dict[str, int] = {}
        ok = True
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, str):
                self.bad(where, f"must be a string (got {_described(item)})")
            elif item not in choices and chosen_from:
                self.bad(where, f"'{item}' is not in {chosen_from} ({_listed(choices)})")
            elif item not in choices:
                self.bad(where, f"must be one of {_listed(choices)} (got '{item}')")
            elif item in found:
                self.bad(where, f"'{item}' is listed twice (also {path}[{found[item]}])")
            else:
                found[item] = i
                continue
            ok = False
        return list(found) if ok else None

    def kebab_id(
        self, table: Mapping[str, object], table_path: str, *, hint: str = "a kebab-case string"
    ) -> str | None:
        value = self.text(table, table_path, "id", hint=hint)
        if value is not None and not _KEBAB_CASE.fullmatch(value):
            self.bad(
                _join(table_path, "id"),
                f"must be kebab-case, lowercase letters and digits joined by '-' (got '{value}')",
            )
            return None
        return value

    def points(
        self, items: Sequence[object], path: str, prefixes: Sequence[str]
    ) -> tuple[Point, ...] | None:
        """Each name as a Point; None when any of them is not a valid point."""
        found: list[Point] = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, str):
                self.bad(where, f"must be a string (got {_described(item)})")
                continue
            point = _point(item, prefixes)
            if point is None:
                self.note(where, _unknown_point(item, prefixes))
            else:
                found.append(point)
        return tuple(found) if len(found) == len(items) else None

    # --- the file

    def reference(self, data: Mapping[str, object], *, bundled: bool) -> Reference | None:
        """The Reference, or None when any problem was recorded."""
        self.unknown_fields(data, "", _TOP_FIELDS)
        ref_id = self.kebab_id(data, "", hint="a kebab-case string, the file name without .toml")
        if ref_id is not None and self.origin.endswith(".toml"):
            stem = Path(self.origin).name.removesuffix(".toml")
            if ref_id != stem:
                self.bad("id", f"'{ref_id}' must match the file name '{stem}'")
        name = self.text(data, "", "name")
        source = self.text(data, "", "source")
        description = self.text(data, "", "description")
        positions = self.members(data, "", "position", POSITIONS)
        views = self.members(data, "", "view", TARGET_VIEWS)
        roles, prefixes = self.roles(data)
        prescription = self.prescription(data)
        checks = self.checks(data, prefixes, views)
        if (
            self.problems
            or ref_id is None
            or name is None
            or source is None
            or description is None
            or positions is None
            or views is None
            or prescription is None
            or checks is None
        ):
            return None
        return Reference(
            id=ref_id,
            name=name,
            source=source,
            description=description,
            positions=tuple(Position(p) for p in positions),
            views=tuple(View(v) for v in views),
            prescription=prescription,
            checks=checks,
            roles=roles,
            path=self.origin,
            bundled=bundled,
        )

    def roles(self, data: Mapping[str, object]) -> tuple[tuple[str, str] | None, tuple[str, ...]]:
        """The file's two roles (None when absent) and the point prefixes they allow."""
        items = self.array(data, "", "roles", of="two strings", required=False)
        if items is None:
            return None, FIXED_PREFIXES
        # The names written are accepted as prefixes even when the roles field
        # has a problem, so one mistake there is not repeated at every point.
        written = [r for r in items if isinstance(r, str) and r not in FIXED_PREFIXES]
        prefixes = FIXED_PREFIXES + tuple(dict.fromkeys(written))
        ok = len(items) == 2
        if not ok:
            self.bad("roles", f"must have 2 names (got {len(items)})")
        for i, role in enumerate(items):
            where = f"roles[{i}]"
            if not isinstance(role, str):
                self.bad(where, f"must be a string (got {_described(role)})")
            elif not _ROLE_WORD.fullmatch(role):
                self.bad(where, f"must be one lowercase word, letters a-z only (got '{role}')")
            elif role in FIXED_PREFIXES:
                self.bad(
                    where,
                    f"must not be {', '.join(FIXED_PREFIXES[:-1])} or {FIXED_PREFIXES[-1]}, "
                    f"which every file already has (got '{role}')",
                )
            else:
                continue
            ok = False
        if ok and items[0] == items[1]:
            self.bad("roles", f"must be two different names (got '{items[0]}' twice)")
            ok = False
        if not ok:
            return None, prefixes
        first, second = (str(r) for r in items)
        return (first, second), prefixes

    def prescription(self, data: Mapping[str, object]) -> Prescription | None:
        path = "prescription"
        if path not in data:
            self.missing("", path, f"a table with {_listed(_PRESCRIPTION_FIELDS)}")
            return None
        table = data[path]
        if not isinstance(table, dict):
            self.bad(path, f"must be a table (got {_described(table)})")
            return None
        self.unknown_fields(table, path, _PRESCRIPTION_FIELDS)
        hold_s = self.number(
            table, path, "hold_s", positive=True, most=MAX_HOLD_S, hint="a number of seconds > 0"
        )
        reps = self.integer(
            table, path, "reps", minimum=1, maximum=MAX_REPS, hint="an integer >= 1"
        )
        sides = self.choice(table, path, "sides", SIDES_CHOICES)
        alternate = self.boolean(table, path, "alternate", required=True)
        if alternate and sides == "none":
            self.bad(
                f"{path}.alternate",
                "must be false when sides is 'none' (there is no side to switch to)",
            )
            return None
        if hold_s is None or reps is None or sides is None or alternate is None:
            return None
        return Prescription(hold_s=float(hold_s), reps=reps, sides=sides, alternate=alternate)

    # --- the checks

    def checks(
        self,
        data: Mapping[str, object],
        prefixes: Sequence[str],
        file_views: Sequence[str] | None,
    ) -> tuple[Check, ...] | None:
        items = self.array(data, "", "checks", of="tables, written [[checks]]")
        if items is None:
            return None
        if not items:
            self.bad("checks", "must have at least one check (got none)")
            return None
        first_use: dict[str, str] = {}
        built: list[Check] = []
        for i, item in enumerate(items):
            check = self.check(item, f"checks[{i}]", prefixes, file_views, first_use)
            if check is not None:
                built.append(check)
        return tuple(built) if len(built) == len(items) else None

    def check(
        self,
        item: object,
        path: str,
        prefixes: Sequence[str],
        file_views: Sequence[str] | None,
        first_use: dict[str, str],
    ) -> Check | None:
        """One check; ``first_use`` maps the ids seen so far to the check that used them."""
        if not isinstance(item, dict):
            self.bad(path, f"must be a table (got {_described(item)})")
            return None
        self.unknown_fields(item, path, _CHECK_FIELDS + _ANY_LIMIT_FIELD)
        check_id = self.kebab_id(item, path)
        if check_id is not None:
            if check_id in first_use:
                self.bad(f"{path}.id", f"'{check_id}' is used twice (also {first_use[check_id]})")
            else:
                first_use[check_id] = path
        label = self.text(item, path, "label")
        kind_name = self.choice(item, path, "kind", KINDS)
        kind = None if kind_name is None else CheckKind(kind_name)
        points = self.check_points(item, path, kind, prefixes)
        unit = self.unit(item, path, kind, prefixes)
        reference = self.inclination_reference(item, path, kind)
        bounds = self.bounds(item, path, kind)
        priority = self.integer(
            item, path, "priority", minimum=1, maximum=MAX_PRIORITY, hint="an integer >= 1"
        )
        cue_high = self.text(item, path, "cue_high", required=False)
        cue_low = self.text(item, path, "cue_low", required=False)
        if bounds is not None and kind is not None:
            suffix = UNIT_SUFFIX[kind]
            self.cue_fits(item, path, "cue_high", "upper", bounds.high_from, f"max_{suffix}")
            self.cue_fits(item, path, "cue_low", "lower", bounds.low_from, f"min_{suffix}")
        views = self.check_views(item, path, file_views)
        gate = self.boolean(item, path, "gate", required=False)
        why = self.text(item, path, "why", hint=WHY_HINT)
        advice = self.boolean(item, path, "advice", required=False)
        if advice and gate:
            # Advice never blocks; a gate stops the judgement: both cannot hold.
            self.bad(f"{path}.gate", "must not be true on an advice check (advice never blocks)")
            return None
        if (
            check_id is None
            or label is None
            or kind is None
            or points is None
            or (kind in NEEDS_UNIT and unit is None)
            or reference is None
            or bounds is None
            or bounds.limits is None
            or priority is None
            or views is None
            or ("gate" in item and gate is None)
            or why is None
            or ("advice" in item and advice is None)
        ):
            return None
        return Check(
            id=check_id,
            label=label,
            kind=kind,
            points=points,
            limits=bounds.limits,
            priority=priority,
            cue_high=cue_high,
            cue_low=cue_low,
            unit=unit,
            reference=reference,
            views=views,
            gate=bool(gate),
            why=why,
            advice=bool(advice),
        )

    def check_points(
        self,
        item: Mapping[str, object],
        path: str,
        kind: CheckKind | None,
        prefixes: Sequence[str],
    ) -> tuple[Point, ...] | None:
        items = self.array(item, path, "points", of="point names")
        if items is None:
            return None
        if kind is not None and len(items) != POINT_COUNT[kind]:
            self.bad(
                f"{path}.points",
                f"must have {POINT_COUNT[kind]} points for kind '{kind}' (got {len(items)})",
            )
            return None
        return self.points(items, f"{path}.points", prefixes)

    def unit(
        self,
        item: Mapping[str, object],
        path: str,
        kind: CheckKind | None,
        prefixes: Sequence[str],
    ) -> tuple[Point, Point] | None:
        if kind is not None and kind not in NEEDS_UNIT:
            if "unit" in item:
                needing = _listed([k.value for k in CheckKind if k in NEEDS_UNIT])
                self.bad(f"{path}.unit", f"is not valid for kind '{kind}' (only for {needing})")
            return None
        items = self.array(
            item,
            path,
            "unit",
            of="point names",
            required=kind is not None,
            hint="an array of 2 points whose distance is the body unit",
        )
        if items is None:
            return None
        if len(items) != 2:
            self.bad(f"{path}.unit", f"must have 2 points (got {len(items)})")
            return None
        points = self.points(items, f"{path}.unit", prefixes)
        if points is None:
            return None
        first, second = points
        if first == second:
            # A unit of zero length would divide every measurement by zero.
            self.bad(f"{path}.unit", f"must name two different points (got '{first.name}' twice)")
            return None
        return first, second

    def inclination_reference(
        self, item: Mapping[str, object], path: str, kind: CheckKind | None
    ) -> str | None:
        if "reference" not in item:
            return "vertical"
        if kind is not None and kind is not CheckKind.INCLINATION:
            self.bad(f"{path}.reference", f"is not valid for kind '{kind}' (only for inclination)")
            return None
        return self.choice(item, path, "reference", INCLINATION_REFERENCES)

    def bounds(
        self, item: Mapping[str, object], path: str, kind: CheckKind | None
    ) -> _Bounds | None:
        """The check's limits; None when their shape is wrong, so cues cannot be judged."""
        if kind is None:
            return None
        suffix = UNIT_SUFFIX[kind]
        target_key, tolerance_key, min_key, max_key = (f"{n}_{suffix}" for n in _LIMIT_NAMES)
        valid = _listed([target_key, tolerance_key, min_key, max_key])
        misplaced = [k for k in item if k in _ANY_LIMIT_FIELD and not k.endswith(f"_{suffix}")]
        for key in misplaced:
            self.bad(f"{path}.{key}", f"is not valid for kind '{kind}' (use {valid})")

        target = self.in_range(item, path, target_key, kind)
        tolerance = self.number(
            item, path, tolerance_key, required=False, positive=True, most=_MOST_TOLERANCE[suffix]
        )
        low = self.in_range(item, path, min_key, kind)
        high = self.in_range(item, path, max_key, kind)

        by_target = target_key in item or tolerance_key in item
        by_range = min_key in item or max_key in item
        if by_target and by_range:
            self.bad(
                path,
                f"mixes {target_key}/{tolerance_key} with {min_key}/{max_key}; "
                "use one or the other",
            )
            return None
        if not by_target and not by_range:
            # A misplaced field already said which fields to use.
            if not misplaced:
                self.bad(
                    path,
                    f"needs {target_key} with {tolerance_key}, or {min_key} and/or {max_key}",
                )
            return None
        if by_target:
            if target_key not in item:
                self.bad(f"{path}.{tolerance_key}", f"needs {target_key}")
            if tolerance_key not in item:
                self.bad(f"{path}.{target_key}", f"needs {tolerance_key}")
            given = f"{target_key} and {tolerance_key}"
            limits = None
            if target is not None and tolerance is not None:
                limits = Limits(
                    low=float(target - tolerance),
                    high=float(target + tolerance),
                    target=float(target),
                    tolerance=float(tolerance),
                )
            return _Bounds(limits, low_from=given, high_from=given)
        if low is not None and high is not None and low > high:
            self.bad(f"{path}.{min_key}", f"must be <= {max_key} (got {low} > {high})")
        ok = (low is not None or min_key not in item) and (high is not None or max_key not in item)
        return _Bounds(
            Limits(
                low=None if low is None else float(low),
                high=None if high is None else float(high),
            )
            if ok
            else None,
            low_from=min_key if min_key in item else None,
            high_from=max_key if max_key in item else None,
        )

    def in_range(
        self, item: Mapping[str, object], path: str, key: str, kind: CheckKind
    ) -> float | None:
        value = self.number(item, path, key, required=False)
        if value is None:
            return None
        least, most = _VALUE_RANGE[kind]
        if least is not None and most is not None and not least <= value <= most:
            self.bad(
                f"{path}.{key}",
                f"must be between {least:g} and {most:g} for kind '{kind}' (got {value})",
            )
            return None
        if least is not None and value < least:
            self.bad(f"{path}.{key}", f"must be >= {least:g} for kind '{kind}' (got {value})")
            return None
        return value

    def cue_fits(
        self,
        item: Mapping[str, object],
        path: str,
        key: str,
        side: str,
        limit_from: str | None,
        limit_key: str,
    ) -> None:
        """A cue is needed for each side with a limit, and useless for a side without one."""
        if limit_from is not None and key not in item:
            self.missing(path, key, f"a string, required by the {side} limit from {limit_from}")
        elif limit_from is None and key in item:
            self.bad(
                f"{path}.{key}",
                f"is given but there is no {side} limit ({limit_key}), so it would never show",
            )

    def check_views(
        self, item: Mapping[str, object], path: str, file_views: Sequence[str] | None
    ) -> tuple[View, ...] | None:
        if "views" not in item:
            return ()
        if file_views is None:
            # The file's view has its own problem; judge against what it may hold.
            found = self.members(item, path, "views", TARGET_VIEWS)
        else:
            found = self.members(item, path, "views", file_views, chosen_from="the file's view")
        return None if found is None else tuple(View(v) for v in found)


def _point(name: str, prefixes: Sequence[str]) -> Point | None:
    if name in CENTRAL_POINTS:
        return Point(None, name)
    prefix, _, part = name.partition("_")
    if prefix in prefixes and part in SIDED_PARTS:
        return Point(prefix, part)
    return None


def parse_reference(text: str, origin: str, *, bundled: bool = True) -> Reference:
    """Parse and validate one reference file's text.

    ``origin`` names the file in messages. Raises ReferenceError listing every
    problem found, one line each.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceError([f"{origin}: not valid TOML ({exc})"]) from None
    except RecursionError:
        raise ReferenceError(
            [f"{origin}: not valid TOML (arrays or tables nested too deeply)"]
        ) from None
    except ValueError:
        # tomllib lets Python's limit on integer digits (4300) through as a bare ValueError.
        raise ReferenceError(
            [f"{origin}: not valid TOML (a number with too many digits)"]
        ) from None
    parser = _Parser(origin)
    reference = parser.reference(data, bundled=bundled)
    if reference is None:
        raise ReferenceError(parser.problems)
    return reference


# --- loading -----------------------------------------------------------------------


def bundled_dir() -> Path:
    """The folder of the bundled reference files: inside the package when installed
    from a wheel, else the checkout's reference_poses/."""
    return resources.find("reference_poses")


def user_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """The user's folders: ``extra`` (from --refs), then those in POSECHECK_REFS."""
    from_env = os.environ.get(REFS_ENV, "").split(os.pathsep)
    return [*extra, *(Path(entry) for entry in from_env if entry.strip())]


def load_file(path: Path, *, bundled: bool) -> Reference:
    """One reference file. Messages name a bundled file by its name, a user's by its path."""
    origin = path.name if bundled else str(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ReferenceError([f"{origin}: no such file"]) from None
    except OSError as exc:
        raise ReferenceError([f"{origin}: cannot be read ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        too_large = f"larger than {MAX_FILE_BYTES // 1024} KiB, too large for a reference file"
        raise ReferenceError([f"{origin}: {too_large}"])
    try:
        # utf-8-sig: some Windows editors start UTF-8 files with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceError(
            [f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    return parse_reference(text, origin, bundled=bundled)


def _toml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def load_references(extra_dirs: Sequence[Path] = ()) -> dict[str, Reference]:
    """Every bundled reference, then the user's, keyed by id in that order.

    Raises ReferenceError listing the problems of every file at once.
    """
    problems: list[str] = []
    refs: dict[str, Reference] = {}

    def load(path: Path, *, bundled: bool) -> None:
        try:
            ref = load_file(path, bundled=bundled)
        except ReferenceError as exc:
            problems.extend(exc.problems)
            return
        # A user file never silently replaces another: the user would not
        # know which of the two was being judged against.
        earlier = refs.get(ref.id)
        if earlier is None:
            refs[ref.id] = ref
        elif earlier.bundled:
            problems.append(
                f"{ref.path}: id '{ref.id}' is already a bundled stretch; choose another id"
            )
        else:
            problems.append(
                f"{ref.path}: id '{ref.id}' is already used by {earlier.path}; choose another id"
            )

    bundled = bundled_dir()
    if not bundled.is_dir():
        problems.append(
            f"{bundled}: bundled reference poses not found; posecheck is not fully installed"
        )
    for path in _toml_files(bundled):
        load(path, bundled=True)
    seen = {bundled.resolve()}
    for folder in user_dirs(extra_dirs):
        if not folder.is_dir():
            what = "not a folder" if folder.exists() else "no such folder"
            problems.append(f"{folder}: {what} (from --refs or {REFS_ENV})")
            continue
        # The same folder named twice (or the bundled one) would clash with itself.
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        for path in _toml_files(folder):
            load(path, bundled=False)
    if problems:
        raise ReferenceError(problems)
    return refs


def get_reference(refs: Mapping[str, Reference], stretch_id: str) -> Reference:
    """The reference with this id; InputError, with a suggestion when one is close."""
    found = refs.get(stretch_id)
    if found is not None:
        return found
    close = difflib.get_close_matches(stretch_id, list(refs), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise InputError(
        f"unknown stretch '{stretch_id}'{hint}; run 'posecheck stretches' to list them"
    )
