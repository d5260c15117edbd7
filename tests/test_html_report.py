"""The HTML report: self-contained, escaped, small for long videos, and drawn right by a browser.

Reports are built by hand here, so every number on the page is known. The
browser tests run Debian's chromium headless and skip where it is not installed.
"""

from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import numpy as np
import pytest

import posecheck
from posecheck.coaching.reps import FaultSpan, RepSummary
from posecheck.errors import InputError
from posecheck.io import video
from posecheck.io.info import SourceInfo
from posecheck.report.html import render_html, write_html
from posecheck.report.summary import ScoreReport, Series, Snapshot
from tests.helpers import chromium, needs_chromium

FPS = 30.0
DURATION_S = 30.0
ESCAPED_LABEL = "Torso <b>upright</b> & tall"


def status_of(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "unknown"
    if (low is not None and value < low) or (high is not None and value > high):
        return "fail"
    return "pass"


def make_series(
    check_id: str,
    label: str,
    kind: str,
    target: str,
    low: float | None,
    high: float | None,
    values: list[float | None],
) -> Series:
    return Series(
        check_id,
        label,
        kind,
        target,
        low,
        high,
        times_s=[i / FPS for i in range(len(values))],
        values=values,
        statuses=[status_of(v, low, high) for v in values],
    )


def knee_values(n: int) -> list[float | None]:
    """About 90°, bent too far (about 115°) from 14 to 17 s, unseen from 20 to 21 s."""
    out: list[float | None] = []
    for i in range(n):
        t = i / FPS
        if 20 <= t < 21:
            out.append(None)
        elif 14 <= t < 17:
            out.append(round(115 + 3 * math.sin(t * 4), 3))
        else:
            out.append(round(90 + 8 * math.sin(t * 1.3), 3))
    return out


def snapshot_jpeg(tmp_path: Path) -> bytes:
    frame = np.zeros((120, 160, 3), np.uint8)
    frame[:, :80] = (40, 40, 200)  # BGR: a red left half
    frame[40:80, 100:140] = (60, 160, 60)
    path = tmp_path / "snapshot.jpg"
    video.write_image(path, frame)
    return path.read_bytes()


def sample_series(n: int = round(FPS * DURATION_S)) -> list[Series]:
    return [
        make_series("front-knee-90", "Front knee at a right angle", "angle", "90 ± 15°", 75, 105,
                    knee_values(n)),
        make_series("torso-upright", ESCAPED_LABEL, "inclination", "≤ 20°", None, 20,
                    [12 + 10 * math.sin(i / 40) for i in range(n)]),
        make_series("hips-forward", "Hips forward over the back knee", "alignment", "≥ 0.05 len",
                    0.05, None, [0.02 + 0.1 * (i / n) for i in range(n)]),
        make_series("stance", "Feet hip width apart", "spacing", "0.8 to 1.2", 0.8, 1.2,
                    [None if i % 200 < 20 else 1.0 + 0.3 * math.sin(i / 90) for i in range(n)]),
        make_series("arm-up", "Arm reaching up", "angle", "≥ 150°", 150, None, [None] * n),
    ]  # fmt: skip


def sample_reps() -> list[RepSummary]:
    return [
        RepSummary(
            rep=1,
            side="left",
            start_s=3.0,
            end_s=13.0,
            held_s=10.0,
            target_s=10.0,
            in_form_s=9.0,
            completed=True,
            pass_rate={"front-knee-90": 1.0, "torso-upright": 0.8, "hips-forward": 0.55},
            faults=(FaultSpan("torso-upright", "Sit tall: shoulders over your hips", 2.0, 3.0),),
        ),
        RepSummary(
            rep=2,
            side="right",
            start_s=13.5,
            end_s=27.0,
            held_s=7.5,
            target_s=10.0,
            in_form_s=5.0,
            completed=False,
            pass_rate={"front-knee-90": 0.6, "torso-upright": 1.0},
            faults=(
                FaultSpan("front-knee-90", "Move your front foot <forward>", 0.5, 3.5),
                FaultSpan("hips-forward", None, 5.0, 6.0),
            ),
        ),
    ]


def make_report(
    tmp_path: Path,
    *,
    series: list[Series] | None = None,
    reps: list[RepSummary] | None = None,
    duration_s: float = DURATION_S,
    person_visible_pct: float = 96.5,
    position_reached: bool = True,
    snapshots: bool = True,
) -> ScoreReport:
    reps = sample_reps() if reps is None else reps
    jpeg = snapshot_jpeg(tmp_path) if snapshots else b""
    return ScoreReport(
        video=SourceInfo(
            path="/recordings/anna lunge.mp4",
            frames=round(duration_s * FPS),
            fps=FPS,
            duration_s=duration_s,
            width=1280,
            height=720,
        ),
        stretch="90-90-hip-flexor",
        stretch_name="90-90 hip flexor stretch",
        prescription={"hold_s": 10.0, "reps": 1, "sides": "each", "alternate": True},
        reps=reps,
        reps_prescribed=2,
        score=61,
        time_in_form_s=sum(r.in_form_s for r in reps),
        person_visible_pct=person_visible_pct,
        processing_s=7.5,
        series=sample_series() if series is None else series,
        snapshots=[Snapshot(15.2, "Front knee <too> bent", jpeg)] if snapshots else [],
        position_reached=position_reached,
    )


def test_the_page_is_self_contained(tmp_path: Path):
    page = render_html(make_report(tmp_path))
    assert page.startswith("<!DOCTYPE html>")
    without_data = re.sub(r'src="data:image/jpeg;base64,[A-Za-z0-9+/=]+"', "", page)
    for outside in ("http://", "https://", 'src="/', "<link", "<script", "@import", "url(/"):
        assert outside not in without_data
    assert "url(" not in without_data.replace("url(#plot", "")  # only the SVG's own clips


def test_the_header_and_summary_show_the_recording(tmp_path: Path):
    report = make_report(tmp_path)
    page = render_html(report)
    assert "<h1>90-90 hip flexor stretch</h1>" in page and "90-90-hip-flexor" not in page
    assert "anna lunge.mp4" in page and "/recordings/" not in page
    assert "1280 &times; 720 px" in page and "30 fps" in page
    assert "Prescribed: hold 10 s on each side (2 holds)</p>" in page
    assert f'id="verdict">{report.verdict_text()}</p>' in page
    summary = page[page.index('id="summary"') : page.index("</section>")]
    assert '<div class="value">61%</div>' in summary
    assert '<div class="value">1 / 2</div>' in summary
    assert '<div class="value">14.0 s</div>' in summary
    assert '<div class="value">96.5%</div>' in summary
    assert "4.0&times; real time" in summary
    assert f"posecheck {posecheck.__version__}" in page


def test_every_measured_series_has_a_plot_and_an_unmeasured_one_has_none(tmp_path: Path):
    page = render_html(make_report(tmp_path))
    checks = re.findall(r'<svg class="plot" data-check="([^"]+)"', page)
    assert checks == ["front-knee-90", "torso-upright", "hips-forward", "stance"]
    assert "not plotted: Arm reaching up." in page
    assert "target 90 ± 15°" in page and "target ≤ 20°" in page
    assert ">degrees</text>" in page and ">body lengths</text>" in page and ">ratio</text>" in page
    # The knee fails from 14 to 17 s: red over the line there and in the strip.
    knee = page[page.index('data-check="front-knee-90"') : page.index('data-check="torso-upright"')]
    assert 'class="fail-line"' in knee and "status-fail" in knee
    assert "status-unknown" in knee  # the unseen second
    assert knee.count('class="rep-span"') == 2


def test_a_gap_breaks_the_line(tmp_path: Path):
    page = render_html(make_report(tmp_path))
    knee = page[page.index('data-check="front-knee-90"') : page.index('data-check="torso-upright"')]
    (path,) = re.findall(r'<path id="plot0-line" d="([^"]+)"', knee)
    assert path.count("M") == 2  # one gap, two pieces
    stance = page[page.index('data-check="stance"') :]
    (path,) = re.findall(r'<path id="plot3-line" d="([^"]+)"', stance)
    assert path.count("M") == 5  # a gap every 200 frames of 900, the first at the start


def test_the_rep_table_has_a_row_per_rep(tmp_path: Path):
    page = render_html(make_report(tmp_path))
    assert page.count('class="rep-table"') == 1
    rows = re.findall(r'<tr class="rep-row" data-rep="(\d+)">(.*?)</tr>', page)
    assert [n for n, _ in rows] == ["1", "2"]
    first, second = (cells for _, cells in rows)
    assert "left" in first and "3.0&ndash;13.0 s" in first and "10.0 / 10 s" in first
    assert '<span class="yes">yes</span>' in first and "(90% of held)" in first
    assert "right" in second and '<span class="no">no</span>' in second
    assert "5.0 s (67% of held)" in second  # 5.0 s in form of 7.5 s held, as in to_json
    assert "Front knee at a right angle" in second  # the main fault, by label
    # Fault times are in seconds of the video, as in to_json.
    assert "14.0&ndash;17.0 s" in page and "18.5&ndash;19.5 s" in page
    assert "Move your front foot &lt;forward&gt;" in page
    assert '<span class="pct">55%</span>' in page


def test_text_from_data_is_escaped(tmp_path: Path):
    page = render_html(make_report(tmp_path))
    assert "<b>" not in page
    assert "Torso &lt;b&gt;upright&lt;/b&gt; &amp; tall" in page
    assert "Front knee &lt;too&gt; bent" in page


def test_a_snapshot_is_an_inline_jpeg(tmp_path: Path):
    report = make_report(tmp_path)
    page = render_html(report)
    assert page.count('class="snapshot"') == 1
    (encoded,) = re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert base64.b64decode(encoded) == report.snapshots[0].jpeg
    assert report.snapshots[0].jpeg.startswith(b"\xff\xd8")
    assert "15.2 s" in page


def test_no_person_and_no_reps_says_no_hold_was_started(tmp_path: Path):
    n = round(FPS * DURATION_S)
    empty = [
        Series("front-knee-90", "Front knee", "angle", "90 ± 15°", 75, 105,
               [i / FPS for i in range(n)], [None] * n, ["unknown"] * n),
    ]  # fmt: skip
    report = make_report(
        tmp_path,
        series=empty,
        reps=[],
        person_visible_pct=0.0,
        position_reached=False,
        snapshots=False,
    )
    page = render_html(report)
    assert (
        '<p class="no-reps">No hold was started. No person was found anywhere in the '
        "recording.</p>" in page
    )
    assert 'class="rep-table"' not in page and 'class="plot"' not in page
    assert "No check could be measured" in page and 'class="snapshot"' not in page


def test_no_reps_with_the_position_reached_says_why(tmp_path: Path):
    page = render_html(make_report(tmp_path, reps=[]))
    assert "No hold was started. The position was reached" in page


def test_a_long_series_is_downsampled(tmp_path: Path):
    n = 20_000  # over 10 minutes at 30 fps
    noisy: list[float | None] = [90 + 20 * math.sin(i / 7) for i in range(n)]
    noisy[12_345] = 175.0  # one frame's spike, far above the rest
    series = make_series("front-knee-90", "Front knee", "angle", "90 ± 15°", 75, 105, noisy)
    report = make_report(tmp_path, series=[series], duration_s=n / FPS, snapshots=False)
    page = render_html(report)
    assert len(page.encode()) < 40_000
    (path,) = re.findall(r'<path id="plot0-line" d="([^"]+)"', page)
    assert len(re.findall(r"[ML]", path)) <= 1500
    # The spike survives as its bucket's maximum: far above the next highest point.
    ys = sorted(float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)", path))
    assert ys[1] - ys[0] > 40


def test_a_ten_minute_report_stays_small(tmp_path: Path):
    n = round(600 * FPS)
    report = make_report(tmp_path, series=sample_series(n), duration_s=600.0)
    size = len(render_html(report).encode())
    assert size < 150_000, f"{size} bytes for four checks over 10 minutes"


def test_write_html_is_atomic(tmp_path: Path):
    out = tmp_path / "report.html"
    write_html(make_report(tmp_path), out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "snapshot.jpg"]
    with pytest.raises(InputError, match="no such folder"):
        write_html(make_report(tmp_path), tmp_path / "missing" / "report.html")


# --- in a real browser -------------------------------------------------------


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    path = folder / "report.html"
    write_html(make_report(folder), path)
    return path


@needs_chromium
def test_chromium_draws_the_report(page_file: Path, tmp_path: Path):
    png = tmp_path / "report.png"
    chromium(
        tmp_path,
        "--hide-scrollbars",
        "--window-size=1100,2400",
        f"--screenshot={png}",
        page_file.as_uri(),
    )
    assert png.is_file() and png.stat().st_size > 50_000
    image = video.read_image(png).astype(int)
    assert image.shape[:2] == (2400, 1100)
    b, g, r = image[..., 0], image[..., 1], image[..., 2]
    white = (b > 245) & (g > 245) & (r > 245)
    assert 0.5 < white.mean() < 0.97  # mostly white paper, but with content on it
    red = (r > 170) & (g < 90) & (b < 90)
    green = (g > 100) & (r < 80) & (b < 100)
    assert red.sum() > 300 and green.sum() > 300


@needs_chromium
def test_chromium_parses_the_plots_and_tables(page_file: Path, tmp_path: Path):
    dom = chromium(tmp_path, "--dump-dom", page_file.as_uri()).stdout
    assert len(re.findall(r'<svg class="plot" data-check="[^"]+"', dom)) == 4
    assert dom.count('class="rep-table"') == 1 and dom.count('class="rep-row"') == 2
    assert 'id="summary"' in dom and dom.count('class="snapshot"') == 1
    assert "<b>" not in dom


@needs_chromium
def test_chromium_prints_the_report_to_a_few_clean_pages(page_file: Path, tmp_path: Path):
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page_file.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    # The print stylesheet keeps plots, cards and rows whole: a few A4 pages, not dozens.
    assert 2 <= pages <= 8
