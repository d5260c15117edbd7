"""The `posecheck` command (typer). The only package that prints or exits."""

from posecheck.cli.app import main

__all__ = ["main"]
