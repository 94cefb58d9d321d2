"""CRUD on ``alert_routes``: which group chats / channels get which alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from bot.db.types import Executor

Scope = Literal["all", "admin", "requests"]


@dataclass(frozen=True, slots=True)
class AlertRoute:
    platform: str
    chat_id: str
    scope: Scope
    created_by: UUID | None
    created_at: datetime


_COLUMNS = "platform, chat_id, scope, created_by, created_at"

UPSERT_ROUTE_SQL = f"""
INSERT INTO alert_routes (platform, chat_id, scope, created_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (platform, chat_id) DO UPDATE SET scope = EXCLUDED.scope, created_by = EXCLUDED.created_by,
    created_at = now()
RETURNING {_COLUMNS}
"""

DELETE_ROUTE_SQL = f"DELETE FROM alert_routes WHERE platform = $1 AND chat_id = $2 RETURNING {_COLUMNS}"

LIST_ROUTES_SQL = (
    f"SELECT {_COLUMNS} FROM alert_routes WHERE scope = ANY($1::text[]) ORDER BY platform, chat_id"
)


async def upsert_route(
    db: Executor, platform: str, chat_id: str, scope: Scope, created_by: UUID | None
) -> AlertRoute:
    row = await db.fetchrow(UPSERT_ROUTE_SQL, platform, chat_id, scope, created_by)
    assert row is not None
    return AlertRoute(**dict(row))


async def delete_route(db: Executor, platform: str, chat_id: str) -> AlertRoute | None:
    row = await db.fetchrow(DELETE_ROUTE_SQL, platform, chat_id)
    return None if row is None else AlertRoute(**dict(row))


async def list_routes(db: Executor, scopes: list[str]) -> list[AlertRoute]:
    return [AlertRoute(**dict(r)) for r in await db.fetch(LIST_ROUTES_SQL, scopes)]


MOVE_ROUTE_SQL = """
WITH moved AS (
    DELETE FROM alert_routes WHERE platform = $1 AND chat_id = $2
    RETURNING scope, created_by, created_at
)
INSERT INTO alert_routes (platform, chat_id, scope, created_by, created_at)
SELECT $1, $3, scope, created_by, created_at FROM moved
ON CONFLICT (platform, chat_id) DO NOTHING
RETURNING scope
"""


async def move_route(db: Executor, platform: str, old_chat_id: str, new_chat_id: str) -> Scope | None:
    """The chat got a new id (a Telegram group upgraded to a supergroup): its route follows. Returns
    the scope moved (None: the old chat had no route, or the new one had its own already)."""
    scope = await db.fetchval(MOVE_ROUTE_SQL, platform, old_chat_id, new_chat_id)
    return scope if scope in ("all", "admin", "requests") else None
