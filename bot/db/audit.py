"""Queries on ``admin_audit_log``: every admin action and every refused admin attempt."""

from __future__ import annotations

import json
from typing import Any, Literal
from uuid import UUID

from bot.db.types import Executor

Outcome = Literal["ok", "refused", "failed"]


INSERT_AUDIT_SQL = """
INSERT INTO admin_audit_log (actor_user_id, platform, platform_user_id, chat_id, action, target,
                             details, outcome)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
"""


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
