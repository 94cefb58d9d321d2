#!/usr/bin/env bash
# Start the bot. With no MINEGNK_DATABASE__URL an embedded PostgreSQL is used (var/pgdata);
# with no tokens only the poller, the outbox and the HTTP endpoint run.
source "$(dirname "$0")/_venv.sh" embedded
exec .venv/bin/minegnk-bot "${@:-run}"
