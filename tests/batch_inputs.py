"""Short clips for the batch tests and bench: cut from the project's samples with
PyAV (re-encoded, so each clip starts on a key frame), plus a corrupt file."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
VIDEOS = (SAMPLES / "sports2d_demo.mp4", SAMPLES / "pose2sim_cam01_portrait.mp4")
RECORDING = SAMPLES / "bridge_from_stills.jsonl"


def cut_clip(
    source: Path, target: Path, start_s: float, length_s: float, longest_px: int = 640
) -> Path:
    """``length_s`` seconds of ``source`` from ``start_s``, as an H.264 .mp4 whose
    longer side is at most ``longest_px`` (small clips are quick to make)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(source)) as src, av.open(str(target), "w") as dst:
        stream_in = src.streams.video[0]
        rate = Fraction(stream_in.average_rate or 30).limit_denominator(1000)
        stream_out = dst.add_stream("libx264", rate=rate)
        width, height = stream_in.codec_context.width, stream_in.codec_context.height
        scale = min(1.0, longest_px / max(width, height))
        stream_out.width = int(width * scale) // 2 * 2
        stream_out.height = int(height * scale) // 2 * 2
        stream_out.pix_fmt = "yuv420p"
        stream_out.options = {"preset": "ultrafast"}
        index = 0
        for frame in src.decode(stream_in):
            if frame.time is None or frame.time < start_s:
                continue
            if frame.time >= start_s + length_s:
                break
            picture = frame.reformat(
                width=stream_out.width, height=stream_out.height, format="yuv420p"
            )
            picture.pts = index
            picture.time_base = 1 / rate
            index += 1
            for packet in stream_out.encode(picture):
                dst.mux(packet)
        for packet in stream_out.encode():
            dst.mux(packet)
    return target


def clips(folder: Path, count: int, length_s: float = 2.0) -> list[Path]:
    """``count`` different clips, taken in turn from the sample videos at growing offsets."""
    made = []
    for i in range(count):
        source = VIDEOS[i % len(VIDEOS)]
        with av.open(str(source)) as container:
            duration_s = float(container.duration or 0) / 1e6
        start = ((i // len(VIDEOS)) * 0.3) % max(duration_s - 0.5, 0.3)
        made.append(cut_clip(source, folder / f"clip{i:02d}.mp4", start, length_s))
    return made


def corrupt(path: Path) -> Path:
    """A file named like a video that holds no video."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    return path


def recording_copy(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RECORDING, path)
    return path
