"""Writing a file whole or not at all, the one way every output is written.

An output is first written to a hidden temporary file beside its target (same
folder, so the final rename is atomic), then renamed onto the target. A run
that fails, or is stopped by Ctrl-C or SIGTERM, deletes the temporary file and
leaves the target as it was. `Partial` does this for the writers that stream
(video, CSV, recordings); `write` does it for a whole text or byte string.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from posecheck.errors import InputError


def partial_path(path: Path, *, keep_suffix: bool = False) -> Path:
    """The hidden temporary file for ``path``: ``.name.partial``, or with
    ``keep_suffix`` ``.stem.partial.suffix`` for writers (cv2) that choose the
    format by the file's suffix."""
    if keep_suffix:
        return path.with_name(f".{path.stem}.partial{path.suffix}")
    return path.with_name(f".{path.name}.partial")


def check_folder(path: Path, option: str = "output") -> None:
    """`InputError` unless the folder ``path`` goes into exists."""
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder; create it first or pick another {option}")


def cannot(path: Path, error: OSError, option: str = "output", verb: str = "written") -> InputError:
    """The one-line error for an output that the system refused."""
    reason = error.strerror or type(error).__name__
    return InputError(f"{path}: cannot be {verb} ({reason}); pick another {option}")


class Partial:
    """A target file and its hidden temporary, for a ``with`` block.

    Write to ``temp`` inside the block. When the block ends cleanly the
    temporary is renamed onto ``path`` (if the block created it: a writer that
    wrote nothing leaves no file). When it ends with an exception the temporary
    is deleted, unless ``keep_on_error`` is set, for outputs where what was
    written so far is worth more than nothing (a recorded session). A failed
    rename, and any `OSError` the writer passes to `error`, becomes one
    `InputError` line naming ``path`` and ``option``, the option to change.
    """

    def __init__(
        self,
        path: Path,
        *,
        option: str = "output",
        keep_suffix: bool = False,
        keep_on_error: bool = False,
        verb: str = "written",
    ) -> None:
        check_folder(path, option)
        self.path = path
        self.temp = partial_path(path, keep_suffix=keep_suffix)
        self.option = option
        self.verb = verb
        self.keep_on_error = keep_on_error

    def __enter__(self) -> Partial:
        return self

    def error(self, error: OSError) -> InputError:
        """``error`` as this output's one-line `InputError`."""
        return cannot(self.path, error, self.option, self.verb)

    def publish(self) -> None:
        """Rename the temporary onto the target, if there is one."""
        if not self.temp.exists():
            return
        try:
            self.temp.replace(self.path)  # os.replace: atomic, and overwrites on Windows too
        except OSError as error:
            self.discard()
            raise self.error(error) from None

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or self.keep_on_error:
            self.publish()
        else:
            self.discard()


def write(
    path: Path, data: str | bytes, *, keep_suffix: bool = False, verb: str = "written"
) -> None:
    """Write a whole file or nothing (text as UTF-8)."""
    with Partial(path, keep_suffix=keep_suffix, verb=verb) as partial:
        try:
            if isinstance(data, str):
                partial.temp.write_text(data, encoding="utf-8")
            else:
                partial.temp.write_bytes(data)
        except OSError as error:
            partial.discard()
            raise partial.error(error) from None
