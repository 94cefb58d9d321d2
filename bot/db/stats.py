"""Queries of the poll cycle: the watched nodes and the cache as commands list it. The cache rows are
written by ``bot.db.node_cache``, ``source_health`` by ``bot.db.source_health``, the settled-income
ledger and ``earnings_history`` by ``bot.db.ledger``.

Every write is one set-based statement over ``unnest`` arrays, whatever the number of nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor
from bot.domain.status import NodeStatus


@dataclass(frozen=True, slots=True)
class WatchedNode:
    id: UUID
    identifier: str
    identifier_type: str
    cached_status: NodeStatus | None
    health_failures: int


@dataclass(frozen=True, slots=True)
class CachedNode:
    node_id: UUID
    identifier: str
    display_name: str | None
    status: str | None
    status_reason: str | None
    source: str | None
    fetched_at: datetime | None
    earnings_day: object
    earnings_total: object


#: changes whenever a node is added, removed or re-identified (cheap: one aggregate, no rows sent)
NODES_FINGERPRINT_SQL = """
SELECT count(*), coalesce(sum(hashtextextended(id::text || identifier || identifier_type, 0)), 0)::text
FROM nodes
"""

LOAD_WATCHED_SQL = """
SELECT n.id, n.identifier, n.identifier_type, c.status,
       COALESCE((c.details->>'health_failures')::int, 0) AS health_failures
FROM nodes n LEFT JOIN node_stats_cache c ON c.node_id = n.id
"""

LIST_CACHE_SQL = """
SELECT n.id AS node_id, n.identifier, n.display_name, c.status, c.status_reason, c.source,
       f.fresh_at AS fetched_at, c.earnings_day, c.earnings_total
FROM nodes n LEFT JOIN node_stats_cache c ON c.node_id = n.id
LEFT JOIN node_stats_freshness f ON f.node_id = n.id
ORDER BY lower(coalesce(n.display_name, n.identifier)), n.identifier
"""


async def nodes_fingerprint(db: Executor) -> tuple[int, str]:
    row = await db.fetchrow(NODES_FINGERPRINT_SQL)
    assert row is not None
    return int(row[0]), str(row[1])


async def load_watched(db: Executor) -> list[WatchedNode]:
    """Every row of ``nodes`` with its cached status and consecutive failed health probes."""
    rows = await db.fetch(LOAD_WATCHED_SQL)
    return [WatchedNode(r[0], r[1], r[2], NodeStatus(r[3]) if r[3] is not None else None, r[4]) for r in rows]


async def list_cache(db: Executor) -> list[CachedNode]:
    return [CachedNode(*r) for r in await db.fetch(LIST_CACHE_SQL)]
