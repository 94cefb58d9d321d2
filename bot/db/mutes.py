"""CRUD on ``mutes`` (the alert engine reads them with its own queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class Mute:
    id: UUID
    user_id: UUID
    node_id: UUID | None
    until: datetime | None
    until_resolved: bool
    created_at: datetime
    #: the node's display name or identifier; None for a mute of all nodes
    node_label: str | None = None


_COLUMNS = "id, user_id, node_id, until, until_resolved, created_at"

UPSERT_MUTE_SQL = f"""
INSERT INTO mutes (user_id, node_id, until, until_resolved)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, coalesce(node_id, '00000000-0000-0000-0000-000000000000'::uuid))
DO UPDATE SET until = EXCLUDED.until, until_resolved = EXCLUDED.until_resolved, created_at = now()
RETURNING {_COLUMNS}
"""

DELETE_MUTE_SQL = f"""
DELETE FROM mutes WHERE user_id = $1 AND node_id IS NOT DISTINCT FROM $2
RETURNING {_COLUMNS}
"""

# Active: until-resolved ones, or a time still in the future.
LIST_ACTIVE_SQL = """
SELECT m.id, m.user_id, m.node_id, m.until, m.until_resolved, m.created_at,
       coalesce(n.display_name, n.identifier) AS node_label
FROM mutes m LEFT JOIN nodes n ON n.id = m.node_id
WHERE m.user_id = $1 AND (m.until_resolved OR m.until > now())
ORDER BY m.node_id IS NOT NULL, lower(coalesce(n.display_name, n.identifier))
"""

DELETE_EXPIRED_SQL = "DELETE FROM mutes WHERE user_id = $1 AND NOT until_resolved AND until <= now()"


async def upsert_mute(
    db: Executor, user_id: UUID, node_id: UUID | None, until: datetime | None, until_resolved: bool
) -> Mute:
    row = await db.fetchrow(UPSERT_MUTE_SQL, user_id, node_id, until, until_resolved)
    assert row is not None
    return Mute(**dict(row))


async def delete_mute(db: Executor, user_id: UUID, node_id: UUID | None) -> Mute | None:
    row = await db.fetchrow(DELETE_MUTE_SQL, user_id, node_id)
    return None if row is None else Mute(**dict(row))


async def list_active(db: Executor, user_id: UUID) -> list[Mute]:
    return [Mute(**dict(r)) for r in await db.fetch(LIST_ACTIVE_SQL, user_id)]


async def delete_expired(db: Executor, user_id: UUID) -> None:
    await db.execute(DELETE_EXPIRED_SQL, user_id)
