"""Read queries for admins: fleet counts, outbox depth, broadcast recipients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor

#: notification kinds the command services enqueue; everything else in the outbox is an alert
SERVICE_KINDS = ["request_new", "request_update", "broadcast", "startup"]


@dataclass(frozen=True, slots=True)
class UserCounts:
    users: int
    active_users: int
    linked_users: int
    admins: int


@dataclass(frozen=True, slots=True)
class OutboxDepth:
    pending: int
    failed_24h: int
    oldest_pending_at: datetime | None


@dataclass(frozen=True, slots=True)
class BroadcastTarget:
    user_id: UUID
    telegram: str | None
    discord: str | None


@dataclass(frozen=True, slots=True)
class FailingNode:
    node_id: UUID
    identifier: str
    display_name: str | None
    status: str
    status_reason: str | None
    fetched_at: datetime
    #: the owners' emails, comma-separated (None: assigned to nobody)
    owners: str | None

    @property
    def label(self) -> str:
        return self.display_name or self.identifier


#: statuses that need an admin's attention (what /stats pages through)
FAILING_STATUSES = ["jailed", "offline", "unhealthy"]

USER_COUNTS_SQL = """
SELECT count(*) AS users,
       count(*) FILTER (WHERE is_active) AS active_users,
       count(*) FILTER (WHERE is_active AND (telegram IS NOT NULL OR discord IS NOT NULL)) AS linked_users,
       count(*) FILTER (WHERE role = 'admin') AS admins
FROM users
"""

NODES_BY_STATUS_SQL = """
SELECT coalesce(c.status, 'no data') AS status, count(*) AS n
FROM nodes n LEFT JOIN node_stats_cache c ON c.node_id = n.id
GROUP BY 1 ORDER BY 1
"""

ALERTS_24H_SQL = """
SELECT count(*) FROM notifications
WHERE created_at > now() - interval '24 hours' AND NOT (kind = ANY($1::text[]))
"""

# each part reads an index range (partial indexes on the open and on the finished rows), never the
# whole outbox: delivered history can be millions of rows
OUTBOX_DEPTH_SQL = """
SELECT (SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')) AS pending,
       (SELECT count(*) FROM notifications
        WHERE status IN ('delivered', 'failed', 'suppressed') AND status = 'failed'
          AND created_at > now() - interval '24 hours') AS failed_24h,
       (SELECT min(created_at) FROM notifications WHERE status IN ('pending', 'sending')) AS oldest_pending_at
"""

# one page: the status index selects the failing rows, LIMIT bounds what is read and sorted further
FAILING_NODES_SQL = """
SELECT c.node_id, n.identifier, n.display_name, c.status, c.status_reason, c.fetched_at,
       (SELECT string_agg(u.email, ', ' ORDER BY u.email)
        FROM user_nodes un JOIN users u ON u.id = un.user_id WHERE un.node_id = n.id) AS owners
FROM node_stats_cache c JOIN nodes n ON n.id = c.node_id
WHERE c.status = ANY($1::text[])
ORDER BY c.status, lower(coalesce(n.display_name, n.identifier)), n.identifier
LIMIT $2 OFFSET $3
"""

BROADCAST_TARGETS_SQL = """
SELECT id AS user_id, telegram, discord FROM users
WHERE is_active AND (telegram IS NOT NULL OR discord IS NOT NULL)
ORDER BY created_at
"""


async def user_counts(db: Executor) -> UserCounts:
    row = await db.fetchrow(USER_COUNTS_SQL)
    assert row is not None
    return UserCounts(**dict(row))


async def nodes_by_status(db: Executor) -> dict[str, int]:
    return {r["status"]: r["n"] for r in await db.fetch(NODES_BY_STATUS_SQL)}


async def alerts_24h(db: Executor) -> int:
    value: int = await db.fetchval(ALERTS_24H_SQL, SERVICE_KINDS)
    return value


async def outbox_depth(db: Executor) -> OutboxDepth:
    row = await db.fetchrow(OUTBOX_DEPTH_SQL)
    assert row is not None
    return OutboxDepth(**dict(row))


async def failing_nodes(db: Executor, limit: int, offset: int) -> list[FailingNode]:
    """One page of the nodes whose cached status is jailed, offline or unhealthy."""
    rows = await db.fetch(FAILING_NODES_SQL, FAILING_STATUSES, limit, offset)
    return [FailingNode(**dict(r)) for r in rows]


async def broadcast_targets(db: Executor) -> list[BroadcastTarget]:
    return [BroadcastTarget(**dict(r)) for r in await db.fetch(BROADCAST_TARGETS_SQL)]
