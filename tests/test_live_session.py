"""The live session as a library function, in process, on the bundled recording."""

from __future__ import annotations

from pathlib import Path

from posecheck.catalog.reference import load_references
from posecheck.coaching.coach import CoachFrame
from posecheck.coaching.session import Event, EventKind, SessionConfig
from posecheck.io import recording
from posecheck.run.live import SessionResult, run_session
from tests.helpers import ROOT

SAMPLE = ROOT / "samples" / "bridge_from_stills.jsonl"


class Collect:
    """A sink that keeps each frame's phase and can stop, or press Ctrl-C, at frame N."""

    def __init__(self, stop_at: int | None = None, interrupt_at: int | None = None) -> None:
        self.phases: list[str] = []
        self.sizes: set[tuple[int, ...]] = set()
        self.stop_at, self.interrupt_at = stop_at, interrupt_at

    def show(self, drawn, result: CoachFrame) -> bool:
        self.phases.append(str(result.state.phase))
        self.sizes.add(drawn.shape)
        if self.interrupt_at is not None and len(self.phases) >= self.interrupt_at:
            raise KeyboardInterrupt
        return self.stop_at is None or len(self.phases) < self.stop_at


def _bridge():
    return load_references([])["bridge"]


def test_replaying_the_recording_completes_the_hold():
    events: list[Event] = []
    sink = Collect()
    result = run_session(
        SAMPLE,
        _bridge(),
        SessionConfig(hold_s=10),
        sinks=[sink],
        on_event=lambda event, total: events.append(event),
    )
    assert isinstance(result, SessionResult)
    assert not result.interrupted
    assert result.reps_total == 1 and result.reps[0].completed
    assert result.reps[0].held_s == 10.0
    kinds = [e.kind for e in events]
    assert kinds[0] == EventKind.IN_POSITION and kinds[-1] == EventKind.SESSION_DONE
    assert EventKind.HOLD_PAUSED in kinds  # the recorded fault and the moment out of view
    assert len(sink.phases) == result.frames
    assert sink.sizes == {(567, 850, 3)}  # drawn on a blank canvas of the recorded size
    assert result.recorded_frames is None


def test_a_sink_that_says_stop_ends_the_session_early():
    sink = Collect(stop_at=20)
    result = run_session(SAMPLE, _bridge(), SessionConfig(hold_s=10), sinks=[sink])
    assert result.frames == 20 and len(sink.phases) == 20
    assert not result.reps or not result.reps[0].completed


def test_ctrl_c_keeps_the_recording_so_far(tmp_path: Path):
    record = tmp_path / "kept.jsonl"
    result = run_session(
        SAMPLE, _bridge(), SessionConfig(hold_s=10), sinks=[Collect(interrupt_at=50)], record=record
    )
    assert result.interrupted
    assert result.recorded_frames == 50
    replayed = list(recording.read_detections(record))
    assert len(replayed) == 50


def test_without_sinks_nothing_is_drawn_and_the_session_still_runs():
    result = run_session(SAMPLE, _bridge(), SessionConfig(hold_s=10))
    assert result.reps[0].completed
