"""Files posecheck ships: the pose model, the bundled reference poses, the demo sample,
the font.

Each has one home in the source checkout (``models/``, ``reference_poses/``,
``samples/``, ``fonts/``) and a copy inside the package when posecheck is installed from a
wheel (``posecheck/_model/`` and so on; see ``pyproject.toml``). `find` is the
one place that knows both: the packaged copy when it exists, else the checkout's.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent

# name -> (where a wheel puts it inside the package, where a checkout keeps it)
_HOMES = {
    "model": ("_model", "models"),
    "reference_poses": ("_reference_poses", "reference_poses"),
    "samples": ("_samples", "samples"),
    "fonts": ("_fonts", "fonts"),
}


def find(kind: str, name: str = "") -> Path:
    """The shipped file (or folder, with no ``name``) of ``kind``: model,
    reference_poses, samples or fonts. The path may not exist; callers say what is missing."""
    packaged, checkout = _HOMES[kind]
    inside = _PACKAGE / packaged / name if name else _PACKAGE / packaged
    if inside.exists():
        return inside
    return _CHECKOUT / checkout / name if name else _CHECKOUT / checkout
