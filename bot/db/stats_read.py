"""Read queries on ``node_stats_cache`` and ``earnings_history`` (the poller owns the writes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from bot.db.types import Executor

NGONKA_PER_GNK = Decimal(10**9)


@dataclass(frozen=True, slots=True)
class CachedNodeStats:
    """Every column of ``node_stats_cache``."""

    node_id: UUID
    status: str | None
    status_reason: str | None
    earnings_day: Decimal | None
    earnings_total: Decimal | None
    uptime_percent: Decimal | None
    tokens_per_sec: Decimal | None
    jobs_day: int | None
    active_model: str | None
    voting_weight: Decimal | None
    epoch_id: int | None
    jailed_until: datetime | None
    ready_to_unjail: bool | None
    details: dict[str, Any]
    source: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class RewardEstimate:
    """The chain's estimate of a node's reward (reward + work) in the current epoch."""

    epoch_id: int
    #: None: the chain has no estimate for the node (not in the epoch's active set)
    gnk: Decimal | None


@dataclass(frozen=True, slots=True)
class DayEarning:
    node_id: UUID
    date: date
    earnings_gnk: Decimal


_STATS_COLUMNS = (
    "node_id, status, status_reason, earnings_day, earnings_total, uptime_percent, tokens_per_sec, "
    "jobs_day, active_model, voting_weight, epoch_id, jailed_until, ready_to_unjail, details, source"
)

# ``fetched_at`` is how fresh the node's data is (node_stats_freshness; a steady poll cycle does not
# rewrite the row, see bot.db.node_cache)
GET_STATS_SQL = f"""
SELECT {", ".join(f"c.{col.strip()}" for col in _STATS_COLUMNS.split(","))}, f.fresh_at AS fetched_at
FROM node_stats_cache c JOIN node_stats_freshness f ON f.node_id = c.node_id
WHERE c.node_id = ANY($1::uuid[])
"""

# Days are UTC; a period of N days is today and the N-1 days before it.
HISTORY_SQL = """
SELECT node_id, date, earnings_gnk FROM earnings_history
WHERE node_id = ANY($1::uuid[]) AND date > (now() AT TIME ZONE 'UTC')::date - $2::int
ORDER BY date, node_id
"""

#: a node's total over the period: the exact ledger (integer ngonka) of the epochs that settled on
#: each day, and the ``earnings_history`` row of any day the ledger has nothing for (Hyperfusion-era
#: or portal rows)
TOTALS_SQL = """
WITH ledger AS (
    SELECT e.node_id, s.settled_day AS date, sum(e.income_ngonka) AS ngonka
    FROM settled_epochs s JOIN node_epoch_earnings e ON e.epoch_id = s.epoch_id
    WHERE e.node_id = ANY($1::uuid[]) AND s.settled_day > (now() AT TIME ZONE 'UTC')::date - $2::int
    GROUP BY e.node_id, s.settled_day
)
SELECT node_id, sum(ngonka) AS ngonka, sum(gnk) AS gnk FROM (
    SELECT node_id, ngonka, NULL::numeric AS gnk FROM ledger
    UNION ALL
    SELECT h.node_id, NULL, h.earnings_gnk FROM earnings_history h
    WHERE h.node_id = ANY($1::uuid[]) AND h.date > (now() AT TIME ZONE 'UTC')::date - $2::int
      AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.node_id = h.node_id AND l.date = h.date)
) t
GROUP BY node_id
"""

ESTIMATES_SQL = """
SELECT node_id, epoch_id, reward_ngonka, work_ngonka FROM reward_estimates WHERE node_id = ANY($1::uuid[])
"""

UTC_TODAY_SQL = "SELECT (now() AT TIME ZONE 'UTC')::date"


def _stats(row: asyncpg.Record) -> CachedNodeStats:
    data = dict(row)
    if isinstance(data["details"], str):
        data["details"] = json.loads(data["details"])
    return CachedNodeStats(**data)


async def get_stats(db: Executor, node_ids: list[UUID]) -> dict[UUID, CachedNodeStats]:
    return {r["node_id"]: _stats(r) for r in await db.fetch(GET_STATS_SQL, node_ids)}


async def history(db: Executor, node_ids: list[UUID], days: int) -> list[DayEarning]:
    return [DayEarning(**dict(r)) for r in await db.fetch(HISTORY_SQL, node_ids, days)]


async def totals(db: Executor, node_ids: list[UUID], days: int) -> dict[UUID, Decimal]:
    """Each node's earnings of the last ``days`` UTC days, exact (ngonka summed, then divided)."""
    return {
        r["node_id"]: (r["ngonka"] or 0) / NGONKA_PER_GNK + (r["gnk"] or Decimal(0))
        for r in await db.fetch(TOTALS_SQL, node_ids, days)
    }


async def estimates(db: Executor, node_ids: list[UUID]) -> dict[UUID, RewardEstimate]:
    return {
        r["node_id"]: RewardEstimate(
            epoch_id=r["epoch_id"],
            gnk=None
            if r["reward_ngonka"] is None
            else (r["reward_ngonka"] + (r["work_ngonka"] or 0)) / NGONKA_PER_GNK,
        )
        for r in await db.fetch(ESTIMATES_SQL, node_ids)
    }


async def utc_today(db: Executor) -> date:
    value: date = await db.fetchval(UTC_TODAY_SQL)
    return value
