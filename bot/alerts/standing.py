"""A watcher who starts watching a node that already has a problem is told once (issue 14, item 5).

A new assignment or a newly linked platform makes a (user, node) pair that ``watch_intros`` does not
hold yet: the engine tells that user about each confirmed problem the node has (one
:attr:`~bot.alerts.events.EventKind.STANDING` event per problem, for that user only, through their
settings and mutes like any alert) and records the pair. The bot's very first cycle over an existing
fleet records every pair silently (the fleet's silent baseline); so does migration 0710 for the
watchers an existing installation already had.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from bot.alerts.events import EventKind, NodeEvent
from bot.db import watch_intros as db
from bot.db.types import Conn
from bot.domain.conditions import ConditionTable, Reading, State, parse_value


async def standing_events(
    conn: Conn,
    table: ConditionTable,
    now: datetime,
    readings: Mapping[tuple[uuid.UUID, str], Reading],
    *,
    first_cycle: bool,
) -> list[NodeEvent]:
    """Events for new watchers; ``readings`` are this cycle's problem readings by (node, group)."""
    watchers = await db.new_watchers(conn)
    if not watchers:
        return []
    await db.introduce(conn, watchers, now)
    if first_cycle:
        return []
    problems = await db.standing_problems(conn, sorted({w.node_id for w in watchers}))
    by_node: dict[uuid.UUID, list[db.StandingProblem]] = {}
    for p in problems:
        by_node.setdefault(p.node_id, []).append(p)
    events: list[NodeEvent] = []
    opened: list[tuple[uuid.UUID, str, uuid.UUID]] = []
    incident_of: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    for w in watchers:
        for p in by_node.get(w.node_id, ()):
            name, level = parse_value(p.value)
            cond = table.get(name) if name else None
            if cond is None or level is State.OK:
                continue
            key = (p.node_id, p.condition_group)
            incident = p.incident_id or incident_of.get(key)
            if incident is None:
                incident = incident_of[key] = uuid.uuid4()
                opened.append((p.node_id, p.condition_group, incident))
            events.append(
                NodeEvent(
                    kind=EventKind.STANDING,
                    node_id=p.node_id,
                    incident_id=incident,
                    status=p.value,
                    previous=p.value,
                    since=p.since,
                    reason=p.reason,
                    source=p.source,
                    incident_started_at=p.incident_started_at or p.since,
                    at=now,
                    condition=cond,
                    level=level,
                    reading=readings.get(key),
                    for_user=w.user_id,
                )
            )
    await db.open_incidents(conn, opened, now)
    return events
