"""``node_stats_cache`` writes (the poller's) and the freshness of what it holds.

One column list, :data:`INPUTS`, is the whole contract between a :class:`NodeStats` and the upsert:
each entry names an array parameter, its element type and how it is read from the record; the
statement and its parameter arrays are built from it. What the
cache stores from those inputs is :data:`TARGETS` (one SQL expression per table column).

A steady cycle rewrites nothing: the poller sends only rows that differ from what it last wrote, and
the statement's ``IS DISTINCT FROM`` guard skips any row whose stored content is already the same
(the first cycle after a start or a change of leader, when the poller remembers nothing). A row's
``fetched_at`` is therefore when its content was last written; how fresh a node's data is, is read
from ``node_stats_freshness`` (migration 0740): the later of ``fetched_at`` and the last successful
snapshot of the row's source (``source_health.last_fetched_at``), unless the node is listed in
``node_cache_unconfirmed`` (the last cycle could not judge it: its row and ``fetched_at`` stay as last
confirmed, as before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from uuid import UUID

from bot.db.types import Executor
from bot.domain.node_stats import NodeStats, ParticipantView

#: separates a row's ML-node ids in one text array element (the statement splits them again)
ML_NODE_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class Input:
    """One array parameter of the upsert: its name in ``unnest(...) AS u(...)``, element type, value."""

    name: str
    pg_type: str
    get: Callable[[NodeStats], object]


def _view(read: Callable[[ParticipantView], object]) -> Callable[[NodeStats], object]:
    def get(s: NodeStats) -> object:
        return None if s.view is None else read(s.view)

    return get


INPUTS: tuple[Input, ...] = (
    Input("node_id", "uuid", lambda s: s.node_id),
    Input("status", "text", lambda s: s.status.value),
    Input("status_reason", "text", lambda s: s.status_reason),
    Input("source", "text", lambda s: s.source),
    Input("fetched_at", "timestamptz", lambda s: s.fetched_at),
    Input("epoch_id", "int8", lambda s: s.epoch_id),
    Input("health_failures", "int4", lambda s: s.health_failures),
    Input("weight", "int8", _view(lambda v: v.weight)),
    Input("models", "text", _view(lambda v: ",".join(v.models) if v.models else None)),
    Input("jobs", "int4", _view(lambda v: v.inference_count)),
    Input("jailed_until", "timestamptz", _view(lambda v: v.jailed_until)),
    Input("ready_to_unjail", "bool", _view(lambda v: v.ready_to_unjail)),
    Input("missed_rate", "float8", _view(lambda v: v.missed_rate)),
    Input("invalidation_rate", "float8", _view(lambda v: v.invalidation_rate)),
    Input("confirmation_poc_ratio", "numeric", _view(lambda v: v.confirmation_poc_ratio)),
    Input("chain_status", "text", _view(lambda v: v.chain_status)),
    Input("node_healthy", "bool", _view(lambda v: v.node_healthy)),
    Input("earned_ngonka", "text", _view(lambda v: None if v.earned_coins is None else str(v.earned_coins))),
    Input("ml_nodes", "text", _view(lambda v: ML_NODE_SEP.join(v.ml_nodes) if v.ml_nodes else None)),
    Input("excluded_reason", "text", _view(lambda v: v.excluded_reason)),
    Input("invalid_llr", "numeric", _view(lambda v: v.invalid_llr)),
    Input("inactive_llr", "numeric", _view(lambda v: v.inactive_llr)),
)

#: the input (and record field) that says when the data was fetched: not part of a row's content
FRESHNESS_INPUT = "fetched_at"

#: table column -> its value, an SQL expression over ``u`` (the unnested inputs)
TARGETS: tuple[tuple[str, str], ...] = (
    ("node_id", "u.node_id"),
    ("status", "u.status"),
    ("status_reason", "u.status_reason"),
    ("source", "u.source"),
    ("fetched_at", "u.fetched_at"),
    ("epoch_id", "u.epoch_id"),
    ("voting_weight", "CASE WHEN u.weight >= 0 THEN u.weight::numeric END"),
    ("active_model", "left(u.models, 255)"),
    ("jobs_day", "u.jobs"),
    ("jailed_until", "u.jailed_until"),
    ("ready_to_unjail", "u.ready_to_unjail"),
    (
        "uptime_percent",
        "CASE WHEN u.missed_rate BETWEEN 0 AND 1 THEN round((100 * (1 - u.missed_rate))::numeric, 2) END",
    ),
    (
        "details",
        """jsonb_strip_nulls(jsonb_build_object(
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
           'ml_nodes',
           CASE WHEN u.ml_nodes <> '' THEN to_jsonb(string_to_array(u.ml_nodes, E'\\x1f')) END))""",
    ),
)


def _kept_details(new: str, old: str) -> str:
    """``details`` as written: the new keys, and the ledger's keys kept from the stored row (the
    poller's earnings refresh owns them)."""
    kept = ", ".join(f"'{k}', {old}.details->'{k}'" for k in ("earnings_source", "earnings_epoch"))
    return f"{new}.details || jsonb_strip_nulls(jsonb_build_object({kept}))"


#: what an update sets, per column
_UPDATES: dict[str, str] = {col: f"EXCLUDED.{col}" for col, _ in TARGETS if col != "node_id"} | {
    "details": _kept_details("EXCLUDED", "c")
}
#: the columns that make a row's content: every one but the key and the freshness
_CONTENT = [col for col, _ in TARGETS if col not in ("node_id", FRESHNESS_INPUT)]


def upsert_sql(*, skip_unchanged: bool = True) -> str:
    """The one-statement upsert of :data:`INPUTS` arrays. An unknown status never overwrites a cached
    row; with ``skip_unchanged`` a row whose content (every column but ``fetched_at``) is already
    stored is not touched at all: filtered out before the insert, so it is neither rewritten nor
    locked (``skip_unchanged=False`` is the plain upsert benchmarks compare against)."""
    params = ", ".join(f"${i}::{c.pg_type}[]" for i, c in enumerate(INPUTS, 1))
    lines = [
        f"INSERT INTO node_stats_cache AS c ({', '.join(col for col, _ in TARGETS)})",
        "SELECT t.* FROM (",
        f"    SELECT {', '.join(f'{expr} AS {col}' for col, expr in TARGETS)}",
        f"    FROM unnest({params}) AS u({', '.join(c.name for c in INPUTS)})",
        ") AS t",
    ]
    if skip_unchanged:
        new = [f"t.{col}" if col != "details" else _kept_details("t", "o") for col in _CONTENT]
        lines += [
            "WHERE NOT EXISTS (",
            "    SELECT 1 FROM node_stats_cache o WHERE o.node_id = t.node_id AND (t.status = 'unknown'",
            f"        OR ({', '.join(f'o.{col}' for col in _CONTENT)})",
            f"           IS NOT DISTINCT FROM ({', '.join(new)})))",
        ]
    lines += [
        "ON CONFLICT (node_id) DO UPDATE SET",
        ",\n".join(f"    {col} = {expr}" for col, expr in _UPDATES.items()),
        "-- an unknown status (failed, partial or inconsistent fetch; null fields) leaves a row untouched",
        "WHERE EXCLUDED.status <> 'unknown'",
    ]
    return "\n".join(lines)


UPSERT_SQL = upsert_sql()

#: nodes the cycle could not judge: before the sources' freshness moves on, a row that was fresh
#: through its source keeps that time as its own ``fetched_at``; then the node is listed as unconfirmed
HOLD_UNCONFIRMED_SQL = """
WITH held AS (  -- a data-modifying CTE always runs; both parts see the list as it was
    UPDATE node_stats_cache c SET fetched_at = h.last_fetched_at
    FROM source_health h
    WHERE c.node_id = ANY($1::uuid[]) AND h.source = c.source AND h.last_fetched_at > c.fetched_at
      AND NOT EXISTS (SELECT 1 FROM node_cache_unconfirmed u WHERE u.node_id = c.node_id)
    RETURNING c.node_id
)
INSERT INTO node_cache_unconfirmed (node_id, since)
SELECT n.id, $2::timestamptz FROM nodes n WHERE n.id = ANY($1::uuid[])
ON CONFLICT (node_id) DO NOTHING
"""

#: nodes judged again leave the list (an empty list, the steady case, costs nothing)
RELEASE_CONFIRMED_SQL = "DELETE FROM node_cache_unconfirmed WHERE NOT (node_id = ANY($1::uuid[]))"

Row = tuple[object, ...]


def row_of(s: NodeStats) -> Row:
    """The record's values in :data:`INPUTS` order."""
    return tuple(c.get(s) for c in INPUTS)


#: what decides whether a record's row must be written: every field of the record but the key and the
#: freshness (every input is read from the record, so equal fields give equal inputs; compared in C)
content_of: Callable[[NodeStats], tuple[object, ...]] = attrgetter(
    *(f.name for f in fields(NodeStats) if f.name not in ("node_id", FRESHNESS_INPUT))
)


def columns_of(rows: Sequence[Row]) -> list[list[object]]:
    """The parameter arrays of :data:`UPSERT_SQL` for ``rows``."""
    if not rows:
        return [[] for _ in INPUTS]
    return [list(col) for col in zip(*rows, strict=True)]


async def upsert(db: Executor, rows: Sequence[Row]) -> None:
    """Write ``rows`` in one statement (unknown never overwrites; unchanged rows are not rewritten)."""
    if rows:
        await db.execute(UPSERT_SQL, *columns_of(rows))


async def hold_unconfirmed(db: Executor, node_ids: Sequence[UUID], at: datetime) -> None:
    """Keep the last confirmed freshness of nodes this cycle could not judge, and list them."""
    if node_ids:
        await db.execute(HOLD_UNCONFIRMED_SQL, list(node_ids), at)


async def release_confirmed(db: Executor, unconfirmed: Sequence[UUID]) -> None:
    """Every node not in ``unconfirmed`` was judged this cycle: its freshness is its source's again."""
    await db.execute(RELEASE_CONFIRMED_SQL, list(unconfirmed))
