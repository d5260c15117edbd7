"""What the history holds, as plain values: a session and its holds, each hold with
its range-of-motion measurements; and how they read as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

SOURCES = ("live", "score", "demo")


@dataclass(frozen=True)
class Measurement:
    """One progress check's value for a hold (the median while held in form)."""

    check_id: str
    label: str
    unit: str  # "deg", "len" or "ratio", as in the reference file
    value: float


@dataclass(frozen=True)
class HoldRecord:
    stretch: str
    side: str | None
    rep: int
    target_s: float
    held_s: float
    form_pct: float
    main_fault: str | None
    completed: bool
    measurements: tuple[Measurement, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "stretch": self.stretch,
            "side": self.side,
            "rep": self.rep,
            "held_s": self.held_s,
            "target_s": self.target_s,
            "form_pct": self.form_pct,
            "main_fault": self.main_fault,
            "completed": self.completed,
            "measurements": [
                {"check": m.check_id, "label": m.label, "unit": m.unit, "value": m.value}
                for m in self.measurements
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HoldRecord:
        return cls(
            stretch=str(data["stretch"]),
            side=data["side"],
            rep=int(data["rep"]),
            target_s=float(data["target_s"]),
            held_s=float(data["held_s"]),
            form_pct=float(data["form_pct"]),
            main_fault=data["main_fault"],
            completed=bool(data["completed"]),
            measurements=tuple(
                Measurement(str(m["check"]), str(m["label"]), str(m["unit"]), float(m["value"]))
                for m in data["measurements"]
            ),
        )


@dataclass(frozen=True)
class SessionRecord:
    """A session as logged. ``started`` and ``ended`` carry the UTC offset the
    session was logged in, so its calendar day is the day the person lived."""

    id: int
    started: datetime
    ended: datetime | None
    source: str
    stretch: str | None
    routine: str | None
    content_hash: str | None = None
    holds: tuple[HoldRecord, ...] = field(default=())

    @property
    def demo(self) -> bool:
        """A demo is shown in the history but never counts toward a streak."""
        return self.source == "demo"

    @property
    def day(self) -> date:
        """The local calendar day the session started on."""
        return self.started.date()

    @property
    def held_s(self) -> float:
        return sum(h.held_s for h in self.holds)

    @property
    def what(self) -> str:
        """The stretch, or the routine, the session was for."""
        return self.routine or self.stretch or "-"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.started.isoformat(),
            "end": None if self.ended is None else self.ended.isoformat(),
            "source": self.source,
            "demo": self.demo,
            "stretch": self.stretch,
            "routine": self.routine,
            "content_hash": self.content_hash,
            "holds": [h.to_json() for h in self.holds],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRecord:
        return cls(
            id=int(data["id"]),
            started=datetime.fromisoformat(data["start"]),
            ended=None if data["end"] is None else datetime.fromisoformat(data["end"]),
            source=str(data["source"]),
            stretch=data["stretch"],
            routine=data["routine"],
            content_hash=data["content_hash"],
            holds=tuple(HoldRecord.from_json(h) for h in data["holds"]),
        )


def local_time(utc_s: float, offset_min: int) -> datetime:
    """A stored instant back in the UTC offset it was logged in."""
    return datetime.fromtimestamp(utc_s, timezone(timedelta(minutes=offset_min)))


def offset_minutes(moment: datetime) -> int:
    """The UTC offset of an aware datetime, in whole minutes."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"the time must carry its UTC offset (got {moment.isoformat()})")
    return round(offset.total_seconds() / 60)
