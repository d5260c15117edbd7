"""The stretch library: the bundled reference files and the user's own folders,
loaded together, with every problem of every file reported at once."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck import resources
from posecheck.catalog.fields import FileError, read_text, toml_files
from posecheck.catalog.schema import Reference, ReferenceError
from posecheck.catalog.stretches import parse_reference
from posecheck.errors import InputError

REFS_ENV = "POSECHECK_REFS"


def bundled_dir() -> Path:
    """The folder of the bundled stretch files: inside the package when installed
    from a wheel, else the checkout's reference_poses/stretches/."""
    return resources.find("reference_poses") / "stretches"


def user_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """The user's folders: ``extra`` (from --refs), then those in POSECHECK_REFS."""
    from_env = os.environ.get(REFS_ENV, "").split(os.pathsep)
    return [*extra, *(Path(entry) for entry in from_env if entry.strip())]


def load_file(path: Path, *, bundled: bool) -> Reference:
    """One reference file. Messages name a bundled file by its name, a user's by its path."""
    origin = path.name if bundled else str(path)
    try:
        text = read_text(path, origin, what="a reference file")
    except FileError as exc:
        raise ReferenceError(exc.problems) from None
    return parse_reference(text, origin, bundled=bundled)


def load_references(extra_dirs: Sequence[Path] = ()) -> dict[str, Reference]:
    """Every bundled reference, then the user's, keyed by id in that order.

    Raises ReferenceError listing the problems of every file at once.
    """
    problems: list[str] = []
    refs: dict[str, Reference] = {}

    def load(path: Path, *, bundled: bool) -> None:
        try:
            ref = load_file(path, bundled=bundled)
        except ReferenceError as exc:
            problems.extend(exc.problems)
            return
        # A user file never silently replaces another: the user would not
        # know which of the two was being judged against.
        earlier = refs.get(ref.id)
        if earlier is None:
            refs[ref.id] = ref
        elif earlier.bundled:
            problems.append(
                f"{ref.path}: id '{ref.id}' is already a bundled stretch; choose another id"
            )
        else:
            problems.append(
                f"{ref.path}: id '{ref.id}' is already used by {earlier.path}; choose another id"
            )

    bundled = bundled_dir()
    if not bundled.is_dir():
        problems.append(
            f"{bundled}: bundled reference poses not found; posecheck is not fully installed"
        )
    for path in toml_files(bundled):
        load(path, bundled=True)
    seen = {bundled.resolve()}
    for folder in user_dirs(extra_dirs):
        if not folder.is_dir():
            what = "not a folder" if folder.exists() else "no such folder"
            problems.append(f"{folder}: {what} (from --refs or {REFS_ENV})")
            continue
        # The same folder named twice (or the bundled one) would clash with itself.
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        for path in toml_files(folder):
            load(path, bundled=False)
    if problems:
        raise ReferenceError(problems)
    return refs


def get_reference(refs: Mapping[str, Reference], stretch_id: str) -> Reference:
    """The reference with this id; InputError, with a suggestion when one is close."""
    found = refs.get(stretch_id)
    if found is not None:
        return found
    close = difflib.get_close_matches(stretch_id, list(refs), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise InputError(
        f"unknown stretch '{stretch_id}'{hint}; run 'posecheck stretches' to list them"
    )


@dataclass(frozen=True)
class FileCheck:
    """One file (or folder) checked by `check_files`: its reference, or its problems."""

    path: Path
    reference: Reference | None
    problems: tuple[str, ...] = ()


def check_files(paths: Sequence[Path]) -> Iterator[FileCheck]:
    """Validate reference files, and the files in folders, as `--refs` would load them.

    Each file is judged on its own, and also against the ids taken before it
    (the bundled stretches first), so a file is told here about the clash that
    loading it would be rejected for. A folder without reference files is a
    problem too. A file named twice is checked once.
    """
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = toml_files(path)
        if not found:
            no_files = f"{path}: no reference files (*.toml) in this folder; check the path"
            yield FileCheck(path, None, (no_files,))
        files.extend(found)
    # Ids taken so far, and by which file.
    taken: dict[str, Path] = {}
    bundled = bundled_dir()
    for path in sorted(bundled.glob("*.toml")):
        try:
            taken.setdefault(load_file(path, bundled=True).id, path.resolve())
        except ReferenceError:
            continue  # a damaged bundled file is reported when it is checked itself
    checked: set[Path] = set()
    for file in files:
        if file.resolve() in checked:
            continue  # the same file named twice (a folder and a file in it)
        checked.add(file.resolve())
        try:
            ref = load_file(file, bundled=False)
        except ReferenceError as error:
            yield FileCheck(file, None, tuple(error.problems))
            continue
        earlier = taken.setdefault(ref.id, file.resolve())
        if earlier == file.resolve():
            yield FileCheck(file, ref)
        elif earlier.parent == bundled.resolve():
            clash = f"{file}: id '{ref.id}' is already a bundled stretch; choose another id"
            yield FileCheck(file, None, (clash,))
        else:
            clash = f"{file}: id '{ref.id}' is already used by {earlier}; choose another id"
            yield FileCheck(file, None, (clash,))
