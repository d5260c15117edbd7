"""What a stretch is, as posecheck reads it: its checks, their kinds and units,
its prescription. The file format is documented for users in reference_poses/README.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from posecheck.body.geometry import Position, View
from posecheck.catalog.fields import FileError


class Unit(StrEnum):
    """The unit of a check's value; also the suffix of its limit fields (``target_deg``)."""

    DEG = "deg"
    LEN = "len"  # body lengths: the distance between the check's two unit points
    RATIO = "ratio"

    @property
    def symbol(self) -> str:
        """Written after a number a person reads: ``90°``, ``0.15 len``, ``1.2``."""
        return _SYMBOLS[self]

    @property
    def words(self) -> str:
        """The unit in words, for an axis title."""
        return _WORDS[self]

    @property
    def decimals(self) -> int:
        """Digits after the point worth showing: a degree is already finer than the model."""
        return 0 if self is Unit.DEG else 2

    def number(self, value: float) -> str:
        """The value rounded to what is worth showing, without a unit: ``92``, ``0.15``."""
        return f"{value:.{self.decimals}f}"

    def value_text(self, value: float | None) -> str:
        """A measured value in a table: ``92°`` or ``0.15``; ``-`` when not measured."""
        if value is None:
            return "-"
        return f"{self.number(value)}°" if self is Unit.DEG else self.number(value)


_SYMBOLS = {Unit.DEG: "°", Unit.LEN: " len", Unit.RATIO: ""}
_WORDS = {Unit.DEG: "degrees", Unit.LEN: "body lengths", Unit.RATIO: "ratio"}


class CheckKind(StrEnum):
    ANGLE = "angle"
    INCLINATION = "inclination"
    ALIGNMENT = "alignment"
    HEIGHT = "height"
    DISTANCE = "distance"
    SPACING = "spacing"

    @property
    def unit(self) -> Unit:
        return _KIND_UNITS[self]

    @property
    def points(self) -> int:
        """How many points a check of this kind names."""
        return POINT_COUNT[self]

    @property
    def needs_unit(self) -> bool:
        """Whether its value is a length, measured in the check's own body unit."""
        return self in NEEDS_UNIT


_KIND_UNITS = {
    CheckKind.ANGLE: Unit.DEG,
    CheckKind.INCLINATION: Unit.DEG,
    CheckKind.ALIGNMENT: Unit.LEN,
    CheckKind.HEIGHT: Unit.LEN,
    CheckKind.DISTANCE: Unit.LEN,
    CheckKind.SPACING: Unit.RATIO,
}
POINT_COUNT = {
    CheckKind.ANGLE: 3,
    CheckKind.INCLINATION: 2,
    CheckKind.ALIGNMENT: 2,
    CheckKind.HEIGHT: 2,
    CheckKind.DISTANCE: 2,
    CheckKind.SPACING: 4,
}
NEEDS_UNIT = {CheckKind.ALIGNMENT, CheckKind.HEIGHT, CheckKind.DISTANCE}

SIDED_PARTS = (
    "shoulder",
    "elbow",
    "wrist",
    "pinky",
    "index",
    "thumb",
    "hip",
    "knee",
    "ankle",
    "heel",
    "foot_index",
    "eye",
    "eye_inner",
    "eye_outer",
    "ear",
    "mouth",
)
CENTRAL_POINTS = ("nose",)
FIXED_PREFIXES = ("left", "right", "mid")


@dataclass(frozen=True)
class Point:
    """A parsed point name.

    ``front_knee`` is Point("front", "knee"); ``nose`` is Point(None, "nose").
    ``prefix`` is "left", "right", "mid", a role name, or None for a central point.
    """

    prefix: str | None
    part: str

    @property
    def name(self) -> str:
        return self.part if self.prefix is None else f"{self.prefix}_{self.part}"


@dataclass(frozen=True)
class Limits:
    """The allowed range of a check's value, in the kind's unit; None is no limit on that side.

    ``target`` and ``tolerance`` are kept when the file gave them (for display);
    then low = target - tolerance and high = target + tolerance.
    """

    low: float | None
    high: float | None
    target: float | None = None
    tolerance: float | None = None


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    kind: CheckKind
    points: tuple[Point, ...]
    limits: Limits
    priority: int
    cue_high: str | None = None
    cue_low: str | None = None
    unit: tuple[Point, Point] | None = None
    reference: str = "vertical"
    views: tuple[View, ...] = ()
    gate: bool = False
    # The sentence of the source article this check enforces, quoted or
    # closely paraphrased; `posecheck show` prints it.
    why: str = ""
    # A check with no basis in the article: shown, but it never blocks
    # alignment or the hold.
    advice: bool = False


class Sides(StrEnum):
    """Whether a stretch is done on each side in turn, or once for the whole body."""

    EACH = "each"
    NONE = "none"


# Bounds on the prescription: sane for any stretch, and small enough that a
# session never plans an absurd number of reps.
MAX_HOLD_S = 3600.0
MAX_REPS = 100


def alternation_problem(sides: Sides | str, *, alternate: bool) -> str | None:
    """What is wrong with ``alternate`` for these sides, or None."""
    if alternate and sides == Sides.NONE:
        return "must be false when sides is 'none' (there is no side to switch to)"
    return None


@dataclass(frozen=True)
class Prescription:
    """How long to hold, how many times, and on which sides.

    ``sides`` may be given as its text ("each"); it is kept as `Sides`. A
    prescription that breaks a rule below raises ValueError: files are read
    through `posecheck.catalog.stretches`, which reports the same rules one
    line per field instead.
    """

    hold_s: float
    reps: int
    sides: Sides
    alternate: bool
    # Reps are moves into the position and out again (knee drops): each rep
    # holds only briefly and the next starts once the person has let go.
    dynamic: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "sides", Sides(self.sides))
        if not 0 < self.hold_s <= MAX_HOLD_S:
            raise ValueError(f"prescription: hold_s must be > 0 and at most {MAX_HOLD_S:g}")
        if not 1 <= self.reps <= MAX_REPS:
            raise ValueError(f"prescription: reps must be 1 to {MAX_REPS}")
        if problem := alternation_problem(self.sides, alternate=self.alternate):
            raise ValueError(f"prescription: alternate {problem}")

    @property
    def per_side(self) -> bool:
        return self.sides is Sides.EACH

    def text(self) -> str:
        """e.g. "2 reps per side, alternating sides, hold 20 s" or "hold 30 s"."""
        if self.reps == 1:
            return (
                f"hold {self.hold_s:g} s on each side"
                if self.per_side
                else f"hold {self.hold_s:g} s"
            )
        parts = [f"{self.reps} reps per side" if self.per_side else f"{self.reps} reps"]
        if self.alternate:
            parts.append("alternating sides")
        parts.append(
            f"hold {self.hold_s:g} s at the end of each move"
            if self.dynamic
            else f"hold {self.hold_s:g} s"
        )
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "hold_s": self.hold_s,
            "reps": self.reps,
            "sides": self.sides.value,
            "alternate": self.alternate,
            "dynamic": self.dynamic,
        }


@dataclass(frozen=True)
class Stage:
    """One phase of a phased stretch (a wide child's pose reaches, then slides the
    hips back): what to do, how long to hold it, and the ids of the checks
    that judge it. The phases run in order, as the stretch's reps."""

    label: str
    hold_s: float
    checks: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "hold_s": self.hold_s, "checks": list(self.checks)}


@dataclass(frozen=True)
class Reference:
    id: str
    name: str
    source: str
    description: str
    positions: tuple[Position, ...]
    views: tuple[View, ...]
    prescription: Prescription
    checks: tuple[Check, ...]
    roles: tuple[str, str] | None = None
    # The checks whose values show the range of motion reached (see
    # reference_poses/README.md); the practice history follows them.
    progress: tuple[str, ...] = ()
    # What the camera cannot judge for this stretch (foam rolling: the roller
    # is hidden); None when its checks cover the form.
    camera_limits: str | None = None
    phases: tuple[Stage, ...] = ()
    path: str = field(default="", compare=False)
    bundled: bool = field(default=True, compare=False)

    def to_json(self) -> dict[str, object]:
        """The summary `posecheck stretches --json` prints, one object per stretch."""
        return {
            "id": self.id,
            "name": self.name,
            "position": [str(p) for p in self.positions],
            "view": [str(v) for v in self.views],
            "prescription": self.prescription.to_json(),
            "checks": len(self.checks),
            "camera_limits": self.camera_limits,
            "phases": [p.to_json() for p in self.phases],
            "bundled": self.bundled,
        }


class ReferenceError(FileError):
    """Every problem found in one or more reference files; each is one full line."""
