"""The optional ``progress`` field of a stretch file: which checks' values show the
range of motion reached, for the practice history to follow from hold to hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from posecheck.catalog.fields import Fields, described, listed
from posecheck.catalog.schema import Check


def read_progress(
    reader: Fields, data: Mapping[str, object], checks: Sequence[Check] | None
) -> tuple[str, ...]:
    """The check ids named by ``progress`` (empty when absent); each problem is recorded
    on ``reader`` as one line."""
    items = reader.array(data, "", "progress", of="check ids", required=False)
    if items is None:
        return ()
    known = [c.id for c in checks] if checks is not None else None
    found: list[str] = []
    for i, item in enumerate(items):
        where = f"progress[{i}]"
        if not isinstance(item, str):
            reader.bad(where, f"must be a check id (got {described(item)})")
        elif item in found:
            reader.bad(where, f"'{item}' is named twice")
        elif known is not None and item not in known:
            reader.bad(
                where, f"must be one of this stretch's checks: {listed(known)} (got '{item}')"
            )
        else:
            found.append(item)
    return tuple(found)
