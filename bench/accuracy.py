"""How often `posecheck check` gets the labelled photos right.

Runs the real model on every photo in ../shared/data/fedb/labels.csv and checks
it against every stretch that has a reference file, then reports:

- hit rate: photos labelled in_position=yes, checked against their own
  stretch, that come out aligned (target: at least 80%);
- false-alignment rate: every other pairing (photos labelled no, and any photo
  checked against another stretch) that comes out aligned (target: at most 10%);
- each miss and each false alignment with the reason posecheck gives.

Rows labelled unsure are left out. Run by hand from the project root:
    python bench/accuracy.py [--markdown]
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass

from common import FEDB

from posecheck import video
from posecheck.checks import Status, Verdict, evaluate
from posecheck.estimator import PoseEstimator
from posecheck.reference import load_references

DATA = FEDB


@dataclass(frozen=True)
class Row:
    file: str
    stretch: str
    in_position: str


def reason(verdict: Verdict) -> str:
    """One line on why a verdict is not aligned (or what it measured)."""
    if not verdict.person:
        return "no person found"
    failed_gates = [g.id for g in verdict.gates if not g.passed]
    if failed_gates:
        return f"gate {failed_gates[0]} not met (seen as {verdict.view} view, {verdict.position})"
    parts = []
    for r in verdict.results:
        if r.status == Status.FAIL and r.value is not None:
            parts.append(f"{r.check.id} {r.value:.2f} outside its range")
        elif r.status == Status.UNKNOWN:
            parts.append(f"{r.check.id} not seen")
    return "; ".join(parts) or "all checks passed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the lists as Markdown")
    args = parser.parse_args()
    labels = DATA / "labels.csv"
    if not labels.is_file():
        raise SystemExit(f"{labels}: not found; run from a checkout with ../shared beside it")
    with labels.open(newline="") as f:
        rows = [Row(r["file"], r["stretch"], r["in_position"]) for r in csv.DictReader(f)]
    references = load_references()

    hits: list[str] = []
    misses: list[str] = []
    false_alignments: list[str] = []
    other_pairs = 0
    with PoseEstimator("image") as estimator:
        for row in rows:
            if row.in_position == "unsure":
                continue
            pose = estimator.detect(video.read_image(DATA / row.file)).pose
            for stretch_id, reference in references.items():
                verdict = evaluate(pose, reference)
                if row.stretch == stretch_id and row.in_position == "yes":
                    line = f"{row.file} as {stretch_id}: {reason(verdict)}"
                    (hits if verdict.aligned else misses).append(line)
                else:
                    other_pairs += 1
                    if verdict.aligned:
                        false_alignments.append(
                            f"{row.file} ({row.stretch}, {row.in_position}) as {stretch_id}"
                        )

    positives = len(hits) + len(misses)
    bullet = "- " if args.markdown else "  "
    print(f"references: {len(references)}; photos: {len(rows)}")
    print(
        f"hit rate: {len(hits)}/{positives} = {len(hits) / max(1, positives):.0%} (target >= 80%)"
    )
    print(
        f"false-alignment rate: {len(false_alignments)}/{other_pairs} = "
        f"{len(false_alignments) / max(1, other_pairs):.1%} (target <= 10%)"
    )
    print("misses:")
    for line in misses:
        print(f"{bullet}{line}")
    print("false alignments:")
    for line in false_alignments or ["none"]:
        print(f"{bullet}{line}")


if __name__ == "__main__":
    main()
