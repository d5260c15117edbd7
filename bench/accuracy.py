"""How well the form checks do on real photos and real bodies.

Runs the real model on every photo in ../shared/data/fedb/labels.csv and reads
the 40 real-body landmark records in ../shared/data/realposes (photos of other
people that cannot be shared), checks each against every stretch that has a
reference file, and reports, per stretch and overall:

- sensitivity: poses labelled in good form (in_position=yes) for that stretch
  that come out aligned on it (target on unseen people: at least 90%); a
  phased stretch counts as aligned on any one of its phases. Stretches with
  no such pose show "-": their own checks are tested on built bodies only
  (tests/test_stretch_catalog.py);
- false accepts: every other pairing judged against that stretch (photos
  labelled no, and any pose checked against another stretch) that comes out
  aligned (target: at most 5%);
- the borderline share: of the correct poses aligned, how many lean on a
  borderline check, and of all their judged checks, how many are borderline;
- robustness: the share of verdicts (aligned or not, every photo against every
  stretch) unchanged when the photo is mirrored, scaled 0.7 and 1.3, rotated
  -10 and +10 degrees, made 30% darker or brighter, or cropped to the body;
- each miss and each false accept with the reason posecheck gives;
- recognition (`--stretch auto`): top-1 on the poses in good form whose
  stretch is in the catalog, and the share of poses labelled none (not a
  catalog stretch) recognised as none, with each miss.

Rows labelled unsure are left out. Run by hand from the project root (about
460 model runs):
    python bench/accuracy.py [--markdown] [--no-robustness]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from common import FEDB, cpu_name, labelled_rows, use_tests_helpers

from posecheck.body.landmarks import Pose
from posecheck.catalog.reference import Reference, load_references
from posecheck.form.checks import Status, Verdict, evaluate, restrict
from posecheck.form.recognize import recognize
from posecheck.io import video
from posecheck.io.estimator import PoseEstimator

use_tests_helpers()
from tests.photo_transforms import transforms  # noqa: E402
from tests.realposes import REAL, load_real_poses  # noqa: E402


@dataclass(frozen=True)
class Sample:
    source: str  # "fedb" (studio photos) or "real" (real-body records)
    name: str
    stretch: str
    in_position: str
    pose: Pose | None


def reason(verdict: Verdict) -> str:
    """One line on why a verdict is not aligned (or what it measured)."""
    if not verdict.person:
        return "no person found"
    failed_gates = [g.id for g in verdict.gates if not g.passed]
    if failed_gates:
        return f"gate {failed_gates[0]} not met (seen as {verdict.view} view, {verdict.position})"
    parts = []
    for r in verdict.results:
        if r.check.advice:
            continue
        if r.status in (Status.FAIL, Status.BORDERLINE) and r.value is not None:
            parts.append(f"{r.check.id} {r.value:.2f} {r.status}")
        elif r.status == Status.UNKNOWN:
            parts.append(f"{r.check.id} not seen")
    return "; ".join(parts) or "all checks passed"


def phase_judged(verdict: Verdict, reference: Reference) -> Verdict:
    """The verdict of a phased stretch as the first phase it is aligned on judges it
    (a photo shows one moment of it); other stretches' verdicts unchanged."""
    if not reference.phases:
        return verdict
    phased = [restrict(verdict, p.checks) for p in reference.phases]
    return next((v for v in phased if v.aligned), phased[0])


@dataclass
class Tally:
    positives: int = 0
    aligned: int = 0
    others: int = 0
    false_accepts: int = 0

    def sensitivity(self) -> str:
        if not self.positives:
            return "-"
        return f"{self.aligned}/{self.positives} = {self.aligned / self.positives:.0%}"

    def false_rate(self) -> str:
        return (
            f"{self.false_accepts}/{self.others} = {self.false_accepts / max(1, self.others):.1%}"
        )


def judge_all(
    samples: list[Sample], references: dict[str, Reference]
) -> tuple[dict[tuple[str, str], Tally], list[str], list[str], Counter[str]]:
    """Tallies keyed by (source, stretch), the misses, the false accepts, borderline counts."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    misses: list[str] = []
    false_accepts: list[str] = []
    borderline: Counter[str] = Counter()
    for sample in samples:
        for stretch_id, reference in references.items():
            verdict = phase_judged(evaluate(sample.pose, reference), reference)
            tally = tallies[(sample.source, stretch_id)]
            if sample.stretch == stretch_id and sample.in_position == "yes":
                tally.positives += 1
                if verdict.aligned:
                    tally.aligned += 1
                    judged = [
                        r
                        for r in verdict.results
                        if not r.check.advice and r.status != Status.UNKNOWN
                    ]
                    leaning = [r for r in judged if r.status == Status.BORDERLINE]
                    borderline["aligned"] += 1
                    borderline["aligned with a borderline check"] += bool(leaning)
                    borderline["checks judged"] += len(judged)
                    borderline["checks borderline"] += len(leaning)
                else:
                    misses.append(f"{sample.name} as {stretch_id}: {reason(verdict)}")
            else:
                tally.others += 1
                if verdict.aligned:
                    tally.false_accepts += 1
                    false_accepts.append(
                        f"{sample.name} ({sample.stretch}, {sample.in_position}) as {stretch_id}"
                    )
    return tallies, misses, false_accepts, borderline


def recognition_lines(samples: list[Sample], references: dict[str, Reference]) -> list[str]:
    """Recognition (`--stretch auto`): top-1 on poses held in good form whose stretch is
    in the catalog, and the share of non-catalog poses (labelled none) recognised as
    none; each miss with what was recognised and the closest candidates."""
    lines: list[str] = []
    misses: list[str] = []
    for source in ("fedb", "real", "all"):
        chosen = [s for s in samples if source in ("all", s.source)]
        held = [s for s in chosen if s.in_position == "yes" and s.stretch in references]
        others = [s for s in chosen if s.stretch == "none"]
        right = none_right = 0
        for sample in held + others:
            result = recognize(sample.pose, references)
            expected = sample.stretch if sample.stretch in references else None
            if result.stretch == expected:
                right += sample in held
                none_right += sample in others
            elif source != "all":
                closest = ", ".join(
                    f"{c.stretch} {c.match:.2f}{' aligned' if c.aligned else ''}"
                    for c in result.candidates[:3]
                )
                misses.append(
                    f"{sample.name} ({sample.stretch}): recognised as "
                    f"{result.stretch or 'none'}; closest {closest}"
                )
        top1 = f"{right}/{len(held)} = {right / max(1, len(held)):.0%}"
        none_rate = f"{none_right}/{len(others)} = {none_right / max(1, len(others)):.0%}"
        lines.append(f"{source}: top-1 {top1} (target >= 90%); none as none {none_rate}")
    return [*lines, "recognition misses:", *(misses or ["none"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the lists as Markdown")
    parser.add_argument(
        "--no-robustness", action="store_true", help="skip the re-photographed runs"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    every_row = labelled_rows()
    rows = [r for r in every_row if r["in_position"] != "unsure"]
    references = load_references()
    real = load_real_poses()
    if not real:
        print(f"note: {REAL} not found; real-body records left out")

    samples: list[Sample] = []
    unchanged: Counter[str] = Counter()
    compared: Counter[str] = Counter()
    runs = 0
    recognition_compared = recognition_unchanged = 0
    recognition_flips: Counter[str] = Counter()
    with PoseEstimator("image") as estimator:
        for row in rows:
            image = video.read_image(FEDB / row["file"])
            pose = estimator.detect(image).pose
            runs += 1
            samples.append(Sample("fedb", row["file"], row["stretch"], row["in_position"], pose))
            if args.no_robustness or pose is None:
                continue
            first = {
                sid: phase_judged(evaluate(pose, ref), ref).aligned
                for sid, ref in references.items()
            }
            recognised = recognize(pose, references).stretch
            for name, make in transforms(pose.bbox_px()).items():
                again = estimator.detect(make(image)).pose
                runs += 1
                recognition_compared += 1
                now = recognize(again, references).stretch
                recognition_unchanged += now == recognised
                if now != recognised:
                    recognition_flips[f"{recognised or 'none'} -> {now or 'none'}"] += 1
                for sid, ref in references.items():
                    same = phase_judged(evaluate(again, ref), ref).aligned == first[sid]
                    own = row["stretch"] == sid and row["in_position"] == "yes"
                    for key in (name, "all", *(("correct poses, own stretch",) if own else ())):
                        compared[key] += 1
                        unchanged[key] += same
    samples += [Sample("real", r.id, r.stretch, r.in_position, r.pose) for r in real]
    tallies, misses, false_accepts, borderline = judge_all(samples, references)
    elapsed = time.perf_counter() - started

    bullet = "- " if args.markdown else "  "
    print(
        f"references: {len(references)}; studio photos: {len(every_row)} "
        f"({len(every_row) - len(rows)} labelled unsure, left out); real bodies: {len(real)}"
    )
    print(f"{runs} model runs in {elapsed:.0f} s on {cpu_name()}")
    print()
    print("| stretch | sensitivity, studio | sensitivity, real | false accepts (all poses) |")
    print("|---|---|---|---|")
    total: dict[str, Tally] = defaultdict(Tally)
    for stretch_id in references:
        studio, body = tallies[("fedb", stretch_id)], tallies[("real", stretch_id)]
        both = Tally(
            studio.positives + body.positives,
            studio.aligned + body.aligned,
            studio.others + body.others,
            studio.false_accepts + body.false_accepts,
        )
        for source, t in (("fedb", studio), ("real", body), ("all", both)):
            total[source].positives += t.positives
            total[source].aligned += t.aligned
            total[source].others += t.others
            total[source].false_accepts += t.false_accepts
        print(
            f"| {stretch_id} | {studio.sensitivity()} | {body.sensitivity()} "
            f"| {both.false_rate()} |"
        )
    print(
        f"| **all** | {total['fedb'].sensitivity()} | {total['real'].sensitivity()} "
        f"| {total['all'].false_rate()} |"
    )
    print()
    print(f"sensitivity, studio and real together: {total['all'].sensitivity()} (target >= 90%)")
    print(
        f"false accepts: studio {total['fedb'].false_rate()}, real {total['real'].false_rate()}, "
        f"together {total['all'].false_rate()} (target <= 5%)"
    )
    print(
        f"borderline: {borderline['aligned with a borderline check']} of "
        f"{borderline['aligned']} aligned correct poses lean on a borderline check; "
        f"{borderline['checks borderline']} of {borderline['checks judged']} of their "
        "judged checks are borderline"
    )
    if compared:
        print("robustness, verdicts unchanged when the studio photo is re-photographed:")
        for key in sorted(compared, key=lambda k: (k != "all", k)):
            print(
                f"{bullet}{key}: {unchanged[key]}/{compared[key]} = "
                f"{unchanged[key] / compared[key]:.1%}"
            )
    print("misses:")
    for line in misses or ["none"]:
        print(f"{bullet}{line}")
    print("false accepts:")
    for line in false_accepts or ["none"]:
        print(f"{bullet}{line}")
    print()
    print("recognition (--stretch auto):")
    for line in recognition_lines(samples, references):
        print(f"{bullet}{line}")
    if recognition_compared:
        print(
            f"{bullet}recognised stretch unchanged when a studio photo is re-photographed: "
            f"{recognition_unchanged}/{recognition_compared} = "
            f"{recognition_unchanged / recognition_compared:.1%}; the changes: "
            + ", ".join(f"{k} ({n})" for k, n in recognition_flips.most_common())
        )


if __name__ == "__main__":
    main()
