"""Queries of the poll cycle: ``node_stats_cache``, ``earnings_history``, ``node_epoch_earnings``
(the settled-income ledger behind ``earnings_total``) and ``source_health``.

Every write is one set-based statement over ``unnest`` arrays, whatever the number of nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from bot.db.types import Executor
from bot.domain.node_stats import NodeStats
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
class SourceHealth:
    source: str
    consecutive_failures: int
    last_ok_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None
    last_epoch_id: int | None
    polls_ok: int
    polls_failed: int


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source: str
    ok: bool
    error: str | None
    epoch_id: int | None


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


LOAD_WATCHED_SQL = """
SELECT n.id, n.identifier, n.identifier_type, c.status,
       COALESCE((c.details->>'health_failures')::int, 0) AS health_failures
FROM nodes n LEFT JOIN node_stats_cache c ON c.node_id = n.id
"""

UPSERT_CACHE_SQL = """
INSERT INTO node_stats_cache AS c
    (node_id, status, status_reason, uptime_percent, jobs_day, active_model, voting_weight, source,
     fetched_at, epoch_id, jailed_until, ready_to_unjail, details)
SELECT u.node_id, u.status, u.status_reason, u.uptime_percent::numeric(5, 2), u.jobs_day, u.active_model,
       u.voting_weight::numeric, u.source, u.fetched_at, u.epoch_id, u.jailed_until, u.ready_to_unjail,
       u.details::jsonb
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::int8[],
            $8::text[], $9::timestamptz[], $10::int8[], $11::timestamptz[], $12::bool[], $13::text[])
     AS u(node_id, status, status_reason, uptime_percent, jobs_day, active_model, voting_weight, source,
          fetched_at, epoch_id, jailed_until, ready_to_unjail, details)
ON CONFLICT (node_id) DO UPDATE SET
    status = EXCLUDED.status,
    status_reason = EXCLUDED.status_reason,
    uptime_percent = EXCLUDED.uptime_percent,
    jobs_day = EXCLUDED.jobs_day,
    active_model = EXCLUDED.active_model,
    voting_weight = EXCLUDED.voting_weight,
    source = EXCLUDED.source,
    fetched_at = EXCLUDED.fetched_at,
    epoch_id = EXCLUDED.epoch_id,
    jailed_until = EXCLUDED.jailed_until,
    ready_to_unjail = EXCLUDED.ready_to_unjail,
    details = EXCLUDED.details || jsonb_strip_nulls(jsonb_build_object(
        'earnings_source', c.details->'earnings_source', 'earnings_epoch', c.details->'earnings_epoch'))
-- an unknown status (failed, partial or inconsistent fetch; null fields) leaves a cached row untouched
WHERE EXCLUDED.status <> 'unknown'
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

UPSERT_SOURCE_HEALTH_SQL = """
INSERT INTO source_health AS h
    (source, consecutive_failures, last_ok_at, last_failure_at, last_error, last_epoch_id,
     polls_ok, polls_failed, updated_at)
SELECT u.source, CASE WHEN u.ok THEN 0 ELSE 1 END,
       CASE WHEN u.ok THEN $5::timestamptz END, CASE WHEN NOT u.ok THEN $5::timestamptz END,
       u.error, u.epoch_id, CASE WHEN u.ok THEN 1 ELSE 0 END, CASE WHEN u.ok THEN 0 ELSE 1 END,
       $5::timestamptz
FROM unnest($1::text[], $2::bool[], $3::text[], $4::int8[]) AS u(source, ok, error, epoch_id)
ON CONFLICT (source) DO UPDATE SET
    consecutive_failures = CASE WHEN EXCLUDED.last_ok_at IS NOT NULL THEN 0
                                ELSE h.consecutive_failures + 1 END,
    last_ok_at = COALESCE(EXCLUDED.last_ok_at, h.last_ok_at),
    last_failure_at = COALESCE(EXCLUDED.last_failure_at, h.last_failure_at),
    last_error = COALESCE(EXCLUDED.last_error, h.last_error),
    last_epoch_id = GREATEST(h.last_epoch_id, EXCLUDED.last_epoch_id),
    polls_ok = h.polls_ok + EXCLUDED.polls_ok,
    polls_failed = h.polls_failed + EXCLUDED.polls_failed,
    updated_at = EXCLUDED.updated_at
"""

LIST_SOURCE_HEALTH_SQL = """
SELECT source, consecutive_failures, last_ok_at, last_failure_at, last_error, last_epoch_id,
       polls_ok, polls_failed
FROM source_health ORDER BY source
"""

LIST_CACHE_SQL = """
SELECT n.id AS node_id, n.identifier, n.display_name, c.status, c.status_reason, c.source, c.fetched_at,
       c.earnings_day, c.earnings_total
FROM nodes n LEFT JOIN node_stats_cache c ON c.node_id = n.id
ORDER BY lower(coalesce(n.display_name, n.identifier)), n.identifier
"""


async def load_watched(db: Executor) -> list[WatchedNode]:
    """Every row of ``nodes`` with its cached status and consecutive failed health probes."""
    rows = await db.fetch(LOAD_WATCHED_SQL)
    return [WatchedNode(r[0], r[1], r[2], NodeStatus(r[3]) if r[3] is not None else None, r[4]) for r in rows]


async def upsert_cache(db: Executor, stats: Sequence[NodeStats]) -> None:
    """Write every node's cache row in one statement; UNKNOWN never overwrites a cached row."""
    await db.execute(
        UPSERT_CACHE_SQL,
        [s.node_id for s in stats],
        [s.status.value for s in stats],
        [s.status_reason for s in stats],
        [None if s.uptime_percent is None else float(s.uptime_percent) for s in stats],
        [s.jobs_day for s in stats],
        [s.active_model for s in stats],
        [None if s.voting_weight is None else int(s.voting_weight) for s in stats],
        [s.source for s in stats],
        [s.fetched_at for s in stats],
        [s.epoch_id for s in stats],
        [s.jailed_until for s in stats],
        [s.ready_to_unjail for s in stats],
        [s.details_json() for s in stats],
    )


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


async def record_source_health(db: Executor, outcomes: Sequence[SourceOutcome], now: datetime) -> None:
    if not outcomes:
        return
    await db.execute(
        UPSERT_SOURCE_HEALTH_SQL,
        [o.source for o in outcomes],
        [o.ok for o in outcomes],
        [o.error[:500] if o.error else None for o in outcomes],
        [o.epoch_id for o in outcomes],
        now,
    )


async def list_source_health(db: Executor) -> list[SourceHealth]:
    return [SourceHealth(*r) for r in await db.fetch(LIST_SOURCE_HEALTH_SQL)]


async def list_cache(db: Executor) -> list[CachedNode]:
    return [CachedNode(*r) for r in await db.fetch(LIST_CACHE_SQL)]
