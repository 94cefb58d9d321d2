"""CRUD on ``user_alert_settings`` (a missing row means the defaults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from bot.db.types import Executor

AlertKind = Literal["jailed", "offline", "unhealthy", "recovery", "reminders", "requests"]
ALERT_KINDS: tuple[AlertKind, ...] = ("jailed", "offline", "unhealthy", "recovery", "reminders", "requests")


@dataclass(frozen=True, slots=True)
class AlertSettings:
    jailed: bool = True
    offline: bool = True
    unhealthy: bool = False
    recovery: bool = True
    reminders: bool = True
    requests: bool = True

    def enabled(self, kind: AlertKind) -> bool:
        return bool(getattr(self, kind))


GET_SETTINGS_SQL = """
SELECT jailed, offline, unhealthy, recovery, reminders, requests FROM user_alert_settings WHERE user_id = $1
"""

# One statement per kind: column names cannot be parameters, and these are the only ones allowed.
SET_KIND_SQL: dict[AlertKind, str] = {
    kind: f"""
INSERT INTO user_alert_settings (user_id, {kind}) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET {kind} = EXCLUDED.{kind}, updated_at = now()
"""
    for kind in ALERT_KINDS
}


async def get_settings(db: Executor, user_id: UUID) -> AlertSettings:
    row = await db.fetchrow(GET_SETTINGS_SQL, user_id)
    return AlertSettings() if row is None else AlertSettings(**dict(row))


async def set_kind(db: Executor, user_id: UUID, kind: AlertKind, enabled: bool) -> AlertSettings:
    await db.execute(SET_KIND_SQL[kind], user_id, enabled)
    return await get_settings(db, user_id)
