#!/usr/bin/env bash
# Re-resolve posecheck's dependencies to the newest releases that pyproject.toml
# allows and write them, pinned, to requirements/constraints.txt.
#
# The quick start and CI install with `-c requirements/constraints.txt`, so a
# release that comes out tomorrow cannot break a fresh install today. To take
# newer releases on purpose: run this, run the tests on each supported Python
# (3.11, 3.12, 3.13; .ci/run does), and commit the new file with the results.
#
#   requirements/refresh.sh            # uses python3
#   PYTHON=python3.12 requirements/refresh.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --upgrade pip
"$work/venv/bin/pip" install -q '.[test,dev]'
{
  echo "# Exact versions CI last passed with (Python 3.11-3.13, Linux x86_64)."
  echo "# Used by the README's quick start and .ci/run: pip install -c requirements/constraints.txt ..."
  echo "# Refresh: requirements/refresh.sh (see README, 'Dependencies')."
  "$work/venv/bin/pip" freeze --exclude-editable --exclude posecheck-stretch --exclude pip
  # Windows-only dependencies are not installed here: keep their pins as they are.
  grep -E '^pyttsx3==' requirements/constraints.txt || true
} > requirements/constraints.txt.new
mv requirements/constraints.txt.new requirements/constraints.txt
echo "wrote requirements/constraints.txt; now run the tests and commit it"
