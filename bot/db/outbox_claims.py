"""Delivery-side queries on the outbox (``notifications``) and ``delivery_targets``.

Workers claim due rows with ``FOR UPDATE SKIP LOCKED`` (replicas never claim the same row) and a lease
(``claimed_by``/``claimed_until``): a row whose worker died is claimed again once its lease expires.
Each target's rows are sent in order of priority, then age: a row is due only when no row to the same
target that goes before it is still undelivered, so a recovery never overtakes the alert it replies
to, and a node alert to the admin group never waits behind a queue of request notices. A row held for
the user's quiet hours (``held_until``) stands aside until it is due. Due rows are
claimed most urgent first (``priority``: node alerts, then request notifications, then broadcasts;
see :data:`bot.db.outbox.CLAIM_PRIORITY`), so a broadcast to every user never delays an alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from bot.db.types import Executor

CLAIM_SQL = """
WITH due AS (
    SELECT n.id
    FROM notifications n
    WHERE n.platform = $1
      AND n.status IN ('pending', 'sending')
      AND n.next_attempt_at <= now()
      AND (n.status = 'pending' OR n.claimed_until < now())
      -- never a row this worker is still sending, even if its lease ran out meanwhile
      AND n.id <> ALL($5::uuid[])
      -- the first undelivered row of its target, most urgent then oldest (a per-row index probe,
      -- whatever the statistics say)
      AND n.id = (
          SELECT o.id FROM notifications o
          WHERE o.platform = n.platform AND o.target_kind = n.target_kind AND o.target_id = n.target_id
            AND o.status IN ('pending', 'sending')
            -- a row held for quiet hours waits aside: it blocks nothing until it is due itself
            AND (o.held_until IS NULL OR o.next_attempt_at <= now())
          ORDER BY o.priority, o.created_at, o.id
          LIMIT 1)
    ORDER BY n.priority, n.next_attempt_at, n.created_at
    LIMIT $2
    FOR UPDATE OF n SKIP LOCKED
), claimed AS (
    UPDATE notifications n
    SET status = 'sending', claimed_by = $3, claimed_until = now() + make_interval(secs => $4),
        attempts = n.attempts + 1
    FROM due WHERE n.id = due.id
    RETURNING n.id, n.platform, n.target_kind, n.target_id, n.kind, n.payload, n.attempts,
              n.message_ids, n.reply_to_incident, n.detected_at, n.created_at, n.priority
)
SELECT c.*, dt.dm_channel_id,
       CASE WHEN dt.disabled_at IS NOT NULL THEN coalesce(dt.reason, 'disabled') END AS disabled_reason,
       r.reply_to_message_id
FROM claimed c
LEFT JOIN delivery_targets dt ON dt.platform = c.platform AND dt.target_id = c.target_id
LEFT JOIN LATERAL (
    SELECT o.message_ids[1] AS reply_to_message_id
    FROM notifications o
    WHERE c.reply_to_incident IS NOT NULL
      AND o.incident_ids @> ARRAY[c.reply_to_incident]
      AND o.platform = c.platform AND o.target_kind = c.target_kind AND o.target_id = c.target_id
      AND o.status = 'delivered' AND o.id <> c.id AND cardinality(o.message_ids) > 0
    ORDER BY o.created_at
    LIMIT 1
) r ON true
ORDER BY c.priority, c.created_at
"""

MARK_DELIVERED_SQL = """
UPDATE notifications
SET status = 'delivered', delivered_at = now(), message_ids = $2, claimed_by = NULL, claimed_until = NULL,
    last_error = NULL
WHERE id = $1 AND status <> 'delivered'
RETURNING delivered_at
"""

RESCHEDULE_SQL = """
UPDATE notifications
SET status = 'pending', next_attempt_at = now() + make_interval(secs => $2), last_error = $3,
    attempts = attempts - (CASE WHEN $4 THEN 0 ELSE 1 END), message_ids = $5,
    claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND status = 'sending' AND claimed_by = $6
"""

MARK_FAILED_SQL = """
UPDATE notifications
SET status = 'failed', last_error = $2, message_ids = $3, claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND status = 'sending'
"""

RENEW_SQL = """
UPDATE notifications SET claimed_until = now() + make_interval(secs => $3)
WHERE id = ANY($1::uuid[]) AND claimed_by = $2 AND status = 'sending'
RETURNING id
"""

RELEASE_SQL = """
UPDATE notifications
SET status = 'pending', claimed_by = NULL, claimed_until = NULL, attempts = greatest(attempts - 1, 0)
WHERE claimed_by = $1 AND status = 'sending' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
"""

DISABLE_TARGET_SQL = """
INSERT INTO delivery_targets (platform, target_id, disabled_at, reason, error_code)
VALUES ($1, $2, now(), $3, $4)
ON CONFLICT (platform, target_id) DO UPDATE SET
    disabled_at = coalesce(delivery_targets.disabled_at, now()), reason = EXCLUDED.reason,
    error_code = EXCLUDED.error_code, updated_at = now()
"""

ENABLE_TARGET_SQL = """
UPDATE delivery_targets SET disabled_at = NULL, reason = NULL, error_code = NULL, updated_at = now()
WHERE platform = $1 AND target_id = $2 AND disabled_at IS NOT NULL
RETURNING target_id
"""

RETARGET_SQL = """
UPDATE notifications SET target_id = $3
WHERE platform = $1 AND target_id = $2 AND (status = 'pending' OR id = $4)
"""

SET_DM_CHANNEL_SQL = """
INSERT INTO delivery_targets (platform, target_id, dm_channel_id) VALUES ($1, $2, $3)
ON CONFLICT (platform, target_id) DO UPDATE SET dm_channel_id = EXCLUDED.dm_channel_id, updated_at = now()
"""

DEPTH_SQL = """
SELECT platform, count(*) AS depth, extract(epoch FROM now() - min(created_at))::float8 AS oldest_s
FROM notifications WHERE status IN ('pending', 'sending')
GROUP BY platform
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    id: UUID
    platform: str
    target_kind: str
    target_id: str
    kind: str
    payload: dict[str, Any]
    #: attempts including this one
    attempts: int
    #: parts of a split message delivered by earlier attempts
    message_ids: tuple[str, ...]
    reply_to_incident: UUID | None
    detected_at: datetime | None
    created_at: datetime
    dm_channel_id: str | None
    #: set when the target was disabled (blocked bot, closed DMs): the row is failed unsent
    disabled_reason: str | None
    reply_to_message_id: str | None


def _claimed(row: asyncpg.Record) -> Claimed:
    values = {k: row[k] for k in Claimed.__slots__}
    values["message_ids"] = tuple(row["message_ids"] or ())
    return Claimed(**values)


async def claim(
    db: Executor,
    platform: str,
    worker: str,
    limit: int,
    lease_s: float,
    in_flight: Sequence[UUID] = (),
) -> list[Claimed]:
    """Claim up to ``limit`` due rows of this platform for ``worker``, none of ``in_flight`` (the
    rows it is sending now: a late heartbeat must not make it claim, count and send one twice)."""
    rows = await db.fetch(CLAIM_SQL, platform, limit, worker, float(lease_s), list(in_flight))
    return [_claimed(r) for r in rows]


async def mark_delivered(db: Executor, notification_id: UUID, message_ids: list[str]) -> datetime | None:
    """Record the platform's OK (whoever holds the claim: the message was delivered)."""
    value = await db.fetchval(MARK_DELIVERED_SQL, notification_id, message_ids)
    return value if isinstance(value, datetime) else None


async def reschedule(
    db: Executor,
    notification_id: UUID,
    worker: str,
    *,
    delay_s: float,
    error: str,
    count_attempt: bool,
    message_ids: list[str],
) -> None:
    await db.execute(
        RESCHEDULE_SQL, notification_id, float(delay_s), error[:2000], count_attempt, message_ids, worker
    )


async def mark_failed(db: Executor, notification_id: UUID, error: str, message_ids: list[str]) -> None:
    await db.execute(MARK_FAILED_SQL, notification_id, error[:2000], message_ids)


async def renew(db: Executor, ids: list[UUID], worker: str, lease_s: float) -> set[UUID]:
    """Extend this worker's leases on ``ids``; returns the ids it still held (the others were taken
    over by another worker after their lease ran out, or are no longer being sent)."""
    if not ids:
        return set()
    return {r["id"] for r in await db.fetch(RENEW_SQL, ids, worker, float(lease_s))}


async def release(db: Executor, worker: str, ids: list[UUID] | None = None) -> int:
    """Return this worker's in-flight rows to pending (on shutdown); the attempt is not counted."""
    status = await db.execute(RELEASE_SQL, worker, ids)
    return int(status.split()[-1])


async def disable_target(db: Executor, platform: str, target_id: str, reason: str, code: int) -> None:
    await db.execute(DISABLE_TARGET_SQL, platform, target_id, reason[:500], code)


async def enable_target(db: Executor, platform: str, target_id: str) -> bool:
    """Re-enable a disabled target (the user unblocked the bot and wrote to it); ``True`` if it was off."""
    return await db.fetchval(ENABLE_TARGET_SQL, platform, target_id) is not None


async def retarget(
    db: Executor, platform: str, old_target: str, new_target: str, including: UUID | None = None
) -> int:
    """Point the undelivered rows of a chat that changed id at the new one (pending rows, and
    ``including``: the row whose send found out); returns how many."""
    status = await db.execute(RETARGET_SQL, platform, old_target, new_target, including)
    return int(status.split()[-1])


async def set_dm_channel(db: Executor, platform: str, target_id: str, channel_id: str) -> None:
    await db.execute(SET_DM_CHANNEL_SQL, platform, target_id, channel_id)


async def depth(db: Executor) -> dict[str, tuple[int, float]]:
    """Per platform: undelivered rows and the age in seconds of the oldest."""
    return {r["platform"]: (int(r["depth"]), float(r["oldest_s"])) for r in await db.fetch(DEPTH_SQL)}
