"""The notification outbox: enqueueing (used by services and the alert engine, inside their
transactions). Claiming and delivery are the delivery worker's (``bot.alerts.delivery.worker``), its
queries in ``bot.db.outbox_claims``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from bot.db.types import Executor
from bot.domain.platforms import Platform, TargetKind
from bot.render.message import Message

#: claim order of a notification kind (lower first, also within one target): node and monitoring
#: alerts 0 (every kind not listed), request notifications, the startup notice and digests 1, broadcasts 2;
#: so neither a broadcast to every user nor a burst of requests delays a node alert
CLAIM_PRIORITY: dict[str, int] = {
    "request_new": 1,
    "request_update": 1,
    "startup": 1,
    "digest": 1,
    "broadcast": 2,
}


def claim_priority(kind: str) -> int:
    return CLAIM_PRIORITY.get(kind, 0)


@dataclass(frozen=True, slots=True)
class NewNotification:
    platform: Platform
    target_kind: TargetKind
    target_id: str
    kind: str
    message: Message
    #: same key, same event: a second enqueue is ignored (restart safety)
    dedup_key: str | None = None
    incident_ids: tuple[UUID, ...] = field(default=())
    reply_to_incident: UUID | None = None
    detected_at: datetime | None = None
    #: the alert conditions a node notification is about (quiet hours hold those not marked urgent)
    conditions: tuple[str, ...] = field(default=())


# A node notification to a user inside their quiet hours, about no condition they marked urgent, is held:
# ``held_until`` the window's end, sent after a short grace (bot.quiet_hours folds it first).
ENQUEUE_SQL = """
INSERT INTO notifications (platform, target_kind, target_id, kind, payload, dedup_key,
                           incident_ids, reply_to_incident, detected_at, priority, conditions,
                           held_until, next_attempt_at)
SELECT p, tk, tid, k, pl::jsonb, dk, ARRAY(SELECT jsonb_array_elements_text(ii::jsonb)::uuid), rti, da, pr,
       c.names, q.until, coalesce(q.until + $12::interval, now())
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::uuid[], $9::timestamptz[], $10::smallint[], $11::text[])
     AS t(p, tk, tid, k, pl, dk, ii, rti, da, pr, cs)
CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(cs::jsonb)) AS names) AS c
LEFT JOIN LATERAL (
    SELECT minegnk_quiet_until(p, tid, now(), c.names) AS until
    WHERE tk = 'user' AND k LIKE 'node\\_%'
) AS q ON true
ON CONFLICT (dedup_key) DO NOTHING
RETURNING id
"""

#: how long after its window a held notification waits for the fold before it is sent on its own
HOLD_GRACE = timedelta(minutes=2)


async def enqueue(db: Executor, items: list[NewNotification]) -> list[UUID]:
    """Insert notifications in one statement; duplicates by ``dedup_key`` are skipped."""
    if not items:
        return []
    rows = await db.fetch(
        ENQUEUE_SQL,
        [i.platform for i in items],
        [i.target_kind for i in items],
        [i.target_id for i in items],
        [i.kind for i in items],
        [i.message.model_dump_json() for i in items],
        [i.dedup_key for i in items],
        [json.dumps([str(x) for x in i.incident_ids]) for i in items],
        [i.reply_to_incident for i in items],
        [i.detected_at for i in items],
        [claim_priority(i.kind) for i in items],
        [json.dumps(list(i.conditions)) for i in items],
        HOLD_GRACE,
    )
    return [r["id"] for r in rows]
