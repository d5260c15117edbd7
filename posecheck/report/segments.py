"""A recording split into segments, one per stretch, each with its own report.

The shape is shared by every split of a recording (a list of segments, each
``{stretch, name, start_s, end_s, prescription, reps, summary}``): `score
--stretch auto` makes one segment per stretch it recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from posecheck.io.info import SourceInfo
from posecheck.report.summary import ScoreReport


@dataclass(frozen=True)
class SegmentReport:
    """One stretch's part of a recording, with its report (times in the recording's seconds)."""

    start_s: float
    end_s: float
    report: ScoreReport

    @property
    def stretch(self) -> str:
        return self.report.stretch

    def to_json(self) -> dict[str, Any]:
        whole = self.report.to_json()
        return {
            "stretch": self.report.stretch,
            "name": self.report.stretch_name,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "prescription": whole["prescription"],
            "reps": whole["reps"],
            "summary": whole["summary"],
        }


@dataclass(frozen=True)
class SegmentedReport:
    """A recording scored segment by segment. ``stretch`` says how it was split."""

    video: SourceInfo
    stretch: str
    segments: list[SegmentReport]
    processing_s: float
    warnings: list[str] = field(default_factory=list)

    @property
    def realtime_factor(self) -> float:
        return self.video.duration_s / self.processing_s if self.processing_s > 0 else 0.0

    def verdict_text(self) -> str:
        if not self.segments:
            return "No catalog stretch was recognised in the recording."
        names = ", ".join(s.report.stretch_name for s in self.segments)
        count = len(self.segments)
        return f"{count} stretch{'es' if count != 1 else ''} recognised: {names}."

    def to_json(self) -> dict[str, Any]:
        return {
            "video": {
                "path": self.video.path,
                "frames": self.video.frames,
                "fps": round(self.video.fps, 3),
                "duration_s": round(self.video.duration_s, 3),
                "width": self.video.width,
                "height": self.video.height,
                "rotation_deg": self.video.rotation_deg,
            },
            "stretch": self.stretch,
            "segments": [s.to_json() for s in self.segments],
            "summary": {"verdict": self.verdict_text(), "segments": len(self.segments)},
            "timing": {
                "processing_s": round(self.processing_s, 3),
                "realtime_factor": round(self.realtime_factor, 2),
            },
            "warnings": list(self.warnings),
        }
