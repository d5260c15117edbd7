"""Reference poses: one import for what the rest of posecheck uses from the catalog.

The catalog is in four parts, lowest first:

- `fields`: reading a TOML file written by a person, field by field, with
  every problem reported as one line naming the file and the field;
- `schema`: the stretch types (`Reference`, `Check`, `CheckKind` and its
  `Unit`, `Prescription`, `Sides`);
- `stretches`: the rules of a stretch file (`parse_reference`);
- `library`: the bundled files and the user's folders (`load_references`).

The format is documented for users in reference_poses/README.md.
"""

from posecheck.catalog.fields import MAX_FILE_BYTES
from posecheck.catalog.library import (
    REFS_ENV,
    FileCheck,
    bundled_dir,
    check_files,
    get_reference,
    load_file,
    load_references,
    user_dirs,
)
from posecheck.catalog.schema import (
    MAX_HOLD_S,
    MAX_REPS,
    Check,
    CheckKind,
    Limits,
    Point,
    Prescription,
    Reference,
    ReferenceError,
    Sides,
    Stage,
    Unit,
)
from posecheck.catalog.stretches import MAX_PRIORITY, parse_reference

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_HOLD_S",
    "MAX_PRIORITY",
    "MAX_REPS",
    "REFS_ENV",
    "Check",
    "CheckKind",
    "FileCheck",
    "Limits",
    "Point",
    "Prescription",
    "Reference",
    "ReferenceError",
    "Sides",
    "Stage",
    "Unit",
    "bundled_dir",
    "check_files",
    "get_reference",
    "load_file",
    "load_references",
    "parse_reference",
    "user_dirs",
]
