"""What a session keeps of each rep: how long it was held and in form, each
check's pass rate, the spans of its faults, and its range-of-motion values."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaultSpan:
    """A stretch of time during a rep when one check failed."""

    check_id: str
    cue: str | None
    start_s: float
    end_s: float


@dataclass(frozen=True)
class RepSummary:
    """One rep: ``held_s`` counted toward the target, ``in_form_s`` with every check
    passing (the grace period counts toward held but not toward in form).
    ``progress`` holds the median value of each of the stretch's progress checks
    (`Reference.progress`) over the frames held in form; a check never measured
    then is left out."""

    rep: int
    side: str | None
    start_s: float
    end_s: float
    held_s: float
    target_s: float
    in_form_s: float
    completed: bool
    pass_rate: dict[str, float]
    faults: tuple[FaultSpan, ...]
    progress: dict[str, float] = field(default_factory=dict)

    @property
    def main_fault(self) -> str | None:
        """The check that failed for longest during the rep, if any did."""
        totals: dict[str, float] = {}
        for f in self.faults:
            totals[f.check_id] = totals.get(f.check_id, 0.0) + f.end_s - f.start_s
        return max(totals, key=lambda k: totals[k]) if totals else None
