"""Verdicts that hold over time: a stream of frames judged over a short window.

A photo is one frame and is judged on its own (`checks.evaluate`). In a video
one frame is a poor witness: the model's joints jump by several degrees from
frame to frame, and a single bad frame would flip a check from pass to fail.
`SteadyJudge` judges each check on the median of its measured values over
the last `WINDOW_S` seconds instead. A median ignores a minority of wild
frames outright, where a mean would be dragged by them, and it follows a real
change of pose once more than half the window has seen it: about half the
window later (0.25 s for 0.5 s, under the 0.3 s a person notices as lag).

A check that cannot be measured for a moment (a foot hidden behind the other
leg for a few frames) keeps its last verdict for up to `KEEP_S` seconds
rather than vetoing the frame. After that it is "can't tell", and the cue
says what cannot be seen, so a hold never stalls without a reason given.

Gates (person in view, in the picture, view, position) and the working side
are judged the same way, by the majority of the window's frames.

Pure: time comes in with every frame.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, replace

from posecheck.body.landmarks import Pose
from posecheck.catalog.reference import Check, Reference
from posecheck.form import checks
from posecheck.form.checks import CheckResult, GateResult, Status, Verdict

WINDOW_S = 0.5
KEEP_S = 1.0


@dataclass
class _CheckTrack:
    samples: deque[tuple[int, float]]
    last: CheckResult | None = None
    last_measured_ms: int | None = None


class SteadyJudge:
    """Frames in, windowed verdicts out, for one stretch.

    `update` takes the (smoothed) pose of a frame, None for no person, and
    the frame's time, and returns the verdict the session should act on: the
    same `Verdict` type a photo gets, with each check judged on the median of
    its last ``window_s`` of measurements.
    """

    def __init__(
        self, reference: Reference, window_s: float = WINDOW_S, keep_s: float = KEEP_S
    ) -> None:
        if window_s <= 0:
            raise ValueError(f"SteadyJudge.window_s must be > 0 (got {window_s})")
        if keep_s < 0:
            raise ValueError(f"SteadyJudge.keep_s must be >= 0 (got {keep_s})")
        self.reference = reference
        self.window_ms = window_s * 1000.0
        self.keep_ms = keep_s * 1000.0
        self._raw: Verdict | None = None
        self._last_person: Verdict | None = None
        self._tracks: dict[str, _CheckTrack] = {}
        self._gates: deque[tuple[int, tuple[GateResult, ...]]] = deque()
        self._sides: deque[tuple[int, str | None]] = deque()

    @property
    def raw(self) -> Verdict | None:
        """The last frame's own verdict, before any windowing."""
        return self._raw

    def update(self, pose: Pose | None, timestamp_ms: int) -> Verdict:
        raw = checks.evaluate(pose, self.reference, self._raw)
        self._raw = raw
        horizon = timestamp_ms - self.window_ms
        self._gates.append((timestamp_ms, raw.gates))
        while self._gates and self._gates[0][0] <= horizon:
            self._gates.popleft()
        if raw.person:
            self._last_person = raw
            self._sides.append((timestamp_ms, raw.side))
        while self._sides and self._sides[0][0] <= horizon:
            self._sides.popleft()
        base = self._last_person
        gates = self._window_gates()
        if base is None or not gates[0].passed:
            # Nobody in most of the window: say so, as a single frame would.
            steady = raw
            if raw.person:
                steady = replace(raw, gates=gates, aligned=False, score=0, cue=gates[0].cue)
            for result in raw.results:
                self._measure(result, timestamp_ms)
            return steady

        results = []
        current = {r.check.id: r for r in raw.results} if raw.person else {}
        for r in base.results:
            now = current.get(r.check.id)
            if now is not None:
                self._measure(now, timestamp_ms)
            results.append(self._judge(r.check, timestamp_ms, horizon))
        self._forget_unused({r.check.id for r in base.results})

        gates_ok = all(g.passed for g in gates)
        if not gates_ok:
            # Not judged: the values stay for display, the verdicts are not given.
            results = [replace(r, status=Status.UNKNOWN, cue=None, excess=0.0) for r in results]
        conclusion = checks.conclude(gates, results)
        return replace(
            base,
            person=True,
            gates=gates,
            results=tuple(results),
            side=self._window_side(base.side),
            aligned=conclusion.aligned,
            score=conclusion.score,
            cue=conclusion.cue,
        )

    # --- the window ------------------------------------------------------------

    def _measure(self, result: CheckResult, timestamp_ms: int) -> None:
        track = self._tracks.setdefault(result.check.id, _CheckTrack(deque()))
        if result.value is not None:
            track.samples.append((timestamp_ms, result.value))
            track.last_measured_ms = timestamp_ms
            # The drawing belongs where the joint is now, not where it was.
            if track.last is not None:
                track.last = replace(track.last, anchor_px=result.anchor_px)
            else:
                track.last = replace(result, status=Status.UNKNOWN)

    def _judge(self, check: Check, timestamp_ms: int, horizon: float) -> CheckResult:
        track = self._tracks.setdefault(check.id, _CheckTrack(deque()))
        while track.samples and track.samples[0][0] <= horizon:
            track.samples.popleft()
        anchor = track.last.anchor_px if track.last is not None else None
        if track.samples:
            value = statistics.median(v for _, v in track.samples)
            previous = track.last.status if track.last is not None else None
            if previous == Status.UNKNOWN:
                previous = None
            track.last = checks.judge(check, value, anchor, previous)
            return track.last
        recent = (
            track.last_measured_ms is not None
            and timestamp_ms - track.last_measured_ms <= self.keep_ms
        )
        if recent and track.last is not None and track.last.status != Status.UNKNOWN:
            return track.last  # not seen for a moment: the last verdict stands
        return CheckResult(check, None, Status.UNKNOWN, anchor_px=anchor)

    def _forget_unused(self, used: set[str]) -> None:
        for check_id in list(self._tracks):
            if check_id not in used:
                del self._tracks[check_id]

    def _window_gates(self) -> tuple[GateResult, ...]:
        """Each gate passes unless it failed in most of the window's frames."""
        passed: dict[str, int] = {}
        seen: dict[str, int] = {}
        latest: dict[str, GateResult] = {}
        order: list[str] = []
        for _, gates in self._gates:
            for g in gates:
                if g.id not in seen:
                    order.append(g.id)
                seen[g.id] = seen.get(g.id, 0) + 1
                passed[g.id] = passed.get(g.id, 0) + g.passed
                if not g.passed or g.id not in latest:
                    latest[g.id] = g
        out = []
        frames = len(self._gates)
        for gate_id in order:
            # A gate missing from a frame (nobody there to judge) counts as failed.
            ok = passed[gate_id] * 2 >= frames
            out.append(GateResult(gate_id, True) if ok else latest[gate_id])
        return tuple(out)

    def _window_side(self, fallback: str | None) -> str | None:
        """The side most of the window's frames saw, the latest one on a tie."""
        counts: dict[str, int] = {}
        for _, side in self._sides:
            if side is not None:
                counts[side] = counts.get(side, 0) + 1
        if not counts:
            return fallback
        best = max(counts.values())
        for _, side in reversed(self._sides):
            if side is not None and counts[side] == best:
                return side
        return fallback
