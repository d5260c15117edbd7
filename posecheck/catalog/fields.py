"""A validated reader for TOML files written by people: stretch files today,
routine files next.

Reading a file goes through the same guards whatever it holds (size, UTF-8,
nesting, digits). `Fields` then reads one field at a time with its type and
bounds, collecting every problem as one line naming the file and the field,
so a user fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from datetime import date, time
from pathlib import Path

from posecheck.errors import PosecheckError

# A file of this kind is a few kilobytes; refuse to read one far larger whole.
MAX_FILE_BYTES = 1 << 20
# Any number in a file beyond this is a typo; compared before float maths.
LARGEST = 10**9

_KEBAB_CASE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class FileError(PosecheckError):
    """Every problem found in one or more files; each is one full line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- showing values in messages ---------------------------------------------------


def toml_type(value: object) -> str:
    # bool first: it is a subclass of int.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, date | time):
        return "datetime"
    return type(value).__name__


def shown(value: object) -> str:
    """A value as it reads in TOML; arrays and tables by their type only."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**15:
        article = "a negative" if value < 0 else "an"
        return f"{article} integer of {len(str(abs(value)))} digits"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return toml_type(value)


def one_line(text: str) -> str:
    """A problem as one line: values quoted from the file can hold newlines and other
    control characters, which are shown escaped (``\\n``) instead."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def described(value: object) -> str:
    """Type and value, for a value of the wrong type: ``integer 3``, ``table``."""
    kind, text = toml_type(value), shown(value)
    return kind if text == kind else f"{kind} {text}"


def join(table_path: str, key: str) -> str:
    return f"{table_path}.{key}" if table_path else key


def listed(names: Sequence[str]) -> str:
    return ", ".join(names)


# --- reading a file ----------------------------------------------------------------


def parse_toml(text: str, origin: str) -> dict[str, object]:
    """The TOML document in ``text``; FileError with one line when it is not valid."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileError([f"{origin}: not valid TOML ({exc})"]) from None
    except RecursionError:
        raise FileError(
            [f"{origin}: not valid TOML (arrays or tables nested too deeply)"]
        ) from None
    except ValueError:
        # tomllib lets Python's limit on integer digits (4300) through as a bare ValueError.
        raise FileError([f"{origin}: not valid TOML (a number with too many digits)"]) from None


def read_text(path: Path, origin: str, *, what: str) -> str:
    """A small UTF-8 file's text; ``what`` names the kind of file in the size message."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FileError([f"{origin}: no such file"]) from None
    except OSError as exc:
        raise FileError([f"{origin}: cannot be read ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FileError(
            [f"{origin}: larger than {MAX_FILE_BYTES // 1024} KiB, too large for {what}"]
        )
    try:
        # utf-8-sig: some Windows editors start UTF-8 files with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError([f"{origin}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


def toml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


# --- reading fields ----------------------------------------------------------------


class Fields:
    """Reads the fields of one file's parsed TOML, collecting every problem rather
    than stopping.

    Each reader takes the table, its path in the file ("" for the top level,
    ``checks[2]`` for an array item) and the key. It returns None when the
    field has a problem (already recorded), so the caller goes on to the next.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []

    # --- recording problems

    def bad(self, path: str, text: str) -> None:
        """A problem with one field: ``checks[2].tolerance_deg must be > 0 (got -5)``."""
        self.problems.append(one_line(f"{self.origin}: {path} {text}"))

    def note(self, table_path: str, text: str) -> None:
        """A problem with a table as a whole, such as a missing field; "" is the file."""
        where = f"{table_path}: " if table_path else ""
        self.problems.append(one_line(f"{self.origin}: {where}{text}"))

    def missing(self, table_path: str, key: str, hint: str) -> None:
        self.note(table_path, f"missing field '{key}' ({hint})")

    def unknown_fields(
        self, table: Mapping[str, object], table_path: str, known: Collection[str]
    ) -> None:
        for key in table:
            if key not in known:
                self.note(table_path, f"unknown field '{key}'")

    # --- reading one field

    def table(
        self, table: Mapping[str, object], table_path: str, key: str, *, hint: str
    ) -> Mapping[str, object] | None:
        """A required sub-table, such as ``[prescription]``."""
        if key not in table:
            self.missing(table_path, key, hint)
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.bad(join(table_path, key), f"must be a table (got {described(value)})")
            return None
        return value

    def text(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        required: bool = True,
        hint: str = "a string",
    ) -> str | None:
        if key not in table:
            if required:
                self.missing(table_path, key, hint)
            return None
        value, path = table[key], join(table_path, key)
        if not isinstance(value, str):
            self.bad(path, f"must be a string (got {described(value)})")
            return None
        if not value.strip():
            self.bad(path, f"must not be empty (got {shown(value)})")
            return None
        return value

    def number(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        required: bool = True,
        positive: bool = False,
        most: float | None = None,
        hint: str = "a number",
    ) -> float | None:
        """The number as written: an int stays an int so messages show ``-5``, not ``-5.0``.

        ``most`` bounds it above (and, when it may be negative, below by ``-most``).
        """
        if key not in table:
            if required:
                self.missing(table_path, key, hint)
            return None
        value, path = table[key], join(table_path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, f"must be a number (got {described(value)})")
            return None
        if isinstance(value, int) and abs(value) > LARGEST:
            # Compared as an int: math.isfinite would overflow on a 400-digit integer.
            self.bad(path, f"must be a number of sensible size (got {shown(value)})")
            return None
        if not math.isfinite(value):
            self.bad(path, f"must be a finite number (got {shown(value)})")
            return None
        if positive and value <= 0:
            self.bad(path, f"must be > 0 (got {shown(value)})")
            return None
        if most is not None and (value > most or (not positive and value < -most)):
            within = f"at most {most:g}" if positive else f"between {-most:g} and {most:g}"
            self.bad(path, f"must be {within} (got {shown(value)})")
            return None
        return value

    def integer(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        minimum: int,
        maximum: int,
        hint: str,
    ) -> int | None:
        if key not in table:
            self.missing(table_path, key, hint)
            return None
        value, path = table[key], join(table_path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, f"must be an integer (got {described(value)})")
            return None
        if value < minimum:
            self.bad(path, f"must be >= {minimum} (got {shown(value)})")
            return None
        if value > maximum:
            self.bad(path, f"must be at most {maximum} (got {shown(value)})")
            return None
        return value

    def boolean(
        self, table: Mapping[str, object], table_path: str, key: str, *, required: bool
    ) -> bool | None:
        if key not in table:
            if required:
                self.missing(table_path, key, "a boolean, true or false")
            return None
        value = table[key]
        if not isinstance(value, bool):
            self.bad(join(table_path, key), f"must be a boolean (got {described(value)})")
            return None
        return value

    def choice(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        choices: Sequence[str],
        *,
        required: bool = True,
    ) -> str | None:
        if key not in table:
            if required:
                self.missing(table_path, key, f"one of {listed(choices)}")
            return None
        value = table[key]
        if not isinstance(value, str) or value not in choices:
            got = shown(value) if isinstance(value, str) else described(value)
            self.bad(join(table_path, key), f"must be one of {listed(choices)} (got {got})")
            return None
        return value

    def array(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        *,
        of: str,
        required: bool = True,
        hint: str = "",
    ) -> list[object] | None:
        if key not in table:
            if required:
                self.missing(table_path, key, hint or f"an array of {of}")
            return None
        value = table[key]
        if not isinstance(value, list):
            self.bad(join(table_path, key), f"must be an array of {of} (got {described(value)})")
            return None
        return value

    def members(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str,
        choices: Sequence[str],
        *,
        required: bool = True,
        chosen_from: str = "",
    ) -> list[str] | None:
        """A non-empty array of distinct strings from ``choices``.

        ``chosen_from`` names where the choices come from, when that is not
        the format itself (a check's views come from the file's view).
        """
        items = self.array(
            table,
            table_path,
            key,
            of="strings",
            required=required,
            hint=f"an array of strings from {listed(choices)}",
        )
        if items is None:
            return None
        path = join(table_path, key)
        if not items:
            self.bad(path, f"must not be empty (valid: {listed(choices)})")
            return None
        found: dict[str, int] = {}
        ok = True
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, str):
                self.bad(where, f"must be a string (got {described(item)})")
            elif item not in choices and chosen_from:
                self.bad(where, f"'{item}' is not in {chosen_from} ({listed(choices)})")
            elif item not in choices:
                self.bad(where, f"must be one of {listed(choices)} (got '{item}')")
            elif item in found:
                self.bad(where, f"'{item}' is listed twice (also {path}[{found[item]}])")
            else:
                found[item] = i
                continue
            ok = False
        return list(found) if ok else None

    def kebab_id(
        self,
        table: Mapping[str, object],
        table_path: str,
        key: str = "id",
        *,
        hint: str = "a kebab-case string",
    ) -> str | None:
        value = self.text(table, table_path, key, hint=hint)
        if value is not None and not _KEBAB_CASE.fullmatch(value):
            self.bad(
                join(table_path, key),
                f"must be kebab-case, lowercase letters and digits joined by '-' (got '{value}')",
            )
            return None
        return value
