"""Queries on ``support_requests``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class SupportRequest:
    id: UUID
    number: int
    user_id: UUID
    type: str
    gpu_type: str | None
    quantity: int | None
    region: str | None
    budget: str | None
    network: str
    comments: str | None
    status: str
    admin_notes: str | None
    assigned_to: UUID | None
    processed_by: UUID | None
    processed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    #: the requester's email (joined)
    user_email: str = ""


_COLUMNS = (
    "r.id, r.number, r.user_id, r.type, r.gpu_type, r.quantity, r.region, r.budget, r.network, r.comments, "
    "r.status, r.admin_notes, r.assigned_to, r.processed_by, r.processed_at, r.created_at, r.updated_at, "
    "u.email AS user_email"
)

INSERT_REQUEST_SQL = f"""
WITH r AS (
    INSERT INTO support_requests (user_id, type, gpu_type, quantity, region, budget, comments)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    RETURNING *
)
SELECT {_COLUMNS} FROM r JOIN users u ON u.id = r.user_id
"""

LIST_BY_USER_SQL = f"""
SELECT {_COLUMNS} FROM support_requests r JOIN users u ON u.id = r.user_id
WHERE r.user_id = $1 ORDER BY r.number DESC
"""

LIST_BY_STATUS_SQL = f"""
SELECT {_COLUMNS} FROM support_requests r JOIN users u ON u.id = r.user_id
WHERE r.status = ANY($1::text[]) ORDER BY r.number DESC
"""

GET_FOR_UPDATE_SQL = f"""
SELECT {_COLUMNS} FROM support_requests r JOIN users u ON u.id = r.user_id
WHERE r.number = $1 FOR UPDATE OF r
"""

UPDATE_STATUS_SQL = f"""
WITH r AS (
    UPDATE support_requests SET status = $2, admin_notes = coalesce($3, admin_notes),
        processed_by = $4, processed_at = now(), assigned_to = coalesce($5, assigned_to)
    WHERE number = $1
    RETURNING *
)
SELECT {_COLUMNS} FROM r JOIN users u ON u.id = r.user_id
"""


def _request(row: asyncpg.Record) -> SupportRequest:
    return SupportRequest(**dict(row))


async def insert_request(
    db: Executor,
    user_id: UUID,
    type_: str,
    *,
    gpu_type: str | None,
    quantity: int | None,
    region: str | None,
    budget: str | None,
    comments: str | None,
) -> SupportRequest:
    row = await db.fetchrow(INSERT_REQUEST_SQL, user_id, type_, gpu_type, quantity, region, budget, comments)
    assert row is not None
    return _request(row)


async def list_by_user(db: Executor, user_id: UUID) -> list[SupportRequest]:
    return [_request(r) for r in await db.fetch(LIST_BY_USER_SQL, user_id)]


async def list_by_status(db: Executor, statuses: list[str]) -> list[SupportRequest]:
    return [_request(r) for r in await db.fetch(LIST_BY_STATUS_SQL, statuses)]


async def get_for_update(db: Executor, number: int) -> SupportRequest | None:
    row = await db.fetchrow(GET_FOR_UPDATE_SQL, number)
    return None if row is None else _request(row)


async def update_status(
    db: Executor,
    number: int,
    status: str,
    *,
    notes: str | None,
    processed_by: UUID | None,
    assigned_to: UUID | None = None,
) -> SupportRequest:
    row = await db.fetchrow(UPDATE_STATUS_SQL, number, status, notes, processed_by, assigned_to)
    assert row is not None
    return _request(row)


LOCK_USER_REQUESTS_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('minegnk:requests:' || $1::text, 0))"

COUNT_RECENT_SQL = """
SELECT count(*) FROM support_requests WHERE user_id = $1 AND created_at > now() - make_interval(secs => $2)
"""


async def count_recent_locked(conn: Executor, user_id: UUID, window_s: float) -> int:
    """The user's requests of the last ``window_s`` seconds; inside a transaction, holding the user's
    request lock until it ends (two replicas cannot both let a request past the limit)."""
    await conn.execute(LOCK_USER_REQUESTS_SQL, str(user_id))
    return int(await conn.fetchval(COUNT_RECENT_SQL, user_id, float(window_s)) or 0)
