"""Queries of the poll cycle: the watched nodes, ``earnings_history`` and ``node_epoch_earnings``
(the settled-income ledger behind ``earnings_total``). The cache rows themselves are written by
``bot.db.node_cache``, ``source_health`` by ``bot.db.source_health``.

Every write is one set-based statement over ``unnest`` arrays, whatever the number of nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
class LedgerEntry:
    node_id: UUID
    epoch_id: int
    income_ngonka: int
    source: str


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

INSERT_LEDGER_SQL = """
INSERT INTO node_epoch_earnings (node_id, epoch_id, income_ngonka, source)
SELECT node_id, epoch_id, income::numeric, source
FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[]) AS u(node_id, epoch_id, income, source)
ON CONFLICT (node_id, epoch_id) DO NOTHING
"""

LEDGER_NODES_FOR_EPOCH_SQL = "SELECT node_id FROM node_epoch_earnings WHERE epoch_id = $1"

REFRESH_EARNINGS_SQL = """
UPDATE node_stats_cache c SET
    earnings_total = trunc(e.total / 1000000000, 8),
    earnings_day = trunc(e.last_income / 1000000000, 8),
    details = c.details
        || jsonb_build_object('earnings_source', e.last_source, 'earnings_epoch', e.last_epoch)
FROM (
    SELECT node_id, sum(income_ngonka) AS total,
           (array_agg(income_ngonka ORDER BY epoch_id DESC))[1] AS last_income,
           (array_agg(source ORDER BY epoch_id DESC))[1] AS last_source,
           max(epoch_id) AS last_epoch
    FROM node_epoch_earnings
    WHERE $1::uuid[] IS NULL OR node_id = ANY($1::uuid[])
    GROUP BY node_id
) e
WHERE c.node_id = e.node_id
"""

UPSERT_EARNINGS_HISTORY_SQL = """
INSERT INTO earnings_history (node_id, date, earnings_gnk, source)
SELECT c.node_id, $1::date, c.earnings_day, c.details->>'earnings_source'
FROM node_stats_cache c
WHERE c.earnings_day IS NOT NULL AND ($2::uuid[] IS NULL OR c.node_id = ANY($2::uuid[]))
ON CONFLICT (node_id, date) DO UPDATE SET
    earnings_gnk = EXCLUDED.earnings_gnk,
    source = EXCLUDED.source
WHERE (earnings_history.earnings_gnk, earnings_history.source)
      IS DISTINCT FROM (EXCLUDED.earnings_gnk, EXCLUDED.source)
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


async def record_income(db: Executor, entries: Sequence[LedgerEntry]) -> None:
    """Add settled epochs to the ledger (idempotent: an epoch already recorded is kept as it was)."""
    if not entries:
        return
    await db.execute(
        INSERT_LEDGER_SQL,
        [e.node_id for e in entries],
        [e.epoch_id for e in entries],
        [str(e.income_ngonka) for e in entries],
        [e.source for e in entries],
    )


async def nodes_with_income(db: Executor, epoch_id: int) -> set[UUID]:
    return {r[0] for r in await db.fetch(LEDGER_NODES_FOR_EPOCH_SQL, epoch_id)}


async def refresh_earnings(db: Executor, node_ids: Sequence[UUID] | None) -> None:
    """Recompute earnings_total (ledger sum) and earnings_day (last settled epoch); None: every node."""
    await db.execute(REFRESH_EARNINGS_SQL, None if node_ids is None else list(node_ids))


async def upsert_earnings_history(db: Executor, day: date, node_ids: Sequence[UUID] | None) -> None:
    """One ``earnings_history`` row per node for ``day`` (UTC), from the cached earnings_day."""
    await db.execute(UPSERT_EARNINGS_HISTORY_SQL, day, None if node_ids is None else list(node_ids))


async def list_cache(db: Executor) -> list[CachedNode]:
    return [CachedNode(*r) for r in await db.fetch(LIST_CACHE_SQL)]
