"""The `posecheck` command (typer). The only package that prints or exits.

`app` holds the typer application, its shared options and the one mapping
from errors to exit codes; each command lives with its kind of input:
`photos` (pose, check), `catalog` (stretches, show, refs check), `coach`
(live, demo), `score` and `history` (the practice log). Importing this package registers them all.
"""

# Each import registers its commands; their order is the order --help lists them in.
# isort: off
from posecheck.cli import photos  # noqa: F401
from posecheck.cli import catalog  # noqa: F401
from posecheck.cli import coach  # noqa: F401
from posecheck.cli import score  # noqa: F401
from posecheck.cli import history  # noqa: F401

# isort: on
from posecheck.cli.app import main

# Not `app` itself: that name would hide the module posecheck.cli.app.
__all__ = ["main"]
