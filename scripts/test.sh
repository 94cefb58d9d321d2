#!/usr/bin/env bash
# Run the test suite against a real PostgreSQL: $TEST_DATABASE_URL, else a server on 127.0.0.1:5432,
# else a throwaway cluster (the machine's PostgreSQL binaries, or the embedded PostgreSQL).
# Tests run in parallel worker processes (TEST_WORKERS, default 4), a file's tests on one worker;
# the slow ones are left out unless asked for: `bash scripts/test.sh -m slow`. Any pytest arguments
# pass through (`-n 0` runs in this process).
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-4}" --dist loadfile "$@"
