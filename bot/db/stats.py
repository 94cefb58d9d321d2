"""Queries of the poll cycle: ``node_stats_cache`` and ``source_health`` (the settled-income ledger
and ``earnings_history``: ``bot.db.ledger``).

Every write is one set-based statement over ``unnest`` arrays, whatever the number of nodes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor
from bot.domain.node_stats import NodeStats
from bot.domain.status import NodeStatus

#: nodes whose cache columns are built between two yields to the event loop
BUILD_SLICE = 2000


@dataclass(frozen=True, slots=True)
class WatchedNode:
    id: UUID
    identifier: str
    identifier_type: str
    cached_status: NodeStatus | None
    health_failures: int


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

ML_NODE_SEP = "\x1f"
#: the column arrays of :data:`UPSERT_CACHE_SQL`
CACHE_COLUMNS = 22

UPSERT_CACHE_SQL = """
INSERT INTO node_stats_cache AS c
    (node_id, status, status_reason, source, fetched_at, epoch_id, voting_weight, active_model, jobs_day,
     jailed_until, ready_to_unjail, uptime_percent, details)
SELECT u.node_id, u.status, u.status_reason, u.source, u.fetched_at, u.epoch_id,
       CASE WHEN u.weight >= 0 THEN u.weight::numeric END,
       left(u.models, 255), u.jobs, u.jailed_until, u.ready_to_unjail,
       CASE WHEN u.missed_rate BETWEEN 0 AND 1 THEN round((100 * (1 - u.missed_rate))::numeric, 2) END,
       jsonb_strip_nulls(jsonb_build_object(
           'health_failures', u.health_failures,
           'missed_rate', u.missed_rate,
           'invalidation_rate', u.invalidation_rate,
           'confirmation_poc_ratio', u.confirmation_poc_ratio,
           'chain_status', u.chain_status,
           'node_healthy', u.node_healthy,
           'epoch_earned_ngonka', u.earned_ngonka,
           'excluded_reason', u.excluded_reason,
           'invalid_llr', u.invalid_llr::text,
           'inactive_llr', u.inactive_llr::text,
           'ml_nodes', CASE WHEN u.ml_nodes <> '' THEN to_jsonb(string_to_array(u.ml_nodes, E'\\x1f')) END))
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int8[], $7::int8[],
            $8::text[], $9::int4[], $10::timestamptz[], $11::bool[], $12::int4[], $13::float8[],
            $14::float8[], $15::numeric[], $16::text[], $17::bool[], $18::text[], $19::text[],
            $20::text[], $21::numeric[], $22::numeric[])
     AS u(node_id, status, status_reason, source, fetched_at, epoch_id, weight, models, jobs, jailed_until,
          ready_to_unjail, health_failures, missed_rate, invalidation_rate, confirmation_poc_ratio,
          chain_status, node_healthy, earned_ngonka, ml_nodes, excluded_reason, invalid_llr, inactive_llr)
ON CONFLICT (node_id) DO UPDATE SET
    status = EXCLUDED.status,
    status_reason = EXCLUDED.status_reason,
    source = EXCLUDED.source,
    fetched_at = EXCLUDED.fetched_at,
    epoch_id = EXCLUDED.epoch_id,
    voting_weight = EXCLUDED.voting_weight,
    active_model = EXCLUDED.active_model,
    jobs_day = EXCLUDED.jobs_day,
    jailed_until = EXCLUDED.jailed_until,
    ready_to_unjail = EXCLUDED.ready_to_unjail,
    uptime_percent = EXCLUDED.uptime_percent,
    details = EXCLUDED.details || jsonb_strip_nulls(jsonb_build_object(
        'earnings_source', c.details->'earnings_source', 'earnings_epoch', c.details->'earnings_epoch'))
-- an unknown status (failed, partial or inconsistent fetch; null fields) leaves a cached row untouched
WHERE EXCLUDED.status <> 'unknown'
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

#: only the poller's own columns; the alert engine owns failures/ok/error/degraded (bot.db.alert_state)
UPSERT_SOURCE_BOOKKEEPING_SQL = """
INSERT INTO source_health AS h (source, last_epoch_id, polls_ok, polls_failed)
SELECT u.source, u.epoch_id, CASE WHEN u.ok THEN 1 ELSE 0 END, CASE WHEN u.ok THEN 0 ELSE 1 END
FROM unnest($1::text[], $2::bool[], $3::int8[]) AS u(source, ok, epoch_id)
ON CONFLICT (source) DO UPDATE SET
    last_epoch_id = GREATEST(h.last_epoch_id, EXCLUDED.last_epoch_id),
    polls_ok = h.polls_ok + EXCLUDED.polls_ok,
    polls_failed = h.polls_failed + EXCLUDED.polls_failed
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


async def nodes_fingerprint(db: Executor) -> tuple[int, str]:
    row = await db.fetchrow(NODES_FINGERPRINT_SQL)
    assert row is not None
    return int(row[0]), str(row[1])


async def load_watched(db: Executor) -> list[WatchedNode]:
    """Every row of ``nodes`` with its cached status and consecutive failed health probes."""
    rows = await db.fetch(LOAD_WATCHED_SQL)
    return [WatchedNode(r[0], r[1], r[2], NodeStatus(r[3]) if r[3] is not None else None, r[4]) for r in rows]


def cache_rows(stats: Sequence[NodeStats]) -> list[list[object]]:
    """The 22 column arrays of :data:`UPSERT_CACHE_SQL`, filled column by column in one pass."""
    cols: list[list[object]] = [[] for _ in range(CACHE_COLUMNS)]
    (node_id, status, reason, source, fetched_at, epoch_id, weight, models, jobs, jailed_until, rtu,
     health, missed, invalidated, cpr, chain_status, healthy, earned, ml_nodes, excluded, inv_llr,
     ina_llr) = cols  # fmt: skip
    for s in stats:
        v = s.view
        node_id.append(s.node_id)
        status.append(s.status.value)
        reason.append(s.status_reason)
        source.append(s.source)
        fetched_at.append(s.fetched_at)
        epoch_id.append(s.epoch_id)
        health.append(s.health_failures)
        if v is None:
            for col in (weight, models, jobs, jailed_until, rtu, missed, invalidated, cpr, chain_status,
                        healthy, earned, ml_nodes, excluded, inv_llr, ina_llr):  # fmt: skip
                col.append(None)
            continue
        weight.append(v.weight)
        models.append(",".join(v.models) if v.models else None)
        jobs.append(v.inference_count)
        jailed_until.append(v.jailed_until)
        rtu.append(v.ready_to_unjail)
        missed.append(v.missed_rate)
        invalidated.append(v.invalidation_rate)
        cpr.append(v.confirmation_poc_ratio)
        chain_status.append(v.chain_status)
        healthy.append(v.node_healthy)
        earned.append(None if v.earned_coins is None else str(v.earned_coins))
        ml_nodes.append(ML_NODE_SEP.join(v.ml_nodes) if v.ml_nodes else None)
        excluded.append(v.excluded_reason)
        inv_llr.append(v.invalid_llr)
        ina_llr.append(v.inactive_llr)
    return cols


async def upsert_cache(db: Executor, stats: Sequence[NodeStats]) -> None:
    """Write every node's cache row in one statement; UNKNOWN never overwrites a cached row.

    The column arrays are built :data:`BUILD_SLICE` nodes at a time, yielding to the event loop
    between slices (10,000 nodes would otherwise hold it for tens of milliseconds)."""
    cols: list[list[object]] = [[] for _ in range(CACHE_COLUMNS)]
    for start in range(0, len(stats), BUILD_SLICE):
        if start:
            await asyncio.sleep(0)
        for col, part in zip(cols, cache_rows(stats[start : start + BUILD_SLICE]), strict=True):
            col.extend(part)
    await db.execute(UPSERT_CACHE_SQL, *cols)


async def record_source_health(
    db: Executor, outcomes: Sequence[SourceOutcome], now: datetime, *, bookkeeping_only: bool = False
) -> None:
    """Update ``source_health``; ``bookkeeping_only`` leaves the alert engine's columns alone."""
    if not outcomes:
        return
    if bookkeeping_only:
        await db.execute(
            UPSERT_SOURCE_BOOKKEEPING_SQL,
            [o.source for o in outcomes],
            [o.ok for o in outcomes],
            [o.epoch_id for o in outcomes],
        )
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
