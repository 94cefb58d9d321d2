"""The settled-income ledger: ``node_epoch_earnings`` (income per node and epoch, integer ngonka),
``settled_epochs`` (when each epoch's rewards settled: its UTC day is the ``earnings_history`` row it
counts in), ``earnings_history`` rebuilt from them, and ``reward_estimates`` (the chain's estimate of
the current epoch, once per node per epoch). The poller writes; every write is one set-based statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    node_id: UUID
    epoch_id: int
    income_ngonka: int
    source: str


@dataclass(frozen=True, slots=True)
class Settlement:
    epoch_id: int
    settled_at: datetime
    #: settled_at inferred (backfill after downtime, first start), not seen happen
    estimated: bool
    #: read from the bulk summary: every node watched then has its ledger row
    complete: bool
    source: str


@dataclass(frozen=True, slots=True)
class EstimateRow:
    node_id: UUID
    epoch_id: int
    #: both None: the chain has no estimate for the node (not in the epoch's active set)
    reward_ngonka: int | None
    work_ngonka: int | None
    fetched_at: datetime


LAST_SETTLED_SQL = """
SELECT epoch_id, settled_at, estimated, complete, source FROM settled_epochs ORDER BY epoch_id DESC LIMIT 1
"""

NODES_WITH_INCOME_SQL = "SELECT node_id FROM node_epoch_earnings WHERE epoch_id = $1"

INSERT_INCOME_SQL = """
INSERT INTO node_epoch_earnings (node_id, epoch_id, income_ngonka, source)
SELECT node_id, epoch_id, income::numeric, source
FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[]) AS u(node_id, epoch_id, income, source)
ON CONFLICT (node_id, epoch_id) DO NOTHING
"""

#: an epoch keeps the settlement time it was first recorded with; ``complete`` only ever turns on
RECORD_SETTLEMENTS_SQL = """
INSERT INTO settled_epochs AS s (epoch_id, settled_at, settled_day, estimated, complete, source)
SELECT epoch_id, settled_at, (settled_at AT TIME ZONE 'UTC')::date, estimated, complete, source
FROM unnest($1::int8[], $2::timestamptz[], $3::bool[], $4::bool[], $5::text[])
     AS u(epoch_id, settled_at, estimated, complete, source)
ON CONFLICT (epoch_id) DO UPDATE SET complete = true
WHERE EXCLUDED.complete AND NOT s.complete
"""

#: the ``earnings_history`` rows (of these nodes) of the UTC days these epochs settled on: the exact
#: sum of the node's epochs that settled that day, truncated to the column's 8 places; idempotent
REBUILD_HISTORY_SQL = """
INSERT INTO earnings_history (node_id, date, earnings_gnk, source)
SELECT e.node_id, s.settled_day, trunc(sum(e.income_ngonka) / 1000000000, 8),
       (array_agg(e.source ORDER BY e.epoch_id DESC))[1]
FROM settled_epochs s JOIN node_epoch_earnings e ON e.epoch_id = s.epoch_id
WHERE s.settled_day IN (SELECT settled_day FROM settled_epochs WHERE epoch_id = ANY($1::int8[]))
  AND ($2::uuid[] IS NULL OR e.node_id = ANY($2::uuid[]))
GROUP BY e.node_id, s.settled_day
ON CONFLICT (node_id, date) DO UPDATE SET
    earnings_gnk = EXCLUDED.earnings_gnk,
    source = EXCLUDED.source
WHERE (earnings_history.earnings_gnk, earnings_history.source)
      IS DISTINCT FROM (EXCLUDED.earnings_gnk, EXCLUDED.source)
"""

#: earnings_total (the ledger's sum) and earnings_day (the last settled epoch) of the cache rows
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

NODES_WITH_ESTIMATE_SQL = "SELECT node_id FROM reward_estimates WHERE epoch_id = $1"

UPSERT_ESTIMATES_SQL = """
INSERT INTO reward_estimates AS r (node_id, epoch_id, reward_ngonka, work_ngonka, fetched_at)
SELECT node_id, epoch_id, reward::numeric, work::numeric, fetched_at
FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::timestamptz[])
     AS u(node_id, epoch_id, reward, work, fetched_at)
ON CONFLICT (node_id) DO UPDATE SET
    epoch_id = EXCLUDED.epoch_id,
    reward_ngonka = EXCLUDED.reward_ngonka,
    work_ngonka = EXCLUDED.work_ngonka,
    fetched_at = EXCLUDED.fetched_at
"""


def _settlement(r: asyncpg.Record) -> Settlement:
    return Settlement(r["epoch_id"], r["settled_at"], r["estimated"], r["complete"], r["source"] or "")


async def last_settled(db: Executor) -> Settlement | None:
    row = await db.fetchrow(LAST_SETTLED_SQL)
    return None if row is None else _settlement(row)


async def nodes_with_income(db: Executor, epoch_id: int) -> set[UUID]:
    return {r[0] for r in await db.fetch(NODES_WITH_INCOME_SQL, epoch_id)}


async def record_income(db: Executor, entries: Sequence[LedgerEntry]) -> None:
    """Add settled income (idempotent: a node's epoch already recorded is kept as it was)."""
    if not entries:
        return
    await db.execute(
        INSERT_INCOME_SQL,
        [e.node_id for e in entries],
        [e.epoch_id for e in entries],
        [str(e.income_ngonka) for e in entries],
        [e.source for e in entries],
    )


async def record_settlements(db: Executor, settlements: Sequence[Settlement]) -> None:
    if not settlements:
        return
    await db.execute(
        RECORD_SETTLEMENTS_SQL,
        [s.epoch_id for s in settlements],
        [s.settled_at for s in settlements],
        [s.estimated for s in settlements],
        [s.complete for s in settlements],
        [s.source for s in settlements],
    )


async def rebuild_history(db: Executor, epochs: Sequence[int], node_ids: Sequence[UUID] | None) -> None:
    """Rebuild the ``earnings_history`` rows of the days ``epochs`` settled on (of ``node_ids``; None:
    every node)."""
    if not epochs:
        return
    await db.execute(REBUILD_HISTORY_SQL, list(epochs), None if node_ids is None else list(node_ids))


async def refresh_earnings(db: Executor, node_ids: Sequence[UUID] | None) -> None:
    """Recompute earnings_total (ledger sum) and earnings_day (last settled epoch); None: every node."""
    await db.execute(REFRESH_EARNINGS_SQL, None if node_ids is None else list(node_ids))


async def nodes_with_estimate(db: Executor, epoch_id: int) -> set[UUID]:
    return {r[0] for r in await db.fetch(NODES_WITH_ESTIMATE_SQL, epoch_id)}


async def save_estimates(db: Executor, rows: Sequence[EstimateRow]) -> None:
    if not rows:
        return
    await db.execute(
        UPSERT_ESTIMATES_SQL,
        [r.node_id for r in rows],
        [r.epoch_id for r in rows],
        [None if r.reward_ngonka is None else str(r.reward_ngonka) for r in rows],
        [None if r.work_ngonka is None else str(r.work_ngonka) for r in rows],
        [r.fetched_at for r in rows],
    )
