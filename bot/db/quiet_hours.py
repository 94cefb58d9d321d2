"""``user_quiet_hours`` and the held notifications: the user's window, and folding what it held.

Holding happens as a notification is enqueued (:data:`bot.db.outbox.ENQUEUE_SQL` asks
``minegnk_quiet_until``); this module reads the held rows back when their window has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID

from bot.db.types import Executor
from bot.domain.platforms import Platform

#: the window the /settings button turns on (``/quiet`` sets any other)
DEFAULT_WINDOW = (time(23, 0), time(7, 0))
#: what goes at once inside the window unless the user says otherwise (conditions' names)
DEFAULT_URGENT = ("jailed", "excluded")


@dataclass(frozen=True, slots=True)
class QuietChoice:
    start: time
    end: time
    time_zone: str
    urgent: tuple[str, ...] = DEFAULT_URGENT


@dataclass(frozen=True, slots=True)
class HeldNotification:
    id: UUID
    platform: Platform
    target_id: str
    kind: str
    payload: dict[str, Any]
    incident_ids: tuple[UUID, ...]
    created_at: datetime
    held_until: datetime
    #: the user's zone (for the times shown); None when they turned quiet hours off meanwhile
    time_zone: str | None


SET_SQL = """
INSERT INTO user_quiet_hours (user_id, start_time, end_time, time_zone, urgent) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (user_id) DO UPDATE SET start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
                                    time_zone = EXCLUDED.time_zone, urgent = EXCLUDED.urgent,
                                    updated_at = now()
"""
GET_SQL = "SELECT start_time, end_time, time_zone, urgent FROM user_quiet_hours WHERE user_id = $1"
CLEAR_SQL = "DELETE FROM user_quiet_hours WHERE user_id = $1"

# What a user's chats hold now ends now: the next fold delivers it.
RELEASE_SQL = """
UPDATE notifications n SET held_until = $2, next_attempt_at = $2
FROM users u
WHERE u.id = $1 AND n.status = 'pending' AND n.held_until IS NOT NULL AND n.target_kind = 'user'
  AND ((n.platform = 'telegram' AND n.target_id = u.telegram)
       OR (n.platform = 'discord' AND n.target_id = u.discord))
"""

# Held rows whose window has ended, locked for this fold (another replica's fold skips them).
DUE_SQL = """
SELECT n.id, n.platform, n.target_id, n.kind, n.payload, n.incident_ids, n.created_at, n.held_until,
       q.time_zone
FROM notifications n
LEFT JOIN users u ON (n.platform = 'telegram' AND u.telegram = n.target_id)
                  OR (n.platform = 'discord' AND u.discord = n.target_id)
LEFT JOIN user_quiet_hours q ON q.user_id = u.id
WHERE n.status = 'pending' AND n.held_until IS NOT NULL AND n.held_until <= $1
ORDER BY n.platform, n.target_id, n.created_at
LIMIT $2
FOR UPDATE OF n SKIP LOCKED
"""

# The held rows folded into one summary: not sent on their own.
FOLDED_SQL = """
UPDATE notifications SET status = 'suppressed', held_until = NULL,
                         last_error = 'folded into the quiet-hours summary ' || $2::text
WHERE id = ANY($1::uuid[])
"""

# A lone held row needs no summary: it goes now, as it is.
RELEASE_ONE_SQL = """
UPDATE notifications SET held_until = NULL, next_attempt_at = least(next_attempt_at, $2)
WHERE id = ANY($1::uuid[])
"""


async def set_choice(db: Executor, user_id: UUID, choice: QuietChoice) -> None:
    await db.execute(SET_SQL, user_id, choice.start, choice.end, choice.time_zone, list(choice.urgent))


async def get_choice(db: Executor, user_id: UUID) -> QuietChoice | None:
    row = await db.fetchrow(GET_SQL, user_id)
    if row is None:
        return None
    return QuietChoice(row["start_time"], row["end_time"], row["time_zone"], tuple(row["urgent"]))


async def clear_choice(db: Executor, user_id: UUID) -> bool:
    return str(await db.execute(CLEAR_SQL, user_id)).endswith(" 1")


async def release_user(db: Executor, user_id: UUID, now: datetime) -> None:
    await db.execute(RELEASE_SQL, user_id, now)


async def due(db: Executor, now: datetime, limit: int) -> list[HeldNotification]:
    rows = await db.fetch(DUE_SQL, now, limit)
    return [
        HeldNotification(
            id=r["id"],
            platform=r["platform"],
            target_id=r["target_id"],
            kind=r["kind"],
            payload=r["payload"],
            incident_ids=tuple(r["incident_ids"]),
            created_at=r["created_at"],
            held_until=r["held_until"],
            time_zone=r["time_zone"],
        )
        for r in rows
    ]


async def mark_folded(db: Executor, ids: list[UUID], summary_id: UUID) -> None:
    await db.execute(FOLDED_SQL, ids, str(summary_id))


async def release(db: Executor, ids: list[UUID], now: datetime) -> None:
    await db.execute(RELEASE_ONE_SQL, ids, now)
