# Sourced by the scripts: make .venv with the project installed (idempotent, quiet).
# $1 names the lock file: "embedded" (the default: runtime + the embedded PostgreSQL) or "dev"
# (that + the test and lint tools). Every package is installed from requirements/<name>-lock.txt
# with its hash checked; the project itself goes in editable, without resolving anything else.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
lock="requirements/${1:-embedded}-lock.txt"
stamp=".venv/.installed-${1:-embedded}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  pip=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
  "${pip[@]}" install --require-hashes -r "$lock"
  "${pip[@]}" install --no-deps --no-build-isolation -e .
  touch "$stamp"
fi
