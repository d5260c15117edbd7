"""Which stretch is this? Every stretch's own verdict on a pose, ranked.

No model of its own: each stretch judges the pose with the check engine
(`checks.evaluate`: its position and view gates, then its checks; a phased
stretch, each phase on its own checks), and the match (0-1) is how much of
that judgement came out good:

- 0 when the stretch's view or position gate fails, or no person is seen:
  a stretch that cannot be judged from here is no candidate;
- otherwise the share of its blocking checks that are good, each weighted by
  its priority (1 / priority, as the form score weighs them): a pass counts
  from `PASS_PART` at the edge of its limits to 1 a tolerance inside them, a
  borderline `BORDERLINE_PART`, a fail less the further out it is, and a
  check that cannot be seen 0;
- scaled by `CONFUSED_POSITION` when the body position was read as one the
  classifier confuses with the named one rather than the named one itself.

A stretch is recognised only when its verdict is aligned (every gate passes
and no blocking check fails or goes unseen) and its match is at least
`MIN_MATCH`. Of such stretches within `MARGIN` of the best, the one resting
on the most passed checks is named, then one a still frame shows whole,
then the higher match; if two are still level, none. Anything else is "none": standing, walking,
sitting on a chair, the moves between stretches and poses outside the
catalog fail some gate or check of every stretch.

`StableGuess` turns the frame-by-frame answer into one a person can rely
on: a stretch is named once it has been the answer for `STABLE_S`, and
dropped after `DROP_S` of other answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from posecheck.body import geometry
from posecheck.body.geometry import Position, View
from posecheck.body.landmarks import Pose
from posecheck.catalog.reference import Reference
from posecheck.form.bands import tolerance_scale
from posecheck.form.checks import evaluate, restrict
from posecheck.form.gates import VIEW_CUES, view_matches
from posecheck.form.results import CheckResult, GateResult, Status, Verdict

# What a check adds to the match: a pass from `PASS_PART` (at the edge of its
# limits) to 1 (a tolerance or more inside them); a borderline one, within
# the model's error of its limit, good but less sure evidence than a pass.
PASS_PART = 0.8
BORDERLINE_PART = 0.7
# The match of a stretch whose position was read as one the classifier
# confuses with the named one, rather than the named one itself.
CONFUSED_POSITION = 0.9
# The lowest match a recognised stretch may have. Aligned already means no
# blocking check fails; this keeps out a fit resting on borderline values.
MIN_MATCH = 0.75
# Aligned stretches whose matches differ by less than this fit equally well:
# the more passed checks decide between them (the more a fit was tested, the
# more specific it is).
MARGIN = 0.05
# How long the same answer must last before it is named, and how long other
# answers must last before a named stretch is dropped.
STABLE_S = 1.0
DROP_S = 1.0


def depth(result: CheckResult) -> float:
    """How far inside its limits a passing value is, in tolerances, 0-1.

    A value one tolerance or more inside every limit it has is plainly in the
    stretch's range; a value just inside an edge could as well be a near miss.
    """
    lim, value = result.check.limits, result.value
    if result.status != Status.PASS or value is None:
        return 0.0
    inside = [
        d
        for d in (
            None if lim.low is None else value - lim.low,
            None if lim.high is None else lim.high - value,
        )
        if d is not None
    ]
    if not inside:
        return 1.0
    return max(0.0, min(1.0, min(inside) / tolerance_scale(result.check)))


def _part(result: CheckResult) -> float:
    if result.status == Status.PASS:
        return PASS_PART + (1.0 - PASS_PART) * depth(result)
    if result.status == Status.BORDERLINE:
        return BORDERLINE_PART
    if result.status == Status.FAIL:
        # A near miss still says the body is close to this shape; a wide one, not.
        return max(0.0, 0.5 * (1.0 - result.excess))
    return 0.0


def match_of(verdict: Verdict, positions: Sequence[Position] | None = None) -> float:
    """How well the pose fits the verdict's stretch, 0-1 (see the module docstring).

    ``positions``: the body positions the stretch names. A body classified as
    one of them is direct evidence; one the classifier is only known to
    confuse with them (the position gate lets the checks decide) is weaker,
    and the match is scaled by `CONFUSED_POSITION`.
    """
    if not verdict.person:
        return 0.0
    gates = {g.id: g.passed for g in verdict.gates}
    if not (gates.get("view", False) and gates.get("position", False)):
        return 0.0
    blocking = [r for r in verdict.results if not r.check.advice]
    if not blocking:
        return 0.0
    weights = [1.0 / r.check.priority for r in blocking]
    parts = [_part(r) for r in blocking]
    fit = sum(w * p for w, p in zip(weights, parts, strict=True)) / sum(weights)
    named = positions is None or verdict.position in positions
    return fit if named else fit * CONFUSED_POSITION


@dataclass(frozen=True)
class Candidate:
    """One stretch's fit to the pose. ``passed``: its blocking checks that are good."""

    stretch: str
    match: float
    aligned: bool
    passed: int
    verdict: Verdict

    def to_json(self) -> dict[str, object]:
        return {"stretch": self.stretch, "match": round(self.match, 3)}


@dataclass(frozen=True)
class Recognition:
    """The ranked candidates (the recognised stretch first, then by match) and the
    stretch recognised, or None."""

    candidates: tuple[Candidate, ...]
    stretch: str | None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def verdict(self) -> Verdict | None:
        """The recognised stretch's verdict (None when none is recognised)."""
        for c in self.candidates:
            if c.stretch == self.stretch:
                return c.verdict
        return None

    def top(self, n: int = 3) -> list[dict[str, object]]:
        return [c.to_json() for c in self.candidates[:n]]


def _candidate(verdict: Verdict, positions: Sequence[Position] | None) -> Candidate:
    passed = sum(1 for r in verdict.results if not r.check.advice and r.status in _GOOD_STATUSES)
    match = match_of(verdict, positions)
    return Candidate(verdict.stretch, match, verdict.aligned, passed, verdict)


_GOOD_STATUSES = (Status.PASS, Status.BORDERLINE)


def _choose(contenders: Sequence[Candidate], still: Mapping[str, bool]) -> str | None:
    """Of the aligned stretches that fit about equally well, the one with the most
    evidence: the most checks passed, then one a still frame can show whole (see
    `rank`), then the higher match; None when two are still level."""

    def evidence(c: Candidate) -> tuple[int, bool, float]:
        return (c.passed, still.get(c.stretch, True), round(c.match, 3))

    strongest = max(evidence(c) for c in contenders)
    chosen = [c for c in contenders if evidence(c) == strongest]
    return chosen[0].stretch if len(chosen) == 1 else None


def rank(
    verdicts: Sequence[Verdict],
    previous: str | None = None,
    references: Mapping[str, Reference] | None = None,
) -> Recognition:
    """Rank the stretches by the verdicts they gave one pose and pick one, or none.

    The contenders are the aligned stretches with a match of at least
    `MIN_MATCH` within `MARGIN` of the best of them: a difference that small
    is within the noise of the match. Of those, the one resting on more
    passed checks is named; at equal checks, a stretch a still frame shows
    whole (held still, every part of it seen) over one that needs motion
    (dynamic reps, phases) or has a part the camera cannot see
    (``camera_limits``), since a single frame is no evidence of either; then
    the higher match. Still level (the same match): none.

    ``previous`` (the stretch recognised a moment ago) is kept while it is a
    contender, so a near tie does not flicker between two stretches.
    ``references`` gives each stretch's named positions and prescription (see
    `match_of`); without them every position counts as named.
    """
    refs = references or {}
    ranked = sorted(
        (_candidate(v, refs[v.stretch].positions if v.stretch in refs else None) for v in verdicts),
        key=lambda c: (-c.match, -c.passed, c.stretch),
    )
    aligned = [c for c in ranked if c.aligned and c.match >= MIN_MATCH]
    chosen: str | None = None
    if aligned:
        contenders = [c for c in aligned if aligned[0].match - c.match < MARGIN]
        if previous in {c.stretch for c in contenders}:
            chosen = previous
        else:
            still = {k: _shown_by_a_still(r) for k, r in refs.items()}
            chosen = _choose(contenders, still)
    # The recognised stretch heads the ranking, even where a contender's match is
    # a hair higher.
    ranked.sort(key=lambda c: c.stretch != chosen)
    return Recognition(tuple(ranked), chosen)


def _shown_by_a_still(reference: Reference) -> bool:
    """Whether one frame can show the whole stretch: held still, with no part the
    camera cannot judge."""
    moving = reference.prescription.dynamic or bool(reference.phases)
    return not moving and reference.camera_limits is None


def recognize(
    pose: Pose | None,
    references: Mapping[str, Reference],
    previous: str | None = None,
) -> Recognition:
    """Judge one pose against every stretch and recognise one, or none.

    A stretch whose view gate cannot pass from this camera view matches 0
    whatever its checks say, so it is not judged at all: the view is the
    gate's own test (`view_matches`), taken once for every stretch.
    """
    view = None if pose is None else geometry.camera_view(pose)
    verdicts = [
        _judged(pose, ref)
        if pose is None or view_matches(view, ref.views)
        else _unjudged(ref, view)
        for ref in references.values()
    ]
    return rank(verdicts, previous, references)


def _judged(pose: Pose | None, reference: Reference) -> Verdict:
    """The stretch's verdict on the pose; for a phased stretch, that of the phase the
    pose fits best (each phase is judged on its own checks, as the session does)."""
    verdict = evaluate(pose, reference)
    if not reference.phases:
        return verdict
    phases = [restrict(verdict, stage.checks) for stage in reference.phases]
    return max(phases, key=lambda v: (v.aligned, match_of(v, reference.positions)))


def _unjudged(reference: Reference, view: View | None) -> Verdict:
    """The verdict of a stretch not judged from this view: its view gate fails."""
    gate = GateResult("view", False, VIEW_CUES[reference.views[0]])
    return Verdict(reference.id, True, view, None, (gate,), ())


class StableGuess:
    """The stretch a stream of recognitions settles on, with time passed in.

    ``update(stretch, timestamp_ms)`` takes each frame's answer (None: no
    stretch) and returns the settled one: a stretch once it has been the
    answer for `STABLE_S` without a break; the settled stretch stays until
    other answers (a different stretch or none) have lasted `DROP_S`.
    ``since_ms`` is when the current run of the settled answer began, so a
    caller can start coaching from the moment the stretch was first seen.
    """

    def __init__(self, stable_s: float = STABLE_S, drop_s: float = DROP_S) -> None:
        self.stable_ms = round(stable_s * 1000)
        self.drop_ms = round(drop_s * 1000)
        self.settled: str | None = None
        self.since_ms: int | None = None
        self._run: str | None = None
        self._run_start_ms = 0
        self._last_settled_ms: int | None = None

    @property
    def candidate(self) -> str | None:
        """This frame's answer, settled or not."""
        return self._run

    def update(self, stretch: str | None, timestamp_ms: int) -> str | None:
        if stretch != self._run or timestamp_ms < self._run_start_ms:
            self._run = stretch
            self._run_start_ms = timestamp_ms
        if self.settled is not None and stretch == self.settled:
            self._last_settled_ms = timestamp_ms
        long_enough = timestamp_ms - self._run_start_ms >= self.stable_ms
        if stretch is not None and stretch != self.settled and long_enough:
            self.settled = stretch
            self.since_ms = self._run_start_ms
            self._last_settled_ms = timestamp_ms
            return self.settled
        if self.settled is not None and stretch != self.settled:
            last = self._last_settled_ms if self._last_settled_ms is not None else timestamp_ms
            if timestamp_ms - last >= self.drop_ms:
                self.settled = None
                self.since_ms = None
        return self.settled
