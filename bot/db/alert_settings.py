"""CRUD on ``user_alert_settings`` (a missing row, or a missing key, means the defaults).

``recovery``, ``reminders`` and ``requests`` are columns; every alert condition's switch is a key of
the ``conditions`` JSON object, named by the condition table's ``setting`` (bot/domain/conditions.py):
this module never lists the conditions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from bot.db.types import Executor

ColumnKind = Literal["recovery", "reminders", "requests"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("recovery", "reminders", "requests")


@dataclass(frozen=True, slots=True)
class AlertSettings:
    #: condition switches the user set, by setting name
    conditions: Mapping[str, bool] = field(default_factory=dict)
    recovery: bool = True
    reminders: bool = True
    requests: bool = True

    def enabled(self, kind: str, default: bool = True) -> bool:
        """A column kind's value, or a condition setting's (``default`` when never switched)."""
        if kind in COLUMN_KINDS:
            return bool(getattr(self, kind))
        return self.conditions.get(kind, default)


GET_SETTINGS_SQL = """
SELECT conditions, recovery, reminders, requests FROM user_alert_settings WHERE user_id = $1
"""

# One statement per column kind: column names cannot be parameters, and these are the only ones allowed.
SET_KIND_SQL: dict[ColumnKind, str] = {
    kind: f"""
INSERT INTO user_alert_settings (user_id, {kind}) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET {kind} = EXCLUDED.{kind}, updated_at = now()
"""
    for kind in COLUMN_KINDS
}

SET_CONDITION_SQL = """
INSERT INTO user_alert_settings (user_id, conditions) VALUES ($1, jsonb_build_object($2::text, $3::boolean))
ON CONFLICT (user_id) DO UPDATE
    SET conditions = user_alert_settings.conditions || jsonb_build_object($2::text, $3::boolean),
        updated_at = now()
"""


def _conditions(value: object) -> dict[str, bool]:
    data = json.loads(value) if isinstance(value, str) else value
    return {str(k): bool(v) for k, v in data.items()} if isinstance(data, dict) else {}


async def get_settings(db: Executor, user_id: UUID) -> AlertSettings:
    row = await db.fetchrow(GET_SETTINGS_SQL, user_id)
    if row is None:
        return AlertSettings()
    return AlertSettings(
        conditions=_conditions(row["conditions"]),
        recovery=row["recovery"],
        reminders=row["reminders"],
        requests=row["requests"],
    )


async def set_kind(db: Executor, user_id: UUID, kind: str, enabled: bool) -> AlertSettings:
    """Switch a column kind or a condition setting (the caller checked the name against the table)."""
    if kind in COLUMN_KINDS:
        await db.execute(SET_KIND_SQL[kind], user_id, enabled)
    else:
        await db.execute(SET_CONDITION_SQL, user_id, kind, enabled)
    return await get_settings(db, user_id)
