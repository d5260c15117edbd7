"""`python -m posecheck` runs the same command as the `posecheck` script."""

from posecheck.cli import main

main()
