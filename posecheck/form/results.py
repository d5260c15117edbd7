"""What a check gives on one frame: its status, the result of each check and gate, and
the whole verdict; and a check's allowed range in words.

Plain data, shared by the checks, the gates, the drawing and the reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from posecheck.body.geometry import Position, View
from posecheck.catalog.reference import Check


class Status(StrEnum):
    """A check's result on one frame.

    Only FAIL is a fault. BORDERLINE is a value just outside the target but
    within the measurement error of it: it counts as good, and its cue is
    worded gently. UNKNOWN is "can't tell": a point is not seen well enough.
    """

    PASS = "pass"
    FAIL = "fail"
    BORDERLINE = "borderline"
    UNKNOWN = "unknown"


def is_good(status: Status) -> bool:
    """A result that does not block the hold: judged, and not a fail.

    Only a fail blocks; a borderline value (within the measurement error of
    its target) counts as good, and "can't tell" is not good.
    """
    return status in (Status.PASS, Status.BORDERLINE)


@dataclass(frozen=True)
class CheckResult:
    """One check on one frame. ``value`` is in the kind's unit (degrees, body lengths, ratio).

    ``excess`` is how far outside the allowed range the value is, in
    tolerances (0 when it passes); it ranks faults and weighs the score.
    ``anchor_px`` is where a drawing of this check belongs (an angle's vertex).
    """

    check: Check
    value: float | None
    status: Status
    cue: str | None = None
    excess: float = 0.0
    anchor_px: tuple[float, float] | None = None


@dataclass(frozen=True)
class GateResult:
    id: str
    passed: bool
    cue: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The whole judgement of one frame against one stretch."""

    stretch: str
    person: bool
    view: View | None
    position: Position | None
    gates: tuple[GateResult, ...]
    results: tuple[CheckResult, ...]
    roles: Mapping[str, str] = field(default_factory=dict)
    side: str | None = None
    aligned: bool = False
    score: int = 0
    cue: str | None = None

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def to_json(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (the `check --json` fields after ``path``)."""
        return {
            "stretch": self.stretch,
            "person": self.person,
            "view": None if self.view is None else str(self.view),
            "position": None if self.position is None else str(self.position),
            "side": self.side,
            "roles": dict(self.roles),
            "aligned": self.aligned,
            "score": self.score,
            "gates": [{"id": g.id, "passed": g.passed, "cue": g.cue} for g in self.gates],
            "checks": [
                {
                    "id": r.check.id,
                    "label": r.check.label,
                    "status": str(r.status),
                    "value": None if r.value is None else round(r.value, 3),
                    "target": target_text(r.check),
                    "advice": r.check.advice,
                    "cue": r.cue,
                }
                for r in self.results
            ],
            "cue": self.cue,
        }


def target_text(check: Check) -> str:
    """The allowed range in words a person reads, e.g. ``90 ± 15°`` or ``≤ 0.15 len``."""
    lim = check.limits
    unit = check.kind.unit.symbol
    if lim.target is not None and lim.tolerance is not None:
        return f"{lim.target:g} ± {lim.tolerance:g}{unit}"
    if lim.low is not None and lim.high is not None:
        return f"{lim.low:g} to {lim.high:g}{unit}"
    if lim.high is not None:
        return f"≤ {lim.high:g}{unit}"
    return f"≥ {lim.low:g}{unit}"
