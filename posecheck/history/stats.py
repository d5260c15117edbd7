"""What the history says: streaks of days, minutes per day and week, the range of
motion from session to session, and how a session compares with the last one.

Pure functions of the sessions read; "today" is passed in, never read from
the clock. Demo sessions are shown but never counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from posecheck.catalog.reference import Check
from posecheck.history.records import SessionRecord


def practice_days(sessions: Iterable[SessionRecord]) -> set[date]:
    """The local calendar days with a real (not demo) session that held a stretch."""
    return {s.day for s in sessions if not s.demo and s.held_s > 0}


@dataclass(frozen=True)
class Streaks:
    current: int  # days in a row up to today, or up to yesterday while today is still open
    longest: int


def streaks(sessions: Iterable[SessionRecord], today: date) -> Streaks:
    """Days in a row with practice. A streak still counts until a whole day is missed:
    on a day not yet practised, the streak that ended yesterday is current."""
    practised = practice_days(sessions)
    longest = run = 0
    previous: date | None = None
    for day in sorted(practised):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in practised else today - timedelta(days=1)
    while day in practised:
        current += 1
        day -= timedelta(days=1)
    return Streaks(current, longest)


def calendar(last: date, count: int) -> list[date]:
    """The ``count`` calendar days ending on ``last``, oldest first."""
    return [last - timedelta(days=count - 1 - i) for i in range(count)]


def minutes_per_day(sessions: Iterable[SessionRecord], days: Sequence[date]) -> list[float]:
    """Minutes held (not demos) on each of ``days``."""
    totals = dict.fromkeys(days, 0.0)
    for s in sessions:
        if not s.demo and s.day in totals:
            totals[s.day] += s.held_s / 60
    return [totals[d] for d in days]


def minutes_per_week(
    sessions: Iterable[SessionRecord], today: date, weeks: int
) -> list[tuple[date, float]]:
    """(Monday, minutes held) for the last ``weeks`` weeks, the current week last."""
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    totals = dict.fromkeys(starts, 0.0)
    for s in sessions:
        week = s.day - timedelta(days=s.day.weekday())
        if not s.demo and week in totals:
            totals[week] += s.held_s / 60
    return [(start, totals[start]) for start in starts]


@dataclass(frozen=True)
class RomPoint:
    """One session's range of motion on one progress check: the median over its holds."""

    session: SessionRecord
    value: float
    holds: int


@dataclass(frozen=True)
class RomSeries:
    stretch: str
    check_id: str
    label: str
    unit: str
    points: tuple[RomPoint, ...]


def rom_series(sessions: Iterable[SessionRecord], stretch: str | None = None) -> list[RomSeries]:
    """Each progress check's value per session, oldest first; demos left out.
    One series per (stretch, check), for every stretch or only ``stretch``."""
    values: dict[tuple[str, str], dict[int, list[float]]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    by_id: dict[int, SessionRecord] = {}
    for s in sorted(sessions, key=lambda s: s.started):
        if s.demo:
            continue
        by_id[s.id] = s
        for hold in s.holds:
            if stretch is not None and hold.stretch != stretch:
                continue
            for m in hold.measurements:
                key = (hold.stretch, m.check_id)
                labels[key] = (m.label, m.unit)
                values.setdefault(key, {}).setdefault(s.id, []).append(m.value)
    return [
        RomSeries(
            key[0],
            key[1],
            labels[key][0],
            labels[key][1],
            tuple(RomPoint(by_id[sid], median(v), len(v)) for sid, v in per_session.items()),
        )
        for key, per_session in sorted(values.items())
    ]


@dataclass(frozen=True)
class Change:
    """How a session compares with the last one of the same stretch."""

    previous: SessionRecord
    held_s: float
    previous_held_s: float
    # (label, unit, value now, value then) for each progress check measured both times
    ranges: tuple[tuple[str, str, str, float, float], ...]


def compare_with_last(
    sessions: Sequence[SessionRecord], current: SessionRecord, stretch: str
) -> Change | None:
    """``current`` against the most recent earlier session that held ``stretch`` (demos
    only against demos); None when there is none."""
    earlier = [
        s
        for s in sessions
        if s.id != current.id
        and s.started < current.started
        and s.demo == current.demo
        and any(h.stretch == stretch for h in s.holds)
    ]
    if not earlier:
        return None
    previous = max(earlier, key=lambda s: s.started)
    now = _medians(current, stretch)
    then = _medians(previous, stretch)
    ranges = tuple(
        (label, unit, check_id, now[check_id][2], then[check_id][2])
        for check_id, (label, unit, _) in now.items()
        if check_id in then
    )
    return Change(
        previous,
        sum(h.held_s for h in current.holds if h.stretch == stretch),
        sum(h.held_s for h in previous.holds if h.stretch == stretch),
        ranges,
    )


def _medians(session: SessionRecord, stretch: str) -> dict[str, tuple[str, str, float]]:
    found: dict[str, list[float]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for hold in session.holds:
        if hold.stretch == stretch:
            for m in hold.measurements:
                found.setdefault(m.check_id, []).append(m.value)
                labels[m.check_id] = (m.label, m.unit)
    return {k: (*labels[k], median(v)) for k, v in found.items()}


def more_range(check: Check) -> int:
    """Which way a progress check's value moves as range grows: +1 when only a lower
    limit is set (higher is more), -1 when only an upper one is, 0 when two-sided."""
    low, high = check.limits.low is not None, check.limits.high is not None
    if low and not high:
        return 1
    if high and not low:
        return -1
    return 0
