"""`posecheck batch` against `posecheck score --workers 1` run once per clip, one after another.

Cuts 20 short clips (about 1-2 s each, the longer side 640 px) from the samples,
then scores them, against the bridge, in three ways and times each:

1. `posecheck score CLIP --workers 1` for each clip in turn: a fresh process and
   model per clip, as a shell loop over an archive would;
2. `posecheck batch --engine local --workers 2` (a process pool);
3. `posecheck batch --engine ray --workers 2` (a local Ray with 2 CPUs; skipped
   when Ray is not installed), and with `--scaling` also a local Ray with 1 CPU:
   how throughput grows with the cores Ray is given (a stand-in for nodes).

It prints the wall time of each, the batch throughput in video-seconds per
wall-second and per core, and the ratio to (1) (target >= 1.7x on 2 cores),
with the load average before and after: other work on the machine slows every
number.

Run by hand from the project root:  python bench/batch.py [--clips N] [--cores N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, load_average

sys.path.insert(0, str(ROOT))
from tests import batch_inputs

CLI = [sys.executable, "-c", "from posecheck.cli import main; main()"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)


def sequential(clips: list[Path]) -> tuple[float, float]:
    """(wall seconds, video seconds) for `score --workers 1` once per clip."""
    started = time.perf_counter()
    video_s = 0.0
    for clip in clips:
        result = _run(
            "score", str(clip), "--stretch", "bridge", "--workers", "1", "--json", "--no-history"
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if lines:
            video_s += json.loads(lines[0])["video"]["duration_s"]
    return time.perf_counter() - started, video_s


def batch(folder: Path, out: Path, engine: str, cores: int) -> tuple[float, str]:
    started = time.perf_counter()
    result = _run(
        "batch", str(folder), "--stretch", "bridge", "--out", str(out),
        "--engine", engine, "--workers", str(cores),
    )  # fmt: skip
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"batch --engine {engine} failed: {result.stderr.strip()}")
    throughput = next(line for line in result.stdout.splitlines() if line.startswith("through"))
    return wall, throughput


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--scaling", action="store_true", help="also Ray on 1 CPU")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        clips = batch_inputs.clips(folder, args.clips, length_s=2.0)
        print(f"{len(clips)} clips in {folder}; load average {load_average()}")
        seq_wall, video_s = sequential(clips)
        print(
            f"score --workers 1, one after another: {seq_wall:.1f} s for {video_s:.1f} s "
            f"of video ({video_s / seq_wall:.2f} video-s per wall-s); load {load_average()}"
        )
        engines = ["local"] + (["ray"] if importlib.util.find_spec("ray") else [])
        runs = [(engine, args.cores) for engine in engines]
        if args.scaling and "ray" in engines:
            runs.append(("ray", 1))
        for engine, cores in runs:
            out = Path(tmp) / f"out-{engine}-{cores}"
            wall, throughput = batch(folder, out, engine, cores)
            print(
                f"batch --engine {engine} --workers {cores}: {wall:.1f} s (whole command), "
                f"{seq_wall / wall:.2f}x the sequential scores; {throughput}; "
                f"load {load_average()}"
            )
        if "ray" not in engines:
            print("ray: not installed (pip install -e '.[cluster]'), skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
