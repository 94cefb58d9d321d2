"""Queries on ``discord_command_sync``: the hash of the Discord command tree last synced per scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.types import Conn, Executor


@dataclass(frozen=True, slots=True)
class SyncedTree:
    application_id: str
    scope: str
    payload_hash: str
    command_count: int
    synced_at: datetime


GET_SYNCED_SQL = """
SELECT application_id, scope, payload_hash, command_count, synced_at
FROM discord_command_sync WHERE application_id = $1 AND scope = $2
"""

SET_SYNCED_SQL = """
INSERT INTO discord_command_sync (application_id, scope, payload_hash, command_count)
VALUES ($1, $2, $3, $4)
ON CONFLICT (application_id, scope)
DO UPDATE SET payload_hash = EXCLUDED.payload_hash, command_count = EXCLUDED.command_count, synced_at = now()
"""

# Serialises syncs of one application across replicas starting together (released at commit).
LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('minegnk.discord_command_sync'), hashtext($1))"


async def get_synced(db: Executor, application_id: str, scope: str) -> SyncedTree | None:
    row = await db.fetchrow(GET_SYNCED_SQL, application_id, scope)
    return None if row is None else SyncedTree(**dict(row))


async def set_synced(db: Executor, application_id: str, scope: str, payload_hash: str, count: int) -> None:
    await db.execute(SET_SYNCED_SQL, application_id, scope, payload_hash, count)


async def lock_application(conn: Conn, application_id: str) -> None:
    """Take the per-application sync lock for the current transaction."""
    await conn.execute(LOCK_SQL, application_id)
