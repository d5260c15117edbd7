"""Photos: find the person in each, describe the pose, judge it against a stretch,
and draw what was found.

What `posecheck pose` and `posecheck check` run. A bad input is reported in its
place and the rest go on; the model loads at the first readable photo.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from posecheck.body import geometry
from posecheck.body.geometry import Position, View
from posecheck.body.landmarks import Detection, Pose, side_landmark
from posecheck.catalog.reference import Reference
from posecheck.draw import overlay
from posecheck.errors import InputError
from posecheck.form import checks
from posecheck.form.checks import Verdict
from posecheck.form.recognize import Recognition, recognize
from posecheck.io import video
from posecheck.io.estimator import PoseEstimator


@dataclass(frozen=True)
class PoseSummary:
    """What a person can read off one detection: view, position and the main angles.

    ``angles_deg`` holds None for a joint whose three points are not all seen
    in the image, rather than a number the model guessed.
    """

    person: bool
    people: int
    view: View | None
    facing: str | None
    position: Position | None
    angles_deg: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "people": self.people,
            "view": None if self.view is None else str(self.view),
            "facing": self.facing,
            "position": None if self.position is None else str(self.position),
            "angles_deg": {
                k: None if v is None else round(v, 1) for k, v in self.angles_deg.items()
            },
        }


def _seen_angles(pose: Pose) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, value in geometry.main_angles_deg(pose).items():
        side, joint = name.split("_", 1)
        parts = geometry.JOINTS[joint]
        seen = all(pose.seen(side_landmark(side, part)) for part in parts)
        out[name] = value if seen and not math.isnan(value) else None
    return out


def summarize(detection: Detection) -> PoseSummary:
    pose = detection.pose
    if pose is None:
        return PoseSummary(False, detection.people, None, None, None, {})
    return PoseSummary(
        person=True,
        people=detection.people,
        view=geometry.camera_view(pose),
        facing=geometry.facing_direction(pose),
        position=geometry.body_position(pose),
        angles_deg=_seen_angles(pose),
    )


@dataclass(frozen=True)
class PhotoResult:
    """One photo read and described. ``frame`` is BGR uint8 (H, W, 3)."""

    path: Path
    frame: npt.NDArray[np.uint8]
    detection: Detection
    summary: PoseSummary
    verdict: Verdict | None = None
    stretch_name: str | None = None  # the stretch's label, for what a person reads
    # With `--stretch auto`: every stretch ranked; ``verdict`` is the recognised one's.
    recognition: Recognition | None = None


def describe_photos(
    inputs: Sequence[Path],
    reference: Reference | None = None,
    recognise_among: Mapping[str, Reference] | None = None,
) -> Iterator[PhotoResult | InputError]:
    """Describe every photo among ``inputs`` (files or folders), in order, and
    judge it against ``reference`` when one is given, or recognise its stretch
    among ``recognise_among`` and judge it against that one.

    A bad input is yielded as its `InputError` in its place and the rest go
    on. Raises `ModelError` before the first photo when the model is broken.
    """
    items = video.expand_image_paths_lenient(inputs)
    with ExitStack() as stack:
        # The model loads at the first readable photo: a missing or unreadable
        # file is reported at once, and a run with no usable input never loads it.
        estimator: PoseEstimator | None = None
        for item in items:
            if isinstance(item, InputError):
                yield item
                continue
            try:
                frame = video.read_image(item)
            except InputError as error:
                yield error
                continue
            if estimator is None:
                estimator = stack.enter_context(PoseEstimator("image"))
            detection = estimator.detect(frame)
            verdict = None if reference is None else checks.evaluate(detection.pose, reference)
            recognition = None
            if recognise_among is not None:
                recognition = recognize(detection.pose, recognise_among)
                verdict = recognition.verdict
                chosen = recognition.stretch
                name = None if chosen is None else recognise_among[chosen].name
            else:
                name = None if reference is None else reference.name
            summary = summarize(detection)
            yield PhotoResult(item, frame, detection, summary, verdict, name, recognition)


def annotated(result: PhotoResult) -> npt.NDArray[np.uint8]:
    """The photo with what was found drawn on it (a new frame): the skeleton, coloured
    by the checks when judged against a stretch, a caption line with the verdict
    or the view and position, and the cue in a banner."""
    pose, verdict, s = result.detection.pose, result.verdict, result.summary
    if pose is None:
        caption = "no person found"
    elif result.recognition is not None and verdict is None:
        caption = "no stretch recognised"
    elif verdict is not None:
        state = "in form" if verdict.aligned else "not in form"
        name = result.stretch_name or verdict.stretch
        caption = f"{name}: {state}, form score {verdict.score}"
    else:
        caption = f"{s.view} view, {s.position}"
        if s.people > 1:
            caption += f" (the most prominent of {s.people} people)"
    return overlay.compose(result.frame, pose, verdict, caption=[caption])
