"""The phases of a phased stretch file: ``[[phases]]`` tables, each a label, a
hold and the checks that judge it, read with the same one-line problems as
the rest of the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from posecheck.catalog.fields import Fields, described, listed
from posecheck.catalog.schema import MAX_HOLD_S, Check, Prescription, Sides, Stage

_PHASE_FIELDS = ("label", "hold_s", "checks")


def read_phases(
    reader: Fields,
    data: Mapping[str, object],
    checks: Sequence[Check] | None,
    prescription: Prescription | None,
) -> tuple[Stage, ...] | None:
    """The file's phases (empty when it has none); None when any has a problem.

    Phases are the reps of the stretch, so the prescription must be one rep
    with no sides, and its hold is the first phase's.
    """
    items = reader.array(data, "", "phases", of="tables, written [[phases]]", required=False)
    if items is None:
        return None if "phases" in data else ()
    if len(items) < 2:
        reader.bad("phases", f"must have at least 2 phases (got {len(items)})")
        return None
    if prescription is not None and (prescription.reps != 1 or prescription.sides != Sides.NONE):
        reader.bad(
            "phases",
            "need the prescription's reps = 1 and sides = 'none' (the phases are the reps)",
        )
    by_id = {c.id: c for c in checks or ()}
    stages = [
        _stage(reader, item, f"phases[{i}]", by_id, checks is None) for i, item in enumerate(items)
    ]
    found = [s for s in stages if s is not None]
    if len(found) != len(items):
        return None
    if prescription is not None and found[0].hold_s != prescription.hold_s:
        reader.bad(
            "phases[0].hold_s",
            f"must equal the prescription's hold_s ({prescription.hold_s:g}), "
            f"the hold of the first phase (got {found[0].hold_s:g})",
        )
        return None
    return tuple(found)


def _stage(
    reader: Fields, item: object, path: str, by_id: Mapping[str, Check], unknown_checks: bool
) -> Stage | None:
    if not isinstance(item, dict):
        reader.bad(path, f"must be a table (got {described(item)})")
        return None
    reader.unknown_fields(item, path, _PHASE_FIELDS)
    label = reader.text(item, path, "label")
    hold_s = reader.number(
        item, path, "hold_s", positive=True, most=MAX_HOLD_S, hint="a number of seconds > 0"
    )
    ids = reader.array(item, path, "checks", of="check ids")
    if ids is not None and not ids:
        reader.bad(f"{path}.checks", "must name at least one check (got none)")
        ids = None
    named: list[str] = []
    for i, value in enumerate(ids or ()):
        where = f"{path}.checks[{i}]"
        if not isinstance(value, str):
            reader.bad(where, f"must be a string (got {described(value)})")
        elif not unknown_checks and value not in by_id:
            reader.bad(where, f"'{value}' is not a check of this file ({listed(list(by_id))})")
        else:
            named.append(value)
    complete = ids is not None and bool(named) and len(named) == len(ids)
    if complete and not unknown_checks and all(by_id[c].advice for c in named):
        reader.bad(
            f"{path}.checks", "must name a check that is not advice, or it can never be held"
        )
        return None
    if label is None or hold_s is None or ids is None or len(named) != len(ids):
        return None
    return Stage(label=label, hold_s=float(hold_s), checks=tuple(named))
