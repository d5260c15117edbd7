"""The rules of a stretch file: every field read through `Fields`, every problem
collected and reported one line each with the file and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck.body.geometry import Position, View
from posecheck.catalog.fields import Fields, FileError, described, listed, parse_toml
from posecheck.catalog.phases import read_phases
from posecheck.catalog.progress import read_progress
from posecheck.catalog.schema import (
    CENTRAL_POINTS,
    FIXED_PREFIXES,
    MAX_HOLD_S,
    MAX_REPS,
    SIDED_PARTS,
    Check,
    CheckKind,
    Limits,
    Point,
    Prescription,
    Reference,
    ReferenceError,
    Sides,
    Unit,
    alternation_problem,
)

# Oblique is what posecheck reports between side and front; it is a view to
# guide the user out of, so a reference cannot ask for it.
TARGET_VIEWS = tuple(v.value for v in View if v is not View.OBLIQUE)
POSITIONS = tuple(p.value for p in Position)
KINDS = tuple(k.value for k in CheckKind)
SIDES_CHOICES = tuple(s.value for s in Sides)
INCLINATION_REFERENCES = ("vertical", "horizontal")

_ROLE_WORD = re.compile(r"[a-z]+")

_TOP_FIELDS = (
    "id",
    "name",
    "source",
    "description",
    "camera_limits",
    "position",
    "view",
    "roles",
    "prescription",
    "checks",
    "progress",
    "phases",
)
_PRESCRIPTION_REQUIRED = ("hold_s", "reps", "sides", "alternate")
_PRESCRIPTION_FIELDS = (*_PRESCRIPTION_REQUIRED, "dynamic")
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
_ANY_LIMIT_FIELD = tuple(f"{n}_{unit}" for unit in Unit for n in _LIMIT_NAMES)
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
_MOST_TOLERANCE = {Unit.DEG: 180.0, Unit.LEN: 20.0, Unit.RATIO: 10.0}
# Priorities order the cues; a hundred levels is more than any stretch needs.
MAX_PRIORITY = 100


def _unknown_point(name: str, prefixes: Sequence[str]) -> str:
    central = " or ".join(CENTRAL_POINTS)
    return (
        f"unknown point '{name}'; valid: <prefix>_<part> or {central}, "
        f"with prefixes {listed(prefixes)} and parts {listed(SIDED_PARTS)}"
    )


@dataclass(frozen=True)
class _Bounds:
    """A check's limits and which fields set each side (None: no limit on that side)."""

    limits: Limits | None
    low_from: str | None
    high_from: str | None


class _StretchReader(Fields):
    """Reads one stretch file's parsed TOML, collecting every problem rather than stopping."""

    def points(
        self, items: Sequence[object], path: str, prefixes: Sequence[str]
    ) -> tuple[Point, ...] | None:
        """Each name as a Point; None when any of them is not a valid point."""
        found: list[Point] = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, str):
                self.bad(where, f"must be a string (got {described(item)})")
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
        camera_limits = self.text(data, "", "camera_limits", required=False)
        positions = self.members(data, "", "position", POSITIONS)
        views = self.members(data, "", "view", TARGET_VIEWS)
        roles, prefixes = self.roles(data)
        prescription = self.prescription(data)
        checks = self.checks(data, prefixes, views)
        progress = read_progress(self, data, checks)
        phases = read_phases(self, data, checks, prescription)
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
            or phases is None
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
            progress=progress,
            camera_limits=camera_limits,
            phases=phases,
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
                self.bad(where, f"must be a string (got {described(role)})")
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
        table = self.table(data, "", path, hint=f"a table with {listed(_PRESCRIPTION_REQUIRED)}")
        if table is None:
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
        dynamic = self.boolean(table, path, "dynamic", required=False)
        if sides is not None and alternate is not None:
            problem = alternation_problem(sides, alternate=alternate)
            if problem:
                self.bad(f"{path}.alternate", problem)
                return None
        if hold_s is None or reps is None or sides is None or alternate is None:
            return None
        # A bad `dynamic` is already a recorded problem, which rejects the file.
        return Prescription(float(hold_s), reps, Sides(sides), alternate, dynamic=bool(dynamic))

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
            self.bad(path, f"must be a table (got {described(item)})")
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
            suffix = kind.unit
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
            or (kind.needs_unit and unit is None)
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
        if kind is not None and len(items) != kind.points:
            self.bad(
                f"{path}.points",
                f"must have {kind.points} points for kind '{kind}' (got {len(items)})",
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
        if kind is not None and not kind.needs_unit:
            if "unit" in item:
                needing = listed([k.value for k in CheckKind if k.needs_unit])
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
        suffix = kind.unit
        target_key, tolerance_key, min_key, max_key = (f"{n}_{suffix}" for n in _LIMIT_NAMES)
        valid = listed([target_key, tolerance_key, min_key, max_key])
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
        data = parse_toml(text, origin)
    except FileError as exc:
        raise ReferenceError(exc.problems) from None
    reader = _StretchReader(origin)
    reference = reader.reference(data, bundled=bundled)
    if reference is None:
        raise ReferenceError(reader.problems)
    return reference
