"""``user_digests`` and what a digest reads: who wants one when, and each user's day in a few queries.

A digest is a notification with the dedup key ``digest:<user>:<local date>:<platform>``: the outbox's
unique key is what makes it once a day per user across restarts and replicas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from bot.db.types import Executor
from bot.domain.platforms import Platform


@dataclass(frozen=True, slots=True)
class DigestChoice:
    local_time: time
    time_zone: str


@dataclass(frozen=True, slots=True)
class DueDigest:
    """One digest to send now: a user, one of their chats, the local day it is for."""

    user_id: UUID
    platform: Platform
    target_id: str
    local_date: date
    time_zone: str
    due_at: datetime

    @property
    def dedup_key(self) -> str:
        return digest_key(self.user_id, self.local_date, self.platform)


def digest_key(user_id: UUID, local_date: date, platform: str) -> str:
    return f"digest:{user_id}:{local_date.isoformat()}:{platform}"


@dataclass(frozen=True, slots=True)
class DigestNode:
    user_id: UUID
    node_id: UUID
    label: str
    status: str | None
    status_reason: str | None
    fetched_at: datetime | None


@dataclass(frozen=True, slots=True)
class EpochIncome:
    node_id: UUID
    epoch_id: int
    income_ngonka: Decimal


@dataclass(frozen=True, slots=True)
class SentAlert:
    platform: Platform
    target_id: str
    kind: str
    title: str | None
    created_at: datetime


SET_SQL = """
INSERT INTO user_digests (user_id, local_time, time_zone) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET local_time = EXCLUDED.local_time, time_zone = EXCLUDED.time_zone,
                                    updated_at = now()
"""
CLEAR_SQL = "DELETE FROM user_digests WHERE user_id = $1"
GET_SQL = "SELECT local_time, time_zone FROM user_digests WHERE user_id = $1"
# Today's digest per user and linked chat, due in (now - max_delay, now], not yet enqueued. The local
# date and the due instant are computed in the user's zone by PostgreSQL (DST included).
DUE_SQL = """
WITH local AS (
    SELECT d.user_id, d.time_zone, ($1::timestamptz AT TIME ZONE d.time_zone)::date AS local_date,
           ((($1::timestamptz AT TIME ZONE d.time_zone)::date + d.local_time) AT TIME ZONE d.time_zone)
               AS due_at
    FROM user_digests d
)
SELECT l.user_id, t.platform, t.target_id, l.local_date, l.time_zone, l.due_at
FROM local l
JOIN users u ON u.id = l.user_id AND u.is_active
CROSS JOIN LATERAL (VALUES ('telegram', u.telegram), ('discord', u.discord)) AS t (platform, target_id)
LEFT JOIN delivery_targets dt ON dt.platform = t.platform AND dt.target_id = t.target_id
WHERE t.target_id IS NOT NULL AND dt.disabled_at IS NULL
  AND l.due_at <= $1 AND l.due_at > $1 - $2::interval
  AND NOT EXISTS (SELECT 1 FROM notifications n
                  WHERE n.dedup_key = 'digest:' || l.user_id || ':' || l.local_date || ':' || t.platform)
ORDER BY l.due_at, l.user_id, t.platform
LIMIT $3
"""

NODES_SQL = """
SELECT un.user_id, n.id AS node_id, coalesce(n.display_name, n.identifier) AS label, c.status,
       c.status_reason, f.fresh_at AS fetched_at
FROM user_nodes un
JOIN nodes n ON n.id = un.node_id
LEFT JOIN node_stats_cache c ON c.node_id = n.id
LEFT JOIN node_stats_freshness f ON f.node_id = n.id
WHERE un.user_id = ANY($1::uuid[])
ORDER BY un.user_id, lower(coalesce(n.display_name, n.identifier)), n.identifier
"""

# Each node's latest settled epoch (the ledger is exact, in ngonka).
LAST_EPOCH_SQL = """
SELECT DISTINCT ON (e.node_id) e.node_id, e.epoch_id, e.income_ngonka
FROM node_epoch_earnings e
WHERE e.node_id = ANY($1::uuid[])
ORDER BY e.node_id, e.epoch_id DESC
"""

# Node alerts, recoveries and reminders sent to these chats since $3.
SENT_ALERTS_SQL = """
SELECT n.platform, n.target_id, n.kind, n.payload ->> 'title' AS title, n.created_at
FROM notifications n
JOIN unnest($1::text[], $2::text[]) AS t (platform, target_id)
     ON n.platform = t.platform AND n.target_id = t.target_id AND n.target_kind = 'user'
WHERE n.created_at > $3 AND n.kind LIKE 'node\\_%' AND n.status = 'delivered'
ORDER BY n.created_at
"""


async def set_choice(db: Executor, user_id: UUID, choice: DigestChoice) -> None:
    await db.execute(SET_SQL, user_id, choice.local_time, choice.time_zone)


async def clear_choice(db: Executor, user_id: UUID) -> bool:
    return str(await db.execute(CLEAR_SQL, user_id)).endswith(" 1")


async def get_choice(db: Executor, user_id: UUID) -> DigestChoice | None:
    row = await db.fetchrow(GET_SQL, user_id)
    return None if row is None else DigestChoice(row["local_time"], row["time_zone"])


async def due(db: Executor, now: datetime, max_delay: timedelta, limit: int) -> list[DueDigest]:
    rows = await db.fetch(DUE_SQL, now, max_delay, limit)
    return [
        DueDigest(r["user_id"], r["platform"], r["target_id"], r["local_date"], r["time_zone"], r["due_at"])
        for r in rows
    ]


async def nodes_of(db: Executor, user_ids: list[UUID]) -> list[DigestNode]:
    rows = await db.fetch(NODES_SQL, user_ids)
    return [
        DigestNode(r["user_id"], r["node_id"], r["label"], r["status"], r["status_reason"], r["fetched_at"])
        for r in rows
    ]


async def last_epochs(db: Executor, node_ids: list[UUID]) -> dict[UUID, EpochIncome]:
    rows = await db.fetch(LAST_EPOCH_SQL, node_ids)
    return {r["node_id"]: EpochIncome(r["node_id"], r["epoch_id"], r["income_ngonka"]) for r in rows}


async def sent_alerts(db: Executor, targets: Sequence[tuple[str, str]], since: datetime) -> list[SentAlert]:
    rows = await db.fetch(SENT_ALERTS_SQL, [p for p, _ in targets], [t for _, t in targets], since)
    return [SentAlert(r["platform"], r["target_id"], r["kind"], r["title"], r["created_at"]) for r in rows]


TRY_ROUND_LOCK_SQL = "SELECT pg_try_advisory_xact_lock($1)"


async def try_round_lock(db: Executor, key: int) -> bool:
    """One replica composes digests at a time (the lock ends with the transaction)."""
    return bool(await db.fetchval(TRY_ROUND_LOCK_SQL, key))
