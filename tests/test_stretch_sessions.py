"""The new prescription fields at work: a dynamic stretch releases between reps,
a phased one runs its phases in order, and files that get them wrong are
refused one line per problem. Sessions are coached on built bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from posecheck.body.landmarks import Detection
from posecheck.catalog.library import load_references
from posecheck.catalog.reference import Reference, ReferenceError, parse_reference
from posecheck.coaching.coach import Coach
from posecheck.coaching.session import EventKind, Phase, Session, SessionConfig
from tests import bodies
from tests.helpers import run

STEP_MS = 100


@cache
def refs() -> dict[str, Reference]:
    return load_references()


def coach_through(
    coach: Coach,
    script: Iterable[tuple[Callable[[], bodies.Figure], float]],
    view: str,
    start_ms: int = 0,
) -> list[EventKind]:
    """Feed the coach each figure for its seconds, 10 frames a second from
    ``start_ms``; the events."""
    events: list[EventKind] = []
    t = start_ms
    for make, seconds in script:
        fig = make()
        for _ in range(round(seconds * 1000 / STEP_MS)):
            pose = bodies.pose(fig, view, timestamp_ms=t)
            result = coach.step(Detection(t, pose.image_wh, pose, people=1))
            events += [e.kind for e in result.events]
            t += STEP_MS
    return events


# --- dynamic stretches ------------------------------------------------------------


@pytest.mark.parametrize("stretch_id", ["knee-drops", "bent-knee-to-low-lunge"])
def test_a_dynamic_stretch_releases_between_reps_whatever_the_config(stretch_id):
    ref = refs()[stretch_id]
    assert Session(ref).config.release_between_reps
    assert Session(ref, SessionConfig(hold_s=3)).config.release_between_reps
    assert not Session(refs()["bridge"]).config.release_between_reps


def test_knee_drops_count_each_drop_and_wait_for_the_release():
    """Five drops each way, alternating: each held 3 s, then the knees come back up."""
    coach = Coach(refs()["knee-drops"])
    script = []
    for _ in range(5):
        for toward in ("left", "right"):
            script.append((lambda toward=toward: bodies.knee_drops(toward=toward), 3.5))
            script.append((lambda: bodies.knee_drops(drop=0.0), 1.5))
    events = coach_through(coach, script, "front")
    reps = coach.session.reps
    assert events.count(EventKind.REP_COMPLETED) == 10
    assert EventKind.SESSION_DONE in events
    assert [r.side for r in reps[:2]] in (["left", "right"], ["right", "left"])
    assert all(r.completed and r.target_s == 2.0 for r in reps)


def test_knee_drops_do_not_count_a_drop_held_on_the_same_side():
    """Staying dropped to one side is one rep: the next is the other way."""
    coach = Coach(refs()["knee-drops"])
    events = coach_through(coach, [(bodies.knee_drops, 12.0)], "front")
    assert events.count(EventKind.REP_COMPLETED) == 1
    assert coach.session.phase == Phase.SWITCH_SIDE


def test_low_lunge_reps_count_only_after_coming_back():
    """Five moves into the low lunge per leg: a rep is held 2 s at the front, and
    the next counts only after coming back to the bent-knee start."""
    coach = Coach(refs()["bent-knee-to-low-lunge"])
    held = coach_through(coach, [(bodies.low_lunge, 12.0)], "side")
    assert held.count(EventKind.REP_COMPLETED) == 1
    assert coach.session.phase == Phase.REST
    start = lambda: bodies.low_lunge(front_shin=-50.0)  # noqa: E731 - the knee behind the ankle
    script = [(bodies.low_lunge, 3.0), (start, 1.5)] * 4
    script += [(lambda: bodies.mirrored(bodies.low_lunge()), 3.0), (start, 1.5)] * 5
    events = coach_through(coach, [(start, 1.5), *script], "side", start_ms=12_000)
    assert EventKind.SESSION_DONE in events
    sides = [r.side for r in coach.session.reps]
    assert len(sides) == 10 and len(set(sides[:5])) == 1 and len(set(sides[5:])) == 1
    assert sides[0] != sides[5]


# --- phased stretches -------------------------------------------------------------


def test_wide_child_pose_reaches_then_slides_back():
    ref = refs()["wide-child-pose"]
    coach = Coach(ref)
    reach, sit_back = bodies.PHASES["wide-child-pose"]
    events = coach_through(coach, [(reach, 24.0)], "side")
    assert events.count(EventKind.REP_COMPLETED) == 1
    # The next phase follows at once, with no rest, and says what to do.
    state = coach.session.state(None, 24_000)
    assert state.phase == Phase.SETUP
    assert state.phase_text == ref.phases[1].label
    assert coach.session.target_s == 30.0
    # Reaching on does not count toward the second phase: the hips must come back.
    events = coach_through(coach, [(reach, 10.0)], "side", start_ms=24_000)
    assert EventKind.HOLD_STARTED not in events
    events = coach_through(coach, [(sit_back, 34.0)], "side", start_ms=34_000)
    assert EventKind.SESSION_DONE in events
    assert [(r.target_s, r.completed) for r in coach.session.reps] == [(20.0, True), (30.0, True)]


def test_a_phased_stretch_judges_each_phase_on_its_own_checks():
    ref = refs()["wide-child-pose"]
    session = Session(ref)
    coach = Coach(ref)
    reach = bodies.pose(bodies.wide_child_pose(), "side")
    verdict = coach.step(Detection(0, reach.image_wh, reach, people=1)).verdict
    assert {r.check.id for r in verdict.results} == set(ref.phases[0].checks)
    assert verdict.aligned
    assert session.stage == ref.phases[0]


def test_the_hold_option_sets_the_first_phase_only():
    ref = refs()["wide-child-pose"]
    session = Session(ref, SessionConfig(hold_s=10))
    assert session.target_s == 10
    assert Session(ref).target_s == 20


# --- files that get the new fields wrong ------------------------------------------

BASE = """\
id = "x"
name = "X"
source = "002 #4"
description = "A test stretch."
position = ["kneeling"]
view = ["side"]
{top}
[prescription]
hold_s = 20
reps = 1
sides = "none"
alternate = false
{prescription}
[[checks]]
id = "a"
label = "A"
kind = "angle"
points = ["mid_hip", "mid_knee", "mid_ankle"]
max_deg = 90
priority = 1
cue_high = "Bend"
why = "002 #4: a reason."

[[checks]]
id = "tip"
label = "Tip"
kind = "angle"
points = ["mid_shoulder", "mid_hip", "mid_knee"]
max_deg = 90
priority = 2
cue_high = "Fold"
advice = true
why = "Not in the article: advice."
{rest}"""

PHASES = """
[[phases]]
label = "One"
hold_s = 20
checks = ["a"]

[[phases]]
label = "Two"
hold_s = 5
checks = {second}
"""


def text(top: str = "", prescription: str = "", rest: str = "") -> str:
    return BASE.format(top=top, prescription=prescription, rest=rest)


def problems(source: str) -> list[str]:
    with pytest.raises(ReferenceError) as info:
        parse_reference(source, "x.toml")
    return info.value.problems


def test_the_new_fields_read_when_right():
    ref = parse_reference(
        text(
            top='camera_limits = "Cannot see it."',
            prescription="dynamic = true",
            rest=PHASES.format(second='["a", "tip"]'),
        ),
        "x.toml",
    )
    assert ref.camera_limits == "Cannot see it."
    assert ref.prescription.dynamic
    assert [(p.label, p.hold_s, p.checks) for p in ref.phases] == [
        ("One", 20.0, ("a",)),
        ("Two", 5.0, ("a", "tip")),
    ]
    plain = parse_reference(text(), "x.toml")
    assert (plain.camera_limits, plain.prescription.dynamic, plain.phases) == (None, False, ())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (text(top="camera_limits = 3"), "x.toml: camera_limits must be a string (got integer 3)"),
        (
            text(top='camera_limits = " "'),
            "x.toml: camera_limits must not be empty (got ' ')",
        ),
        (
            text(prescription='dynamic = "yes"'),
            "x.toml: prescription.dynamic must be a boolean (got string 'yes')",
        ),
        (
            text(rest=PHASES.format(second='["b"]')),
            "x.toml: phases[1].checks[0] 'b' is not a check of this file (a, tip)",
        ),
        (
            text(rest=PHASES.format(second='["tip"]')),
            "x.toml: phases[1].checks must name a check that is not advice, "
            "or it can never be held",
        ),
        (
            text(rest=PHASES.format(second="[]")),
            "x.toml: phases[1].checks must name at least one check (got none)",
        ),
        (
            text(rest=PHASES.format(second='["a"]').replace("hold_s = 20", "hold_s = 15")),
            "x.toml: phases[0].hold_s must equal the prescription's hold_s (20), "
            "the hold of the first phase (got 15)",
        ),
        (
            text(rest='\n[[phases]]\nlabel = "Only"\nhold_s = 20\nchecks = ["a"]\n'),
            "x.toml: phases must have at least 2 phases (got 1)",
        ),
        (
            text(rest=PHASES.format(second='["a"]').replace('label = "Two"\n', "")),
            "x.toml: phases[1]: missing field 'label' (a string)",
        ),
        (
            text(rest=PHASES.format(second='["a"]')).replace("reps = 1", "reps = 2"),
            "x.toml: phases need the prescription's reps = 1 and sides = 'none' "
            "(the phases are the reps)",
        ),
        (
            text(rest=PHASES.format(second='["a"]') + 'colour = "red"\n'),
            "x.toml: phases[1]: unknown field 'colour'",
        ),
    ],
)
def test_each_problem_with_the_new_fields_is_one_line(source, expected):
    assert problems(source) == [expected]


# --- scoring recordings as the user does ------------------------------------------


def score_json(path: Path, stretch: str) -> dict[str, Any]:
    result = run("score", str(path), "--stretch", stretch, "--json")
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_scoring_a_recorded_wide_child_pose_gives_one_rep_per_phase(tmp_path: Path):
    reach, sit_back = bodies.PHASES["wide-child-pose"]
    path = bodies.recording(
        tmp_path / "wide-child.jsonl", [(reach, 24.0), (sit_back, 34.0)], "side"
    )
    reps = score_json(path, "wide-child-pose")["reps"]
    assert [(r["target_s"], r["completed"]) for r in reps] == [(20.0, True), (30.0, True)]


def test_scoring_recorded_knee_drops_counts_ten_drops(tmp_path: Path):
    script: list[tuple[Callable[[], bodies.Figure], float]] = []
    for _ in range(5):
        for toward in ("left", "right"):
            script.append((lambda toward=toward: bodies.knee_drops(toward=toward), 3.5))
            script.append((lambda: bodies.knee_drops(drop=0.0), 1.5))
    path = bodies.recording(tmp_path / "drops.jsonl", script, "front")
    reps = score_json(path, "knee-drops")["reps"]
    assert len(reps) == 10 and all(r["completed"] for r in reps)
    assert {r["side"] for r in reps} == {"left", "right"}


def test_a_stretch_the_camera_cannot_judge_still_needs_a_check_confirming_its_position():
    """camera_limits does not free a file from checks: with none, nothing could ever
    be held, so the position is confirmed by checks that are not advice."""
    no_checks = text(top='camera_limits = "Hidden roller."\nchecks = []').split("[[checks]]")[0]
    assert problems(no_checks) == ["x.toml: checks must have at least one check (got none)"]
    ref = refs()["foam-roll-quads"]
    assert ref.camera_limits and any(not c.advice for c in ref.checks)
