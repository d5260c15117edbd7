"""The whole history as a file another tool can read, and read back: JSON (every
session with its holds and measurements) or CSV (one row per hold)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from posecheck import atomic
from posecheck.errors import InputError
from posecheck.history.database import SCHEMA_VERSION
from posecheck.history.records import HoldRecord, Measurement, SessionRecord

EXPORT_SUFFIXES = (".csv", ".json")
CSV_FIELDS = (
    "session",
    "start",
    "end",
    "source",
    "session_stretch",
    "routine",
    "content_hash",
    "stretch",
    "side",
    "rep",
    "target_s",
    "held_s",
    "form_pct",
    "main_fault",
    "completed",
    "measurements",
)


def export(sessions: Sequence[SessionRecord], path: Path) -> None:
    """Write every session to ``path`` (.json or .csv), atomically."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = {"schema_version": SCHEMA_VERSION, "sessions": [s.to_json() for s in sessions]}
        atomic.write(path, json.dumps(document, indent=1) + "\n", keep_suffix=True)
    elif suffix == ".csv":
        atomic.write(path, _csv_text(sessions), keep_suffix=True)
    else:
        raise InputError(f"{path}: cannot export to this suffix; use .csv or .json")


def _csv_text(sessions: Sequence[SessionRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for s in sessions:
        head = [
            s.id,
            s.started.isoformat(),
            "" if s.ended is None else s.ended.isoformat(),
            s.source,
            s.stretch or "",
            s.routine or "",
            s.content_hash or "",
        ]
        for h in s.holds:
            writer.writerow(
                [
                    *head,
                    h.stretch,
                    h.side or "",
                    h.rep,
                    repr(h.target_s),
                    repr(h.held_s),
                    repr(h.form_pct),
                    h.main_fault or "",
                    int(h.completed),
                    json.dumps([[m.check_id, m.label, m.unit, m.value] for m in h.measurements]),
                ]
            )
        if not s.holds:
            writer.writerow(head + [""] * (len(CSV_FIELDS) - len(head)))
    return out.getvalue()


def read_export(path: Path) -> list[SessionRecord]:
    """The sessions in a file written by `export`. Raises `InputError` for a file that
    is not one."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            return [SessionRecord.from_json(s) for s in json.loads(text)["sessions"]]
        return _from_csv(text)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: not a posecheck history export ({error})") from None


def _none(text: str) -> str | None:
    return text or None


def _from_csv(text: str) -> list[SessionRecord]:
    sessions: dict[int, tuple[dict[str, str], list[HoldRecord]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        sid = int(row["session"])
        _, holds = sessions.setdefault(sid, (row, []))
        if row["stretch"]:
            holds.append(
                HoldRecord(
                    stretch=row["stretch"],
                    side=_none(row["side"]),
                    rep=int(row["rep"]),
                    target_s=float(row["target_s"]),
                    held_s=float(row["held_s"]),
                    form_pct=float(row["form_pct"]),
                    main_fault=_none(row["main_fault"]),
                    completed=row["completed"] == "1",
                    measurements=tuple(
                        Measurement(str(c), str(label), str(u), float(v))
                        for c, label, u, v in _list(row["measurements"])
                    ),
                )
            )
    return [
        SessionRecord(
            id=sid,
            started=datetime.fromisoformat(row["start"]),
            ended=datetime.fromisoformat(row["end"]) if row["end"] else None,
            source=row["source"],
            stretch=_none(row["session_stretch"]),
            routine=_none(row["routine"]),
            content_hash=_none(row["content_hash"]),
            holds=tuple(holds),
        )
        for sid, (row, holds) in sessions.items()
    ]


def _list(text: str) -> list[Any]:
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError(f"measurements must be a JSON list (got {text!r})")
    return value
