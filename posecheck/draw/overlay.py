"""Drawing on frames: the skeleton, captions and the live-coaching overlay. Drawing
only, never state.

Style lives in one frozen dataclass so every picture posecheck makes looks
the same and a test can rebuild the expected image from the same numbers.
Every public function returns a new frame and leaves its input untouched;
the private ``_..._on`` helpers draw in place on a frame that is already a copy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import cv2
import numpy as np
import numpy.typing as npt

from posecheck.body.landmarks import SIDES, SKELETON, VISIBLE, Pose, PoseLandmark, side_landmark
from posecheck.catalog.reference import Check, CheckKind, Point
from posecheck.coaching.session import TIMED_PHASES, CoachState, Phase
from posecheck.form.checks import CheckResult, Status, Verdict, target_text

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]
Bone = tuple[PoseLandmark, PoseLandmark]
Xy = tuple[float, float]

FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class Style:
    """Colours (BGR), sizes in pixels at the base frame and font scales; `scale_for`
    says how much to enlarge them on a given frame."""

    bone: BGR = (255, 200, 0)
    bone_unseen: BGR = (140, 140, 140)
    joint: BGR = (255, 255, 255)
    text: BGR = (255, 255, 255)
    text_shadow: BGR = (0, 0, 0)
    passed: BGR = (80, 200, 60)
    failed: BGR = (40, 40, 230)
    unknown: BGR = (150, 150, 150)
    banner: BGR = (30, 30, 30)
    bone_px: int = 3
    joint_radius_px: int = 4
    font_scale: float = 0.6
    # Reference size the sizes here are meant for; larger frames scale up.
    base_height_px: int = 480
    base_width_px: int = 640
    amber: BGR = (0, 170, 255)
    ring_track: BGR = (110, 110, 110)
    plate: BGR = (20, 20, 20)
    canvas: BGR = (45, 45, 45)
    # Share of the plate or banner colour over the picture behind it.
    plate_alpha: float = 0.6
    banner_alpha: float = 0.65
    text_px: float = 1.5
    # How far the dark outline reaches beyond the letters.
    outline_px: float = 2.0
    margin_px: int = 10
    plate_pad_px: int = 8
    line_gap_px: int = 4
    dot_radius_px: int = 7
    label_step_px: int = 22
    label_font_scale: float = 0.54
    banner_font_scale: float = 0.66
    phase_font_scale: float = 0.7
    ring_font_scale: float = 1.2
    ring_caption_font_scale: float = 0.45
    arc_radius_px: int = 26
    arc_px: int = 3
    arc_fill_alpha: float = 0.3
    # At most this share of the shorter limb, so the arc never reaches the next joint.
    arc_limb_share: float = 0.6
    ring_radius_px: int = 40
    ring_px: int = 7
    progress_px: int = 5
    # Width kept free at each side of the phase line for the counters and the ring.
    side_reserve_px: int = 130

    def scale_for(self, frame: Frame) -> float:
        # The narrower ratio wins so a portrait frame does not get text wider than itself.
        h, w = frame.shape[:2]
        return max(1.0, min(float(h) / self.base_height_px, float(w) / self.base_width_px))


DEFAULT_STYLE = Style()


# --- small helpers -------------------------------------------------------------------


def _pt(xy: npt.NDArray[np.float64] | Xy) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))


def _px(size: float, k: float, least: int = 1) -> int:
    return max(least, round(size * k))


def _stroke(k: float, style: Style) -> int:
    return _px(style.text_px, k)


def _text_size(text: str, scale: float, k: float, style: Style) -> tuple[int, int, int]:
    """Width, height above the baseline, and depth below it, of a line of text."""
    (w, h), baseline = cv2.getTextSize(text, FONT, scale, _stroke(k, style))
    return int(w), int(h), int(baseline)


def _text(
    out: Frame, text: str, org: tuple[int, int], colour: BGR, scale: float, k: float, style: Style
) -> None:
    """Text in place with a dark outline, readable on bright and dark backgrounds.

    The outline is the text's own shape grown by ``outline_px``: OpenCV 5 draws
    any thickness above 1 with the same bold glyphs, so a thicker dark pass under
    the text (the usual trick) leaves no visible edge there.
    """
    thickness = _stroke(k, style)
    grow = _px(style.outline_px, k)
    w, h, depth = _text_size(text, scale, k, style)
    pad = grow + thickness + 2
    frame_h, frame_w = out.shape[:2]
    x0, y0 = max(0, org[0] - pad), max(0, org[1] - h - pad)
    x1, y1 = min(frame_w, org[0] + w + pad), min(frame_h, org[1] + depth + pad)
    if x1 > x0 and y1 > y0:
        roi = out[y0:y1, x0:x1]
        mask = np.zeros(roi.shape[:2], np.uint8)
        local = (org[0] - x0, org[1] - y0)
        cv2.putText(mask, text, local, FONT, scale, 255, thickness, cv2.LINE_AA)
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        halo = cv2.dilate(mask, disc)[..., None] / 255.0
        roi[:] = (roi * (1.0 - halo) + np.array(style.text_shadow) * halo).astype(np.uint8)
    cv2.putText(out, text, org, FONT, scale, colour, thickness, cv2.LINE_AA)


def _fit(text: str, scale: float, max_w: int, k: float, style: Style) -> float:
    """The font scale, shrunk if needed so the text fits in ``max_w`` pixels."""
    w = _text_size(text, scale, k, style)[0]
    return scale if w <= max_w else scale * max_w / w


def _shade(out: Frame, box: tuple[int, int, int, int], style: Style) -> None:
    """Darken a rectangle (x0, y0, x1, y1) in place with the translucent plate colour."""
    h, w = out.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    roi = out[y0:y1, x0:x1]
    a = style.plate_alpha
    roi[:] = (roi * (1.0 - a) + np.array(style.plate) * a).astype(np.uint8)


def _tint_sector(
    out: Frame,
    centre: tuple[int, int],
    radius: int,
    angles: tuple[float, float],
    colour: BGR,
    alpha: float,
) -> None:
    """Blend a filled pie slice (a disc for 0 to 360 degrees) into the frame in place,
    with a smooth edge."""
    h, w = out.shape[:2]
    x0, y0 = max(0, centre[0] - radius - 1), max(0, centre[1] - radius - 1)
    x1, y1 = min(w, centre[0] + radius + 2), min(h, centre[1] + radius + 2)
    if x1 <= x0 or y1 <= y0:
        return
    roi = out[y0:y1, x0:x1]
    mask = np.zeros(roi.shape[:2], np.uint8)
    local = (centre[0] - x0, centre[1] - y0)
    cv2.ellipse(mask, local, (radius, radius), 0.0, angles[0], angles[1], 255, -1, cv2.LINE_AA)
    share = mask[..., None] / 255.0 * alpha
    roi[:] = (roi * (1.0 - share) + np.array(colour) * share).astype(np.uint8)


def _status_colour(status: Status, style: Style) -> BGR:
    return {Status.PASS: style.passed, Status.FAIL: style.failed}.get(status, style.unknown)


def _plain(text: str) -> str:
    """OpenCV's built-in fonts draw only ASCII: spell the range symbols out."""
    for symbol, ascii_text in ((" ± ", "+-"), ("±", "+-"), ("≤ ", "<="), ("≥ ", ">=")):
        text = text.replace(symbol, ascii_text)
    return text.replace("°", "").encode("ascii", "replace").decode()


# --- frames --------------------------------------------------------------------------


def blank_canvas(image_wh: tuple[int, int], style: Style = DEFAULT_STYLE) -> Frame:
    """A dark grey BGR frame of ``image_wh`` (width, height), to replay recorded
    landmarks on when there is no video."""
    w, h = image_wh
    if w <= 0 or h <= 0:
        raise ValueError(f"blank_canvas needs a positive size (got {image_wh})")
    return np.full((h, w, 3), style.canvas, np.uint8)


# --- skeleton ------------------------------------------------------------------------


def _landmarks(point: Point, roles: Mapping[str, str]) -> set[PoseLandmark]:
    """The landmarks a check's point stands for; empty when its role is not assigned."""
    if point.prefix is None:
        return {PoseLandmark[point.part.upper()]}
    if point.prefix == "mid":
        return {side_landmark(s, point.part) for s in SIDES}
    side = roles.get(point.prefix, point.prefix)
    return {side_landmark(side, point.part)} if side in SIDES else set()


def _bones_of(check: Check, roles: Mapping[str, str]) -> set[Bone]:
    """Bones joining two different points of the check: the left-right line between the
    two halves of one midpoint is not part of what the check measures."""
    groups = [_landmarks(p, roles) for p in check.points]
    return {
        (a, b)
        for a, b in SKELETON
        for g, h in combinations(groups, 2)
        if (a in g and b in h) or (b in g and a in h)
    }


def _combined(statuses: Iterable[Status]) -> Status:
    found = set(statuses)
    if Status.FAIL in found:
        return Status.FAIL
    return Status.PASS if found == {Status.PASS} else Status.UNKNOWN


def bone_status(verdict: Verdict) -> dict[Bone, Status]:
    """Each bone some check uses: FAIL if any of those checks fails, PASS if all pass,
    UNKNOWN otherwise. Bones no check uses are left out."""
    found: dict[Bone, list[Status]] = {}
    for result in verdict.results:
        for bone in _bones_of(result.check, verdict.roles):
            found.setdefault(bone, []).append(result.status)
    return {bone: _combined(statuses) for bone, statuses in found.items()}


def _skeleton_on(out: Frame, pose: Pose, colours: Mapping[Bone, BGR], style: Style) -> None:
    k = style.scale_for(out)
    bone_px = _px(style.bone_px, k)
    radius = _px(style.joint_radius_px, k)
    for a, b in SKELETON:
        seen = pose.visibility[a] >= VISIBLE and pose.visibility[b] >= VISIBLE
        colour = colours.get((a, b), style.bone) if seen else style.bone_unseen
        cv2.line(out, _pt(pose.xy_px[a]), _pt(pose.xy_px[b]), colour, bone_px, cv2.LINE_AA)
    for a in {lm for bone in SKELETON for lm in bone}:
        if pose.visibility[a] >= VISIBLE:
            cv2.circle(out, _pt(pose.xy_px[a]), radius, style.joint, -1, cv2.LINE_AA)


def draw_skeleton(frame: Frame, pose: Pose, style: Style = DEFAULT_STYLE) -> Frame:
    """Draw the bones and joints of ``pose`` on a copy of a BGR uint8 (H, W, 3) frame.

    Bones with an end the model does not see are drawn grey, so a guessed
    limb never looks as certain as a seen one.
    """
    out = frame.copy()
    _skeleton_on(out, pose, {}, style)
    return out


def _bone_colours(verdict: Verdict, style: Style) -> dict[Bone, BGR]:
    # An unknown check says nothing about form, so its bones keep the plain colour.
    colour = {Status.PASS: style.passed, Status.FAIL: style.failed, Status.UNKNOWN: style.bone}
    return {bone: colour[status] for bone, status in bone_status(verdict).items()}


def draw_checked_skeleton(
    frame: Frame, pose: Pose, verdict: Verdict | None, style: Style = DEFAULT_STYLE
) -> Frame:
    """The skeleton with each checked bone red when a check on it fails and green
    when all pass; other seen bones plain, unseen ones grey."""
    out = frame.copy()
    _skeleton_on(out, pose, {} if verdict is None else _bone_colours(verdict, style), style)
    return out


# --- check marks ---------------------------------------------------------------------


def _seen_mean(pose: Pose, point: Point, roles: Mapping[str, str]) -> Xy | None:
    # As the checks measure: a midpoint stands on whichever of its sides is seen.
    seen = [lm for lm in _landmarks(point, roles) if pose.seen(lm)]
    if not seen:
        return None
    x, y = pose.xy_px[seen].mean(axis=0)
    return float(x), float(y)


def _angle_ends(pose: Pose, result: CheckResult, roles: Mapping[str, str]) -> tuple[Xy, Xy] | None:
    """The far ends of an angle check's two segments, when both are seen."""
    first, _, last = result.check.points
    a, c = _seen_mean(pose, first, roles), _seen_mean(pose, last, roles)
    return None if a is None or c is None else (a, c)


def angle_label(result: CheckResult) -> str:
    """The measured value and the allowed range in ASCII, e.g. ``96 / 90+-20``."""
    value = "?" if result.value is None else f"{result.value:.0f}"
    return f"{value} / {_plain(target_text(result.check))}"


def _arc_on(
    out: Frame, vertex: Xy, ends: tuple[Xy, Xy], result: CheckResult, k: float, style: Style
) -> None:
    """An arc across the measured angle at its vertex, and its label outside the angle."""
    (ax, ay), (cx, cy) = ends
    vx, vy = vertex
    start = math.degrees(math.atan2(ay - vy, ax - vx))
    span = (math.degrees(math.atan2(cy - vy, cx - vx)) - start) % 360.0
    if span > 180.0:
        start, span = start + span, 360.0 - span
    shortest = min(math.hypot(ax - vx, ay - vy), math.hypot(cx - vx, cy - vy))
    radius = max(3, min(_px(style.arc_radius_px, k), round(style.arc_limb_share * shortest)))
    colour = _status_colour(result.status, style)
    centre = _pt(vertex)
    arc_px = _px(style.arc_px, k)
    _tint_sector(out, centre, radius, (start, start + span), colour, style.arc_fill_alpha)
    cv2.ellipse(
        out, centre, (radius, radius), 0.0, start, start + span, colour, arc_px, cv2.LINE_AA
    )
    label = angle_label(result)
    scale = style.label_font_scale * k
    w, h, d = _text_size(label, scale, k, style)
    mid = math.radians(start + span / 2.0)
    ux, uy = -math.cos(mid), -math.sin(mid)  # away from the inside of the angle
    # Along the outward ray, from the box's centre to its edge: the label then sits
    # just past the arc, whatever its direction.
    to_edge = min(w / 2.0 / max(abs(ux), 1e-6), h / 2.0 / max(abs(uy), 1e-6))
    reach = radius + arc_px + _px(style.line_gap_px, k) + to_edge
    x = round(vx + ux * reach - w / 2.0)
    y = round(vy + uy * reach + h / 2.0)
    x, y = _clamp_text(out, x, y, w, h, k, style)
    pad = _px(style.line_gap_px, k)
    _shade(out, (x - pad, y - h - pad, x + w + pad, y + d + pad), style)
    _text(out, label, (x, y), colour, scale, k, style)


def _clamp_text(
    out: Frame, x: int, y: int, w: int, h: int, k: float, style: Style
) -> tuple[int, int]:
    """A text origin moved inside the frame so the label is not cut off."""
    m = _px(style.margin_px, k)
    frame_h, frame_w = out.shape[:2]
    return min(max(m, x), frame_w - w - m), min(max(h + m, y), frame_h - m)


def _marks_on(out: Frame, pose: Pose | None, verdict: Verdict, style: Style) -> None:
    k = style.scale_for(out)
    radius = _px(style.dot_radius_px, k, least=3)
    for result in verdict.results:
        if result.anchor_px is None:
            continue
        ends = None
        if pose is not None and result.check.kind == CheckKind.ANGLE and result.value is not None:
            ends = _angle_ends(pose, result, verdict.roles)
        if ends is None:
            colour = _status_colour(result.status, style)
            cv2.circle(out, _pt(result.anchor_px), radius, colour, -1, cv2.LINE_AA)
        else:
            _arc_on(out, result.anchor_px, ends, result, k, style)


def draw_check_marks(
    frame: Frame, pose: Pose | None, verdict: Verdict, style: Style = DEFAULT_STYLE
) -> Frame:
    """Each checked angle as an arc at its joint in its status colour, labelled with the
    measured value and the target; other checks as a dot at their anchor."""
    out = frame.copy()
    _marks_on(out, pose, verdict, style)
    return out


# --- heads-up display ----------------------------------------------------------------


def _ring_centre(out: Frame, k: float, style: Style) -> tuple[tuple[int, int], int, int]:
    """Centre, stroke radius and plate radius of the hold ring in the top right corner."""
    radius = _px(style.ring_radius_px, k)
    plate = radius + _px(style.ring_px, k) // 2 + _px(style.line_gap_px, k)
    m = _px(style.margin_px, k)
    return (out.shape[1] - m - plate, m + plate), radius, plate


def _ring_on(out: Frame, held_s: float, target_s: float, paused: bool, style: Style) -> None:
    k = style.scale_for(out)
    centre, radius, plate = _ring_centre(out, k, style)
    ring_px = _px(style.ring_px, k)
    _tint_sector(out, centre, plate, (0.0, 360.0), style.plate, style.plate_alpha)
    cv2.circle(out, centre, radius, style.ring_track, ring_px, cv2.LINE_AA)
    share = min(1.0, max(0.0, held_s / target_s)) if target_s > 0 else 0.0
    if share > 0:
        colour = style.amber if paused else style.passed
        # cv2 angles run clockwise on screen; -90 is 12 o'clock.
        end = -90.0 + 360.0 * share
        cv2.ellipse(out, centre, (radius, radius), 0.0, -90.0, end, colour, ring_px, cv2.LINE_AA)
    inner = 2 * radius - ring_px - 2 * _px(style.line_gap_px, k)
    number, caption = f"{held_s:.0f}", f"/ {target_s:.0f} s"
    big = _fit(number, style.ring_font_scale * k, inner, k, style)
    small = _fit(caption, style.ring_caption_font_scale * k, inner, k, style)
    nw, nh, _ = _text_size(number, big, k, style)
    cw, ch, _ = _text_size(caption, small, k, style)
    gap = _px(style.line_gap_px, k) * 2
    top = centre[1] - (nh + gap + ch) // 2
    _text(out, number, (centre[0] - nw // 2, top + nh), style.text, big, k, style)
    _text(out, caption, (centre[0] - cw // 2, top + nh + gap + ch), style.text, small, k, style)


def draw_hold_ring(
    frame: Frame,
    held_s: float,
    target_s: float,
    paused: bool = False,
    style: Style = DEFAULT_STYLE,
) -> Frame:
    """The hold timer in the top right corner: a grey ring filled clockwise from 12
    o'clock by ``held_s / target_s`` (green, amber while paused), with the seconds
    held in the middle and the target under them."""
    out = frame.copy()
    _ring_on(out, held_s, target_s, paused, style)
    return out


def counter_lines(state: CoachState) -> list[str]:
    """The rep counter and, for a sided stretch, the side: ``["Rep 2 of 4", "Left side"]``."""
    lines = [f"Rep {state.rep} of {state.reps_total}"]
    if state.side is not None:
        lines.append(f"{state.side.capitalize()} side")
    return lines


def _lines_on(out: Frame, lines: Sequence[str], x: int, y: int, scale: float, style: Style) -> None:
    """Lines of text on one plate whose top left corner is (x, y)."""
    k = style.scale_for(out)
    pad, gap = _px(style.plate_pad_px, k), _px(style.line_gap_px, k)
    sizes = [_text_size(line, scale, k, style) for line in lines]
    width = max(w for w, _, _ in sizes)
    height = sum(h + d for _, h, d in sizes) + gap * (len(lines) - 1)
    _shade(out, (x, y, x + width + 2 * pad, y + height + 2 * pad), style)
    y += pad
    for line, (_, h, d) in zip(lines, sizes, strict=True):
        _text(out, line, (x + pad, y + h), style.text, scale, k, style)
        y += h + d + gap


def draw_counters(frame: Frame, state: CoachState, style: Style = DEFAULT_STYLE) -> Frame:
    """The rep and side counters on a plate in the top left corner."""
    out = frame.copy()
    k = style.scale_for(out)
    m = _px(style.margin_px, k)
    _lines_on(out, counter_lines(state), m, m, style.font_scale * k, style)
    return out


def _phase_on(out: Frame, state: CoachState, style: Style) -> None:
    k = style.scale_for(out)
    frame_w = out.shape[1]
    pad, gap, m = _px(style.plate_pad_px, k), _px(style.line_gap_px, k), _px(style.margin_px, k)
    room = max(frame_w // 3, frame_w - 2 * _px(style.side_reserve_px, k) - 2 * pad)
    scale = _fit(state.phase_text, style.phase_font_scale * k, room, k, style)
    w, h, d = _text_size(state.phase_text, scale, k, style)
    confirming = state.phase == Phase.CONFIRMING
    bar_h = _px(style.progress_px, k) if confirming else 0
    x = (frame_w - w) // 2
    bottom = m + pad + h + d + (gap + bar_h if confirming else 0) + pad
    _shade(out, (x - pad, m, x + w + pad, bottom), style)
    _text(out, state.phase_text, (x, m + pad + h), style.text, scale, k, style)
    if confirming:
        top = m + pad + h + d + gap
        fill = round(w * min(1.0, max(0.0, state.confirm_progress)))
        cv2.rectangle(out, (x, top), (x + w - 1, top + bar_h - 1), style.ring_track, -1)
        if fill > 0:
            cv2.rectangle(out, (x, top), (x + fill - 1, top + bar_h - 1), style.passed, -1)


def draw_phase(frame: Frame, state: CoachState, style: Style = DEFAULT_STYLE) -> Frame:
    """The phase line at the top centre on a plate; while confirming, a thin bar
    under it fills as the alignment is confirmed."""
    out = frame.copy()
    _phase_on(out, state, style)
    return out


# --- captions and banner -------------------------------------------------------------


def draw_caption(frame: Frame, lines: Sequence[str], style: Style = DEFAULT_STYLE) -> Frame:
    """Write lines of text at the top left of a copy of the frame, with a shadow for contrast."""
    out = frame.copy()
    k = style.scale_for(frame)
    scale = style.font_scale * k
    y = 0
    for line in lines:
        _, h, baseline = _text_size(line, scale, k, style)
        y += h + baseline + _px(style.line_gap_px, k)
        _text(out, line, (_px(style.margin_px, k), y), style.text, scale, k, style)
    return out


def _wrap(text: str, scale: float, max_w: int, k: float, style: Style) -> list[str]:
    """Words grouped into lines no wider than ``max_w`` (a single long word stays whole)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and _text_size(trial, scale, k, style)[0] > max_w:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line]


def _banner_on(out: Frame, text: str, style: Style) -> None:
    k = style.scale_for(out)
    scale = style.banner_font_scale * k
    pad, gap = _px(style.margin_px, k), _px(style.line_gap_px, k)
    h, w = out.shape[:2]
    lines = _wrap(text, scale, w - 2 * pad, k, style)
    _, h_text, baseline = _text_size(text, scale, k, style)
    step = h_text + baseline + gap
    top = h - len(lines) * step + gap - 2 * pad
    band = out[top:, :]
    a = style.banner_alpha
    band[:] = (band * (1.0 - a) + np.array(style.banner) * a).astype(np.uint8)
    for i, line in enumerate(lines):
        w_line = _text_size(line, scale, k, style)[0]
        x = max(pad, (w - w_line) // 2)
        _text(out, line, (x, top + pad + h_text + i * step), style.text, scale, k, style)


def draw_banner(frame: Frame, text: str, style: Style = DEFAULT_STYLE) -> Frame:
    """A dark band across the bottom of a copy of the frame with the text centred,
    wrapped onto more lines when it is wider than the frame."""
    out = frame.copy()
    _banner_on(out, text, style)
    return out


# --- whole overlays ------------------------------------------------------------------


def draw_verdict(frame: Frame, pose: Pose, verdict: Verdict, style: Style = DEFAULT_STYLE) -> Frame:
    """Skeleton, each check's measured value at its joint (green pass, red fail, grey
    unknown), a title line and the top cue in a banner."""
    out = draw_skeleton(frame, pose, style)
    k = style.scale_for(frame)
    scale = style.label_font_scale * k
    radius = _px(style.dot_radius_px, k, least=3)
    stacked: dict[tuple[int, int], int] = {}
    for result in verdict.results:
        if result.anchor_px is None:
            continue
        colour = _status_colour(result.status, style)
        centre = _pt(result.anchor_px)
        cv2.circle(out, centre, radius, colour, -1, cv2.LINE_AA)
        if result.value is None:
            continue
        # Hershey fonts have no degree sign; lengths and ratios get two decimals.
        degrees = result.check.kind in (CheckKind.ANGLE, CheckKind.INCLINATION)
        value = f"{result.value:.0f}" if degrees else f"{result.value:.2f}"
        # Labels at the same joint stack downwards instead of overprinting.
        row = stacked.get(centre, 0)
        stacked[centre] = row + 1
        org = (
            centre[0] + radius + _px(style.line_gap_px, k),
            centre[1] + round(row * style.label_step_px * k),
        )
        _text(out, f"{result.check.id} {value}", org, colour, scale, k, style)
    state = "aligned" if verdict.aligned else "not aligned"
    out = draw_caption(out, [f"{verdict.stretch}: {state}, score {verdict.score}"], style)
    if verdict.cue:
        out = draw_banner(out, verdict.cue, style)
    return out


# The phases whose hold timer is running or waiting to resume.


def draw_coaching(
    frame: Frame,
    pose: Pose | None,
    verdict: Verdict | None,
    state: CoachState,
    style: Style = DEFAULT_STYLE,
) -> Frame:
    """The live-coaching overlay on a copy of the frame: the skeleton coloured by the
    checks, angle arcs, the rep and side counters (top left), the phase line (top
    centre), the hold ring while holding or paused (top right) and the cue banner.

    ``pose`` and ``verdict`` may be None (no one in view): the counters, phase
    and cue are still drawn.
    """
    out = frame.copy()
    if pose is not None:
        _skeleton_on(out, pose, {} if verdict is None else _bone_colours(verdict, style), style)
    if verdict is not None:
        _marks_on(out, pose, verdict, style)
    k = style.scale_for(out)
    m = _px(style.margin_px, k)
    _lines_on(out, counter_lines(state), m, m, style.font_scale * k, style)
    _phase_on(out, state, style)
    if state.phase in TIMED_PHASES:
        _ring_on(out, state.held_s, state.target_s, state.phase == Phase.PAUSED, style)
    if state.cue:
        _banner_on(out, state.cue, style)
    return out
