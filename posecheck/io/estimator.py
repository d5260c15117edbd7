"""Pose estimation: the one place that knows MediaPipe.

`PoseEstimator` runs the vendored PoseLandmarker model, IMAGE mode for stills
and VIDEO mode for streams, and turns each result into a `Detection` holding
posecheck's own `Pose`. `PersonTracker` decides which person to follow when
more than one is in view.

Where the model file is looked for, first match wins:

1. the ``POSECHECK_MODEL`` environment variable, when set;
2. ``posecheck/_model/pose_landmarker_full.task`` inside an installed wheel;
3. ``models/pose_landmarker_full.task`` beside the package in a source
   checkout (an editable install).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from posecheck import resources
from posecheck.body.landmarks import NUM_LANDMARKS, Detection, Pose
from posecheck.errors import ModelError
from posecheck.io import video

MODEL_NAME = "pose_landmarker_full.task"
MODEL_SIZE_BYTES = 9_398_198
MODEL_SHA256 = "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"
MODEL_ENV = "POSECHECK_MODEL"

_RESTORE_HINT = (
    "restore it with `git checkout -- models/pose_landmarker_full.task` in a checkout, "
    "or reinstall posecheck-stretch (models/README.md says where the file comes from)"
)

Mode = Literal["image", "video"]


def find_model() -> Path:
    """The model file posecheck will load (see the module docstring for the order)."""
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override).expanduser()
    return resources.find("model", MODEL_NAME)


_verified: set[tuple[str, int, float]] = set()


def verify_model(path: Path) -> Path:
    """Check the model's size and sha256 once per file and process; raise ModelError if wrong."""
    if not path.is_file():
        raise ModelError(f"pose model not found at {path}; {_RESTORE_HINT}")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime)
    if key in _verified:
        return path
    if stat.st_size != MODEL_SIZE_BYTES:
        raise ModelError(
            f"pose model at {path} is damaged ({stat.st_size} bytes, expected "
            f"{MODEL_SIZE_BYTES}); {_RESTORE_HINT}"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelError(
            f"pose model at {path} is damaged (sha256 {digest[:12]}..., expected "
            f"{MODEL_SHA256[:12]}...); {_RESTORE_HINT}"
        )
    _verified.add(key)
    return path


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration.

    Creating the landmarker makes TensorFlow Lite and absl write INFO and
    WARNING lines straight to fd 2 from C++, which no Python logging setting or
    environment variable turns off; they would bury posecheck's one-line
    messages. Python exceptions still propagate; only native chatter is lost.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _box_iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def prominence(pose: Pose) -> float:
    """How much of the picture a person fills: the area of the box around the points seen."""
    x0, y0, x1, y1 = pose.bbox_px()
    return (x1 - x0) * (y1 - y0)


@dataclass
class PersonTracker:
    """Chooses one person among several and keeps following them.

    The first time people are seen, the most prominent one is chosen. After
    that, the candidate whose box overlaps the followed person's last box the
    most is the same person. If nobody overlaps, the followed person is out of
    view: the frame has no person rather than someone else's pose, because a
    partner walking past must not be judged. After ``lost_after_ms`` without
    them, the tracker starts afresh with the most prominent person.
    """

    lost_after_ms: int = 2000
    min_overlap: float = 0.1
    _box: tuple[float, float, float, float] | None = None
    _last_seen_ms: int = 0

    def choose(self, candidates: Sequence[Pose], timestamp_ms: int) -> Pose | None:
        if not candidates:
            return None
        if self._box is not None and timestamp_ms - self._last_seen_ms > self.lost_after_ms:
            self._box = None
        if self._box is None:
            chosen = max(candidates, key=prominence)
        else:
            box = self._box
            best = max(candidates, key=lambda p: _box_iou(p.bbox_px(), box))
            if _box_iou(best.bbox_px(), box) < self.min_overlap:
                return None
            chosen = best
        self._box = chosen.bbox_px()
        self._last_seen_ms = timestamp_ms
        return chosen

    def reset(self) -> None:
        self._box = None


def _to_pose(landmarks: Any, world: Any, image_wh: tuple[int, int], timestamp_ms: int) -> Pose:
    """MediaPipe's normalised and world landmark lists -> Pose (the only conversion)."""
    w, h = image_wh
    norm = np.array(
        [(lm.x, lm.y, lm.z, lm.visibility or 0.0, lm.presence or 0.0) for lm in landmarks],
        dtype=np.float64,
    )
    world_xyz = np.array([(lm.x, lm.y, lm.z) for lm in world], dtype=np.float64)
    return Pose(
        xy_px=norm[:, :2] * np.array([w, h], dtype=np.float64),
        z_px=norm[:, 2] * w,
        world_xyz_m=world_xyz,
        visibility=norm[:, 3],
        presence=norm[:, 4],
        image_wh=image_wh,
        timestamp_ms=timestamp_ms,
    )


# In VIDEO mode, how often to look for everyone in the picture (milliseconds of
# the stream's own time); between looks only the followed person is tracked.
LOOK_EVERY_MS = 1000
# Two boxes this similar are the same person (the tracked one and a looked-up one).
SAME_PERSON_IOU = 0.5


class PoseEstimator:
    """MediaPipe PoseLandmarker as a context manager.

    ``mode="image"`` treats every frame as an unrelated still: the model finds
    up to ``max_people`` people and the most prominent is returned.

    ``mode="video"`` follows one person across frames and needs strictly
    increasing integer ``timestamp_ms``. Asking MediaPipe for more than one
    pose on every frame would run its person detector on every frame whenever
    fewer people than that are in view, which costs about a third more per
    frame. So it runs two landmarkers: a one-pose VIDEO-mode one on every frame,
    which tracks the person from frame to frame and runs the detector only when
    it has lost them, and a ``max_people`` IMAGE-mode one for a *look* at
    everyone in the picture. A look happens on the first frame, every
    `LOOK_EVERY_MS` of stream time, and on the frame the tracked person is
    lost. At a look, `PersonTracker` picks whom to follow (the most prominent
    person at first, the same person afterwards) among the people the look
    found and the tracked person (a look on one still can miss someone that
    tracking still holds). While the tracked pose is that person it is used;
    when the one-pose tracker has settled on someone else, the looked-up pose
    is used instead and a look runs on every frame until the tracker is back on
    the followed person. ``Detection.people`` is the count from the latest
    look, so between looks it can lag by up to `LOOK_EVERY_MS`, and it counts
    only people the look or the tracker found.
    """

    def __init__(
        self,
        mode: Mode = "image",
        *,
        max_people: int = 2,
        model_path: Path | None = None,
        min_confidence: float = 0.5,
        look_every_ms: int = LOOK_EVERY_MS,
    ) -> None:
        if mode not in ("image", "video"):
            raise ValueError(f"mode must be 'image' or 'video' (got {mode!r})")
        if max_people < 1:
            raise ValueError(f"max_people must be >= 1 (got {max_people})")
        if look_every_ms < 1:
            raise ValueError(f"look_every_ms must be >= 1 (got {look_every_ms})")
        self.mode: Mode = mode
        self.max_people = max_people
        self.look_every_ms = look_every_ms
        self.model_path = verify_model(model_path or find_model())
        self._min_confidence = min_confidence
        self._landmarker: Any = None  # every frame: IMAGE mode, or the one-pose VIDEO tracker
        self._looker: Any = None  # VIDEO mode with max_people > 1: the occasional look
        self._tracker = PersonTracker()
        self._last_ms: int | None = None
        self._last_look_ms: int | None = None
        self._people = 0  # from the latest look
        self._was_tracking = False
        self._astray = False  # the one-pose tracker follows someone else
        self.looks = 0  # how many looks were taken (for tests and benchmarks)

    def __enter__(self) -> PoseEstimator:
        # Imported here so that `import posecheck.io.estimator` stays cheap for
        # commands (such as --help) that never run the model.
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self._vision = vision
        self._model = self.model_path.read_bytes()
        self._base_options = BaseOptions
        try:
            if self.mode == "image":
                self._landmarker = self._create(vision.RunningMode.IMAGE, self.max_people)
            else:
                self._landmarker = self._create(vision.RunningMode.VIDEO, 1)
                if self.max_people > 1:
                    self._looker = self._create(vision.RunningMode.IMAGE, self.max_people)
        except BaseException:
            self._close()
            raise
        return self

    def _create(self, running_mode: Any, poses: int) -> Any:
        options = self._vision.PoseLandmarkerOptions(
            base_options=self._base_options(model_asset_buffer=self._model),
            running_mode=running_mode,
            num_poses=poses,
            min_pose_detection_confidence=self._min_confidence,
            min_pose_presence_confidence=self._min_confidence,
            min_tracking_confidence=self._min_confidence,
        )
        with _native_stderr_silenced():
            return self._vision.PoseLandmarker.create_from_options(options)

    def restart(self) -> None:
        """Forget the stream so far, as a new estimator would (VIDEO mode).

        The next frame may have any timestamp. Cheaper than a new estimator:
        the IMAGE-mode landmarker for looks, which keeps no state, is reused.
        """
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator must be used inside a `with` block")
        if self.mode == "video":
            old, self._landmarker = self._landmarker, None
            old.close()
            self._landmarker = self._create(self._vision.RunningMode.VIDEO, 1)
        self._tracker = PersonTracker()
        self._last_ms = self._last_look_ms = None
        self._people = 0
        self._was_tracking = self._astray = False

    def _close(self) -> None:
        for landmarker in (self._landmarker, self._looker):
            if landmarker is not None:
                landmarker.close()
        self._landmarker = self._looker = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def detect(self, frame_bgr: npt.NDArray[np.uint8], timestamp_ms: int = 0) -> Detection:
        """Find the person in one BGR uint8 (H, W, 3) frame."""
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator must be used inside a `with` block")
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"frame must be BGR uint8 (H, W, 3) (got {frame_bgr.dtype} {frame_bgr.shape})"
            )
        h, w = frame_bgr.shape[:2]
        image = self._mp.Image(
            image_format=self._mp.ImageFormat.SRGB, data=video.bgr_to_rgb(frame_bgr)
        )
        if self.mode == "image":
            self._tracker.reset()
            candidates = self._run(self._landmarker.detect, (w, h), timestamp_ms, image)
            pose = self._tracker.choose(candidates, timestamp_ms)
            return Detection(timestamp_ms, (w, h), pose, len(candidates))
        if self._last_ms is not None and timestamp_ms <= self._last_ms:
            raise ValueError(
                f"VIDEO mode needs strictly increasing timestamps "
                f"(got {timestamp_ms} ms after {self._last_ms} ms)"
            )
        self._last_ms = timestamp_ms
        tracked = self._run(self._landmarker.detect_for_video, (w, h), timestamp_ms, image, ts=True)
        own = tracked[0] if tracked else None
        # The tracker found or lost someone: time to see who is in the picture.
        changed = (own is not None) != self._was_tracking
        self._was_tracking = own is not None
        due = (
            self._last_look_ms is None
            or timestamp_ms - self._last_look_ms >= self.look_every_ms
            or changed
            or self._astray
        )
        if self._looker is None or not due:
            # Between looks: the tracked pose, if it is still the followed person.
            pose = self._tracker.choose(tracked, timestamp_ms)
            if self._looker is None:
                self._people = len(tracked)
            elif own is not None:
                self._people = max(self._people, 1)
            return Detection(timestamp_ms, (w, h), pose, self._people)
        self.looks += 1
        self._last_look_ms = timestamp_ms
        looked = self._run(self._looker.detect, (w, h), timestamp_ms, image)
        # A look on one still can miss a person the tracker still holds (the
        # detector is weaker than tracking): the tracked pose stays a candidate,
        # and a looked-up pose that overlaps it is taken to be that same person.
        others = [
            p
            for p in looked
            if own is None or _box_iou(p.bbox_px(), own.bbox_px()) < SAME_PERSON_IOU
        ]
        candidates = ([own] if own is not None else []) + others
        self._people = len(candidates)
        chosen = self._tracker.choose(candidates, timestamp_ms)
        self._astray = chosen is not None and chosen is not own
        return Detection(timestamp_ms, (w, h), chosen, self._people)

    def _run(
        self,
        call: Any,
        image_wh: tuple[int, int],
        timestamp_ms: int,
        image: Any,
        *,
        ts: bool = False,
    ) -> list[Pose]:
        """One landmarker call, as the complete poses it found."""
        # The graph also logs a first-use warning from C++ on its first frames.
        with _native_stderr_silenced():
            result = call(image, timestamp_ms) if ts else call(image)
        return [
            _to_pose(lms, world, image_wh, timestamp_ms)
            for lms, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
            if len(lms) == NUM_LANDMARKS
        ]
