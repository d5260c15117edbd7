"""The skeleton: bones and joints, each checked bone in the colour of the checks on it.

Draws in place on a frame the caller owns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import combinations

import cv2

from posecheck.body.landmarks import SKELETON, VISIBLE, Pose, PoseLandmark
from posecheck.catalog.reference import Check
from posecheck.draw.style import BGR, DEFAULT_STYLE, Frame, Style, pt, px
from posecheck.form.points import landmarks_of
from posecheck.form.results import Status, Verdict

Bone = tuple[PoseLandmark, PoseLandmark]


def _bones_of(check: Check, roles: Mapping[str, str]) -> set[Bone]:
    """Bones joining two different points of the check: the left-right line between the
    two halves of one midpoint is not part of what the check measures."""
    groups = [set(landmarks_of(p, roles)) for p in check.points]
    return {
        (a, b)
        for a, b in SKELETON
        for g, h in combinations(groups, 2)
        if (a in g and b in h) or (b in g and a in h)
    }


def _combined(statuses: Iterable[Status]) -> Status:
    found = set(statuses)
    for status in (Status.FAIL, Status.UNKNOWN, Status.BORDERLINE):
        if status in found:
            return status
    return Status.PASS


def bone_status(verdict: Verdict) -> dict[Bone, Status]:
    """Each bone some check uses: FAIL if any of those checks fails, else UNKNOWN if
    any cannot be judged, else BORDERLINE if any is borderline, else PASS. Bones no
    check uses are left out."""
    found: dict[Bone, list[Status]] = {}
    for result in verdict.results:
        for bone in _bones_of(result.check, verdict.roles):
            found.setdefault(bone, []).append(result.status)
    return {bone: _combined(statuses) for bone, statuses in found.items()}


def dashed_line(
    out: Frame,
    a: tuple[int, int],
    b: tuple[int, int],
    colour: BGR,
    thickness: int,
    dash: int,
    gap: int,
) -> None:
    """A line from ``a`` to ``b`` in place, in dashes ``dash`` pixels long with ``gap``
    between them; the last dash ends at ``b``."""
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    if length < 1:
        return
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    start = 0.0
    while start < length:
        end = min(length, start + dash)
        p = (round(a[0] + ux * start), round(a[1] + uy * start))
        q = (round(a[0] + ux * end), round(a[1] + uy * end))
        cv2.line(out, p, q, colour, thickness, cv2.LINE_AA)
        start = end + gap


def _bone_colours(verdict: Verdict, style: Style) -> dict[Bone, BGR]:
    # An unknown check says nothing about form, so its bones keep the plain colour.
    colour = {
        Status.PASS: style.passed,
        Status.BORDERLINE: style.amber,
        Status.FAIL: style.failed,
        Status.UNKNOWN: style.bone,
    }
    return {bone: colour[status] for bone, status in bone_status(verdict).items()}


def draw_skeleton(
    out: Frame, pose: Pose, verdict: Verdict | None = None, style: Style = DEFAULT_STYLE
) -> None:
    """Draw the bones and joints of ``pose`` in place on a BGR uint8 (H, W, 3) frame.

    With a ``verdict``, each checked bone takes the palette's fail colour and
    is dashed when a check on it fails (so it reads without colour vision),
    the borderline colour when one is borderline and the pass colour when
    all pass; other seen bones are plain. Bones with an end the model does
    not see are grey, so a guessed limb never looks as certain as a seen one.
    """
    colours = {} if verdict is None else _bone_colours(verdict, style)
    failing = (
        set()
        if verdict is None
        else {bone for bone, status in bone_status(verdict).items() if status == Status.FAIL}
    )
    k = style.scale_for(out)
    bone_px = px(style.bone_px, k)
    radius = px(style.joint_radius_px, k)
    for a, b in SKELETON:
        seen = pose.visibility[a] >= VISIBLE and pose.visibility[b] >= VISIBLE
        colour = colours.get((a, b), style.bone) if seen else style.bone_unseen
        ends = pt(pose.xy_px[a]), pt(pose.xy_px[b])
        if seen and (a, b) in failing:
            dash, gap = px(style.dash_px, k), px(style.dash_gap_px, k)
            dashed_line(out, ends[0], ends[1], colour, bone_px, dash, gap)
        else:
            cv2.line(out, ends[0], ends[1], colour, bone_px, cv2.LINE_AA)
    for a in {lm for bone in SKELETON for lm in bone}:
        if pose.visibility[a] >= VISIBLE:
            cv2.circle(out, pt(pose.xy_px[a]), radius, style.joint, -1, cv2.LINE_AA)
