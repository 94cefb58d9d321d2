"""Queries on ``alert_state`` (the per-node alert state machine) and ``alert_nodes`` (which condition
groups of a node the engine has seen).

``alert_state`` is sparse (migration 0790): a group that is ok with nothing pending and no open
incident (:func:`is_quiet`) has no row, and reads ok once ``alert_nodes`` lists the group; a group the
engine has never seen has neither, and its first sight is a silent baseline."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from bot.db.types import Executor

_STATE_COLUMNS = (
    "node_id, condition_group, notified_status, status_since, pending_status, pending_count, pending_since, "
    "last_observed_status, last_observed_at, last_notified_at, reminders_sent, incident_id, "
    "incident_started_at, notified_reason, notified_source, episode"
)


@dataclass(frozen=True, slots=True)
class AlertState:
    """One node's state machine for one condition group (:mod:`bot.domain.conditions`)."""

    node_id: UUID
    #: the condition group (``status`` for jailed/offline/unhealthy; else the condition's name)
    condition_group: str
    #: the value the recipients were last told about (or the silent baseline): ``ok``, a condition's
    #: name (failing) or ``<condition>:warning``
    notified_status: str
    #: when ``notified_status`` began
    status_since: datetime
    pending_status: str | None = None
    pending_count: int = 0
    pending_since: datetime | None = None
    last_observed_status: str | None = None
    #: when the node was first observed in ``last_observed_status`` (its latest observation time is
    #: ``node_stats_freshness.fresh_at``: a steady node's state is not rewritten every cycle)
    last_observed_at: datetime | None = None
    last_notified_at: datetime | None = None
    reminders_sent: int = 0
    #: the open alert; recoveries and reminders reply to its message
    incident_id: UUID | None = None
    incident_started_at: datetime | None = None
    notified_reason: str | None = None
    notified_source: str | None = None
    #: the episode the notified problem belongs to (an exclusion: its epoch); a new one re-alerts
    episode: str | None = None

    @property
    def key(self) -> tuple[UUID, str]:
        return self.node_id, self.condition_group


#: the value of a group with no problem (``bot.domain.conditions.OK_VALUE``)
_OK = "ok"


def is_quiet(state: AlertState) -> bool:
    """Ok, nothing pending, no open incident: the state a missing row of a seen group stands for."""
    return (
        state.notified_status == _OK
        and state.pending_status is None
        and state.pending_count == 0
        and state.incident_id is None
    )


def quiet_state(node_id: UUID, group: str, at: datetime) -> AlertState:
    """What a seen group without a row is."""
    return AlertState(node_id, group, _OK, at, last_observed_status=_OK, last_observed_at=at)


# unlocked: only the poll cycle writes alert_state, and its write transactions are serialised by one
# advisory lock (bot.db.poll_lock), which costs no WAL where row locks on every state did
LOAD_STATES_SQL = f"""
SELECT {_STATE_COLUMNS} FROM alert_state WHERE node_id = ANY($1::uuid[])
ORDER BY node_id, condition_group
"""

SAVE_STATES_SQL = """
INSERT INTO alert_state (node_id, condition_group, notified_status, status_since, pending_status,
                         pending_count, pending_since, last_observed_status, last_observed_at,
                         last_notified_at, reminders_sent, incident_id, incident_started_at,
                         notified_reason, notified_source, episode, updated_at)
SELECT t.*, now()
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::int[],
            $7::timestamptz[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::int[],
            $12::uuid[], $13::timestamptz[], $14::text[], $15::text[], $16::text[])
     AS t(node_id, condition_group, notified_status, status_since, pending_status, pending_count,
          pending_since, last_observed_status, last_observed_at, last_notified_at, reminders_sent,
          incident_id, incident_started_at, notified_reason, notified_source, episode)
ON CONFLICT (node_id, condition_group) DO UPDATE SET
    notified_status = EXCLUDED.notified_status,
    status_since = EXCLUDED.status_since,
    pending_status = EXCLUDED.pending_status,
    pending_count = EXCLUDED.pending_count,
    pending_since = EXCLUDED.pending_since,
    last_observed_status = EXCLUDED.last_observed_status,
    last_observed_at = EXCLUDED.last_observed_at,
    last_notified_at = EXCLUDED.last_notified_at,
    reminders_sent = EXCLUDED.reminders_sent,
    incident_id = EXCLUDED.incident_id,
    incident_started_at = EXCLUDED.incident_started_at,
    notified_reason = EXCLUDED.notified_reason,
    notified_source = EXCLUDED.notified_source,
    episode = EXCLUDED.episode,
    updated_at = now()
"""


def _state(row: asyncpg.Record) -> AlertState:
    return AlertState(**{k: row[k] for k in AlertState.__slots__})


#: rows per slice when loading or saving many states (a whole fleet is a few statements, each
#: encoded or decoded quickly enough that the event loop is never held for long)
BATCH = 2000


async def load_states(db: Executor, node_ids: list[UUID]) -> dict[tuple[UUID, str], AlertState]:
    """The stored states of these nodes (every group), locked for the rest of the transaction."""
    if not node_ids:
        return {}
    rows = await db.fetch(LOAD_STATES_SQL, node_ids)
    states: dict[tuple[UUID, str], AlertState] = {}
    for start in range(0, len(rows), BATCH):
        if start:
            await asyncio.sleep(0)
        states.update(((r["node_id"], r["condition_group"]), _state(r)) for r in rows[start : start + BATCH])
    return states


async def save_states(db: Executor, states: list[AlertState]) -> None:
    """Insert or update the states, :data:`BATCH` rows per statement."""
    for start in range(0, len(states), BATCH):
        batch = states[start : start + BATCH]
        cols = [[getattr(s, k) for s in batch] for k in AlertState.__slots__]
        await db.execute(SAVE_STATES_SQL, *cols)


async def get_state(db: Executor, node_id: UUID, group: str = "status") -> AlertState | None:
    row = await db.fetchrow(
        f"SELECT {_STATE_COLUMNS} FROM alert_state WHERE node_id = $1 AND condition_group = $2",
        node_id,
        group,
    )
    return None if row is None else _state(row)


DELETE_STATES_SQL = """
DELETE FROM alert_state a USING unnest($1::uuid[], $2::text[]) AS t(node_id, condition_group)
WHERE a.node_id = t.node_id AND a.condition_group = t.condition_group
"""


async def delete_states(db: Executor, keys: list[tuple[UUID, str]]) -> None:
    """Drop the rows of groups that became quiet (ok again, nothing pending)."""
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        await db.execute(DELETE_STATES_SQL, [k[0] for k in batch], [k[1] for k in batch])


ANY_STATE_SQL = "SELECT EXISTS (SELECT 1 FROM alert_nodes)"


async def any_state(db: Executor) -> bool:
    """Whether the engine has ever recorded a baseline (False only before the bot's first cycle)."""
    return bool(await db.fetchval(ANY_STATE_SQL))


#: of these nodes, those whose seen groups do not cover ``$2`` (every group of the table), with the
#: groups they have (none for a node never seen); a steady fleet returns no row
UNSEEN_SQL = """
SELECT u.node_id, array_to_string(coalesce(a.groups, '{}'), ' ') AS groups
FROM unnest($1::uuid[]) AS u(node_id) LEFT JOIN alert_nodes a ON a.node_id = u.node_id
WHERE a.node_id IS NULL OR NOT a.groups @> $2::text[]
"""


async def unseen_groups(db: Executor, node_ids: list[UUID], groups: list[str]) -> dict[UUID, frozenset[str]]:
    """The nodes not seen in every one of ``groups``, each with the groups it was seen in; a node
    missing from the answer was seen in all of them."""
    if not node_ids:
        return {}
    rows = await db.fetch(UNSEEN_SQL, node_ids, groups)
    sets: dict[str, frozenset[str]] = {}  # most nodes were seen in the same groups: one set each
    out: dict[UUID, frozenset[str]] = {}
    for node_id, text in rows:
        got = sets.get(text)
        if got is None:
            got = sets[text] = frozenset(text.split())
        out[node_id] = got
    return out


SEEN_SQL = """
INSERT INTO alert_nodes AS a (node_id, groups, since)
SELECT t.node_id, array_agg(DISTINCT t.grp ORDER BY t.grp), $3
FROM unnest($1::uuid[], $2::text[]) AS t(node_id, grp)
WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = t.node_id)
GROUP BY t.node_id
ON CONFLICT (node_id) DO UPDATE
SET groups = ARRAY(SELECT DISTINCT g FROM unnest(a.groups || EXCLUDED.groups) AS g ORDER BY g)
"""


async def record_seen(db: Executor, seen: list[tuple[UUID, str]], at: datetime) -> None:
    """Record first sights of (node, group): from now on a missing row of the group reads ok."""
    step = BATCH * 5
    for start in range(0, len(seen), step):
        batch = seen[start : start + step]
        await db.execute(SEEN_SQL, [k[0] for k in batch], [k[1] for k in batch], at)
