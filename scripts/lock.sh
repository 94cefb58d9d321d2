#!/usr/bin/env bash
# Refresh the hash-locked requirements from pyproject.toml (run after changing a dependency):
#   requirements/dev-lock.txt       runtime + [embedded] + [dev]: scripts/test.sh and .ci/run
#   requirements/embedded-lock.txt  runtime + [embedded]: scripts/run.sh
#   requirements/lock.txt           runtime only: the Docker image
# Every file pins every package, direct and transitive, with its sha256 hashes, and includes the
# build backend (setuptools), so installs run with --require-hashes and --no-build-isolation.
# The three files agree: the smaller ones are compiled under the constraint of dev-lock.txt.
# Compiled for CPython 3.11 on Linux (the image's and CI's Python); pass PYTHON=python3.X to use another.
# pip-compile runs from a throwaway venv (.lock-venv), so the project's .venv is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .lock-venv/bin/pip-compile ]; then
  "$PYTHON" -m venv .lock-venv
  .lock-venv/bin/python -m pip install --quiet --disable-pip-version-check "pip-tools==7.6.2"
fi
compile() {
  local out=$1
  shift
  CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" .lock-venv/bin/pip-compile --quiet --generate-hashes \
    --allow-unsafe --all-build-deps --strip-extras --no-emit-index-url --no-emit-find-links \
    --newline LF --output-file "$out" "$@" pyproject.toml
}
rm -f requirements/dev-lock.txt requirements/embedded-lock.txt requirements/lock.txt
compile requirements/dev-lock.txt --extra embedded --extra dev
compile requirements/embedded-lock.txt --extra embedded --constraint requirements/dev-lock.txt
compile requirements/lock.txt --constraint requirements/dev-lock.txt
