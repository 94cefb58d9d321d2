"""``watch_intros``: which watchers (user, node) were told about the node's standing problems when
they started watching it, and the problems to tell the new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class Watcher:
    user_id: UUID
    node_id: UUID


@dataclass(frozen=True, slots=True)
class StandingProblem:
    node_id: UUID
    condition_group: str
    #: ``<condition>`` or ``<condition>:warning``
    value: str
    since: datetime
    incident_id: UUID | None
    incident_started_at: datetime | None
    reason: str | None
    source: str | None


# Watchers of nodes the engine has seen (alert_nodes), on at least one platform, not introduced yet.
NEW_WATCHERS_SQL = """
SELECT un.user_id, un.node_id
FROM user_nodes un
JOIN users u ON u.id = un.user_id AND u.is_active AND (u.telegram IS NOT NULL OR u.discord IS NOT NULL)
WHERE NOT EXISTS (SELECT 1 FROM watch_intros w WHERE w.user_id = un.user_id AND w.node_id = un.node_id)
  AND EXISTS (SELECT 1 FROM alert_nodes a WHERE a.node_id = un.node_id)
ORDER BY un.node_id, un.user_id
"""

INTRODUCE_SQL = """
INSERT INTO watch_intros (user_id, node_id, introduced_at)
SELECT t.user_id, t.node_id, $3 FROM unnest($1::uuid[], $2::uuid[]) AS t(user_id, node_id)
ON CONFLICT DO NOTHING
"""

STANDING_SQL = """
SELECT node_id, condition_group, notified_status AS value, status_since AS since, incident_id,
       incident_started_at, notified_reason AS reason, notified_source AS source
FROM alert_state
WHERE node_id = ANY($1::uuid[]) AND notified_status <> 'ok'
ORDER BY node_id, condition_group
"""

# A standing problem told to a new watcher becomes an open incident (its end is then announced),
# unless it already is one.
OPEN_INCIDENTS_SQL = """
UPDATE alert_state a SET incident_id = t.incident_id, incident_started_at = a.status_since,
                         last_notified_at = $4, updated_at = now()
FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS t(node_id, condition_group, incident_id)
WHERE a.node_id = t.node_id AND a.condition_group = t.condition_group AND a.incident_id IS NULL
"""


async def new_watchers(db: Executor) -> list[Watcher]:
    return [Watcher(r["user_id"], r["node_id"]) for r in await db.fetch(NEW_WATCHERS_SQL)]


async def introduce(db: Executor, watchers: list[Watcher], at: datetime) -> None:
    if watchers:
        await db.execute(INTRODUCE_SQL, [w.user_id for w in watchers], [w.node_id for w in watchers], at)


async def standing_problems(db: Executor, node_ids: list[UUID]) -> list[StandingProblem]:
    if not node_ids:
        return []
    return [StandingProblem(**dict(r)) for r in await db.fetch(STANDING_SQL, node_ids)]


async def open_incidents(db: Executor, opened: list[tuple[UUID, str, UUID]], at: datetime) -> None:
    if opened:
        await db.execute(
            OPEN_INCIDENTS_SQL, [o[0] for o in opened], [o[1] for o in opened], [o[2] for o in opened], at
        )
