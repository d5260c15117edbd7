"""Measure the error band of each check kind: how far a check's value moves when
the same pose is photographed again.

Runs the real model on every labelled photo in ../shared/data/fedb and on eight
re-photographs of it (mirrored, scaled 0.7 and 1.3, rotated -10 and +10
degrees, brightness -30% and +30%, cropped to the body), then, for every
reference whose gates the original passes (so its checks are measured in a
setting they are meant for), records each check's value on all nine. The
spread of one check on one photo is each value's distance from their median;
the table gives its 50th, 75th and 90th percentiles by check kind and camera
view, and separately for values standing on faintly seen landmarks. The 75th
percentile of the "all" rows is the band posecheck.form.checks.ERROR_BANDS holds
(by view where there are at least 50 values, else over all views).

Run by hand from the project root (about 460 model runs):
    python bench/error_bands.py
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

import numpy as np
from common import FEDB, cpu_name, labelled_rows, use_tests_helpers

from posecheck.body.landmarks import VISIBLE, Pose
from posecheck.catalog.reference import Check, load_references
from posecheck.form import points
from posecheck.form.checks import evaluate
from posecheck.io import video
from posecheck.io.estimator import PoseEstimator

use_tests_helpers()
from tests.photo_transforms import transforms  # noqa: E402


def uses_faint(pose: Pose, check: Check, roles: dict[str, str]) -> bool:
    groups = points.seen_groups(pose, check.points + (check.unit or ()), roles)
    return any(pose.visibility[lm] < VISIBLE for g in groups for lm in g)


def main() -> None:
    started = time.perf_counter()
    references = load_references()
    spreads: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    faint: dict[tuple[str, str], list[float]] = defaultdict(list)
    runs = 0
    with PoseEstimator("image") as estimator:
        for row in labelled_rows():
            image = video.read_image(FEDB / row["file"])
            original = estimator.detect(image).pose
            runs += 1
            if original is None:
                continue
            versions = [original]
            for make in transforms(original.bbox_px()).values():
                runs += 1
                versions.append(estimator.detect(make(image)).pose)
            for reference in references.values():
                first = evaluate(original, reference)
                if not all(g.passed for g in first.gates):
                    continue
                values: dict[str, list[float]] = defaultdict(list)
                faint_ids: set[str] = set()
                for pose in versions:
                    if pose is None:
                        continue
                    verdict = evaluate(pose, reference)
                    for r in verdict.results:
                        if r.value is None:
                            continue
                        values[r.check.id].append(r.value)
                        if uses_faint(pose, r.check, dict(verdict.roles)):
                            faint_ids.add(r.check.id)
                for result in first.results:
                    found = values.get(result.check.id, [])
                    if len(found) < 3:
                        continue
                    middle = statistics.median(found)
                    distances = [abs(v - middle) for v in found]
                    kind = str(result.check.kind)
                    own = row["stretch"] == reference.id
                    for scope in ("own", "all") if own else ("all",):
                        spreads[(scope, kind, str(first.view))].extend(distances)
                        spreads[(scope, kind, "any")].extend(distances)
                        if result.check.id in faint_ids:
                            faint[(scope, kind)].extend(distances)
    elapsed = time.perf_counter() - started
    print(f"{runs} model runs in {elapsed:.0f} s on {cpu_name()}")
    print("own: each photo against its labelled stretch; all: every stretch whose gates pass")
    print("| pairs | kind | view | values | p50 | p75 | p90 |")
    print("|---|---|---|---|---|---|---|")
    for (scope, kind, view), found in sorted(spreads.items()):
        p50, p75, p90 = np.percentile(found, [50, 75, 90])
        print(f"| {scope} | {kind} | {view} | {len(found)} | {p50:.3f} | {p75:.3f} | {p90:.3f} |")
    for (scope, kind), found in sorted(faint.items()):
        p50, p75, p90 = np.percentile(found, [50, 75, 90])
        print(
            f"| {scope} | {kind} | faint (0.3-0.5) | {len(found)} "
            f"| {p50:.3f} | {p75:.3f} | {p90:.3f} |"
        )


if __name__ == "__main__":
    main()
