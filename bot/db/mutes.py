"""CRUD on ``mutes`` (a user's own; the alert engine reads them with its own queries) and
``channel_mutes`` (an admin's mute of an admin alert channel, read by the engine's recipients step)."""

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


# -- mutes of an admin alert channel (channel_mutes, migration 0790) --------------------------------


@dataclass(frozen=True, slots=True)
class ChannelMute:
    """An admin's mute of a node's alerts (or every node's: ``node_id`` None) in one admin channel."""

    id: UUID
    platform: str
    chat_id: str
    node_id: UUID | None
    until: datetime | None
    until_resolved: bool
    muted_by: UUID | None
    muted_by_name: str
    created_at: datetime
    node_label: str | None = None

    def silences(self, node_id: UUID, now: datetime, *, recovery: bool) -> bool:
        """Whether it keeps an event of ``node_id`` out of its channel now: a timed mute everything, an
        until-resolved one the alert and its reminders but not the recovery (as a user's mute)."""
        if self.node_id is not None and self.node_id != node_id:
            return False
        if self.until_resolved:
            return not recovery
        return self.until is not None and self.until > now


_CHANNEL_COLUMNS = (
    "id, platform, chat_id, node_id, until, until_resolved, muted_by, muted_by_name, created_at"
)

UPSERT_CHANNEL_MUTE_SQL = f"""
INSERT INTO channel_mutes (platform, chat_id, node_id, until, until_resolved, muted_by, muted_by_name)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (platform, chat_id, coalesce(node_id, '00000000-0000-0000-0000-000000000000'::uuid))
DO UPDATE SET until = EXCLUDED.until, until_resolved = EXCLUDED.until_resolved,
              muted_by = EXCLUDED.muted_by, muted_by_name = EXCLUDED.muted_by_name, created_at = now()
RETURNING {_CHANNEL_COLUMNS}
"""

DELETE_CHANNEL_MUTE_SQL = f"""
DELETE FROM channel_mutes WHERE platform = $1 AND chat_id = $2 AND node_id IS NOT DISTINCT FROM $3
RETURNING {_CHANNEL_COLUMNS}
"""

# Active ones: until-resolved, or a time still in the future.
ACTIVE_CHANNEL_MUTES_SQL = f"""
SELECT {_CHANNEL_COLUMNS} FROM channel_mutes
WHERE (node_id IS NULL OR node_id = ANY($1::uuid[])) AND (until_resolved OR until > $2)
"""

LIST_CHANNEL_MUTES_SQL = """
SELECT m.id, m.platform, m.chat_id, m.node_id, m.until, m.until_resolved, m.muted_by, m.muted_by_name,
       m.created_at, coalesce(n.display_name, n.identifier) AS node_label
FROM channel_mutes m LEFT JOIN nodes n ON n.id = m.node_id
WHERE m.platform = $1 AND m.chat_id = $2 AND (m.until_resolved OR m.until > now())
ORDER BY m.node_id IS NOT NULL, lower(coalesce(n.display_name, n.identifier))
"""

#: an until-resolved channel mute ends with its node's recovery (an all-nodes one when the channel's
#: nodes have no alert left open)
END_RESOLVED_CHANNEL_MUTES_SQL = """
DELETE FROM channel_mutes m
WHERE m.until_resolved
  AND (m.node_id = ANY($1::uuid[])
       OR (m.node_id IS NULL AND cardinality($1::uuid[]) > 0
           AND NOT EXISTS (SELECT 1 FROM alert_state a WHERE a.incident_id IS NOT NULL)))
"""


async def upsert_channel_mute(
    db: Executor,
    platform: str,
    chat_id: str,
    node_id: UUID | None,
    until: datetime | None,
    until_resolved: bool,
    muted_by: UUID | None,
    muted_by_name: str,
) -> ChannelMute:
    row = await db.fetchrow(
        UPSERT_CHANNEL_MUTE_SQL,
        platform,
        chat_id,
        node_id,
        until,
        until_resolved,
        muted_by,
        muted_by_name[:200],
    )
    assert row is not None
    return ChannelMute(**dict(row))


async def delete_channel_mute(
    db: Executor, platform: str, chat_id: str, node_id: UUID | None
) -> ChannelMute | None:
    row = await db.fetchrow(DELETE_CHANNEL_MUTE_SQL, platform, chat_id, node_id)
    return None if row is None else ChannelMute(**dict(row))


async def active_channel_mutes(db: Executor, node_ids: list[UUID], now: datetime) -> list[ChannelMute]:
    """Channel mutes in force that may cover these nodes' alerts (the engine's recipients step)."""
    return [ChannelMute(**dict(r)) for r in await db.fetch(ACTIVE_CHANNEL_MUTES_SQL, node_ids, now)]


async def list_channel_mutes(db: Executor, platform: str, chat_id: str) -> list[ChannelMute]:
    return [ChannelMute(**dict(r)) for r in await db.fetch(LIST_CHANNEL_MUTES_SQL, platform, chat_id)]


async def end_resolved_channel_mutes(db: Executor, recovered: list[UUID]) -> None:
    if recovered:
        await db.execute(END_RESOLVED_CHANNEL_MUTES_SQL, recovered)
