"""`python -m posecheck` runs the same command as the `posecheck` script."""

from posecheck.cli.app import main

main()
