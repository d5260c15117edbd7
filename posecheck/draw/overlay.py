"""The one composition of a picture posecheck draws, for photos, live coaching and
scored videos alike: the skeleton coloured by the checks, a mark or arc at
each checked joint with its value, and either the coaching panel (live and
score) or a caption line (photos), with the cue in a banner at the bottom.

Drawing only, never state. The parts draw in place; `compose` copies the
frame once and leaves its input untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

from posecheck.body.landmarks import Pose
from posecheck.coaching.session import CoachState
from posecheck.draw.marks import draw_check_marks
from posecheck.draw.panel import draw_banner, draw_caption, draw_headline, draw_panel
from posecheck.draw.skeleton import draw_skeleton
from posecheck.draw.style import DEFAULT_STYLE, Frame, Style, blank_canvas, styled
from posecheck.form.results import Verdict

__all__ = ["DEFAULT_STYLE", "Frame", "Style", "blank_canvas", "compose", "styled"]


def compose(
    frame: Frame,
    pose: Pose | None,
    verdict: Verdict | None,
    state: CoachState | None = None,
    *,
    caption: Sequence[str] = (),
    headline: str | None = None,
    style: Style = DEFAULT_STYLE,
) -> Frame:
    """The overlay on a copy of a BGR uint8 (H, W, 3) frame.

    ``pose`` and ``verdict`` may be None (no one in view, or no stretch to
    judge). With a coaching ``state``, the panel is drawn (counters, phase
    line, hold ring) and the state's cue goes in the banner; without one, the
    ``caption`` lines go at the top left and the verdict's cue in the banner.
    A ``headline`` (a get-ready countdown: "3") goes big in the middle, over
    everything else.
    """
    if state is not None and caption:
        raise ValueError("compose takes a coaching state or a caption, not both")
    out = frame.copy()
    if pose is not None:
        draw_skeleton(out, pose, verdict, style)
    if verdict is not None:
        draw_check_marks(out, pose, verdict, style)
    if state is not None:
        draw_panel(out, state, style)
        cue = state.cue
    else:
        draw_caption(out, caption, style)
        cue = None if verdict is None else verdict.cue
    if cue:
        draw_banner(out, cue, style)
    if headline:
        draw_headline(out, headline, style)
    return out
