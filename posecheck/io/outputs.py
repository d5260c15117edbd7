"""Output paths, decided and checked before any work starts.

A user can point an output at an input, give two outputs the same name, or
pass two inputs whose file names match (``d1/clip.mp4 d2/clip.mp4``). Each of
those would silently destroy data if found only when the file is written, and
a bad destination found after minutes of scoring throws the work away. So the
commands plan every output first: `unique_labels` gives each input a name
that no other input shares, and `check_outputs` lists every problem, one line
each, before a frame is read.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path


def _identity(path: Path) -> Path:
    """A path as the file system sees it, so ``./a.mp4`` and ``a.mp4`` compare equal."""
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.expanduser().absolute()


def unique_labels(paths: Sequence[Path]) -> list[str]:
    """A short name per path, distinct across ``paths``, for naming derived outputs.

    Usually the file's stem. Where stems clash, parent folders are added until
    the names differ (``d1-clip``, ``d2-clip``); where whole paths clash but for
    the suffix, the suffix is added (``clip-mp4``); the same path given twice
    gets a number (``clip-2``).
    """
    resolved = [_identity(p) for p in paths]
    parts = [(*r.parent.parts[1:], r.stem) for r in resolved]
    # Files that differ only by suffix (clip.mp4, clip.jsonl) keep it in their name.
    by_parts = Counter(parts[i] for i in set(range(len(paths))) if resolved[i] not in resolved[:i])
    parts = [
        (*pt[:-1], f"{pt[-1]}-{r.suffix.lstrip('.').lower()}")
        if by_parts[pt] > 1 and r.suffix
        else pt
        for pt, r in zip(parts, resolved, strict=True)
    ]
    depth = [1] * len(paths)

    def label(i: int) -> str:
        return "-".join(parts[i][-depth[i] :])

    while True:
        groups: dict[str, set[tuple[str, ...]]] = {}
        for i in range(len(paths)):
            groups.setdefault(label(i), set()).add(parts[i])
        # Grow only where another, different path shares the name.
        growable = [
            i for i in range(len(paths)) if len(groups[label(i)]) > 1 and depth[i] < len(parts[i])
        ]
        if not growable:
            break
        for i in growable:
            depth[i] += 1
    seen: Counter[str] = Counter()
    out = []
    for i in range(len(paths)):
        name = label(i)
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def derived(path: Path, label: str) -> Path:
    """``report.html`` for one input named ``clip1`` -> ``report-clip1.html``."""
    return path.with_name(f"{path.stem}-{label}{path.suffix}")


def folder_problem(folder: Path) -> str | None:
    """Why nothing can be written into ``folder``, or None when it is usable.

    Writing a real temporary file is the only honest probe: permission bits do
    not bind root, and folders such as ``/proc`` refuse files whatever they say.
    """
    if not folder.exists():
        return "no such folder; create it first or pick another output"
    if not folder.is_dir():
        return "is not a folder; pick another output"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".posecheck-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return f"cannot write files here ({reason.lower()}); pick another output"
    return None


def check_outputs(inputs: Sequence[Path], outputs: Mapping[str, Path]) -> list[str]:
    """Every reason the planned ``outputs`` (option name -> path) cannot be written.

    One line per problem: an output that is one of the inputs, two outputs with
    the same path, a destination whose folder is missing or not writable, or
    a destination that is a folder.
    """
    problems: list[str] = []
    input_ids = {_identity(p): p for p in inputs}
    first_use: dict[Path, str] = {}
    for option, path in outputs.items():
        identity = _identity(path)
        if identity in input_ids:
            problems.append(
                f"{path}: {option} would overwrite the input {input_ids[identity]}; "
                "pick another name"
            )
            continue
        if identity in first_use:
            problems.append(
                f"{path}: given to both {first_use[identity]} and {option}; "
                "give each output its own name"
            )
            continue
        first_use[identity] = option
        if path.is_dir():
            problems.append(f"{path}: {option} names a folder; give a file name")
            continue
        reason = folder_problem(path.parent if str(path.parent) else Path(os.curdir))
        if reason is not None:
            problems.append(f"{path}: {option} {reason}")
    return problems
