"""Queries on ``admin_audit_log``: every admin action and every refused admin attempt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from bot.db.types import Executor

Outcome = Literal["ok", "refused", "failed"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_user_id: UUID | None
    platform: str
    platform_user_id: str | None
    chat_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    outcome: Outcome
    created_at: datetime


_COLUMNS = (
    "id, actor_user_id, platform, platform_user_id, chat_id, action, target, details, outcome, created_at"
)

INSERT_AUDIT_SQL = """
INSERT INTO admin_audit_log (actor_user_id, platform, platform_user_id, chat_id, action, target,
                             details, outcome)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
"""

LIST_RECENT_AUDIT_SQL = f"SELECT {_COLUMNS} FROM admin_audit_log ORDER BY id DESC LIMIT $1"


def _entry(row: asyncpg.Record) -> AuditEntry:
    data = dict(row)
    details = data["details"]
    data["details"] = json.loads(details) if isinstance(details, str) else details
    return AuditEntry(**data)


async def record(
    db: Executor,
    *,
    actor_user_id: UUID | None,
    platform: str,
    platform_user_id: str | None,
    chat_id: str | None,
    action: str,
    target: str | None,
    outcome: Outcome,
    details: dict[str, Any] | None = None,
) -> None:
    await db.execute(
        INSERT_AUDIT_SQL,
        actor_user_id,
        platform,
        platform_user_id,
        chat_id,
        action,
        None if target is None else target[:255],
        # plain JSON values only (the pool's jsonb codec encodes them)
        json.loads(json.dumps(details or {}, default=str)),
        outcome,
    )


async def list_recent(db: Executor, limit: int = 50) -> list[AuditEntry]:
    return [_entry(r) for r in await db.fetch(LIST_RECENT_AUDIT_SQL, limit)]
