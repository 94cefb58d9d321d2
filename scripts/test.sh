#!/usr/bin/env bash
# Run the test suite against a real PostgreSQL: $TEST_DATABASE_URL, else a server on 127.0.0.1:5432,
# else a throwaway cluster (the machine's PostgreSQL binaries, or the embedded pgserver).
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python -m pytest "$@"
