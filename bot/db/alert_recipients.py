"""Who receives node alerts: linked users (with settings and mutes), routed channels, node labels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class NodeSubscriber:
    """One active linked user of one node, with their alert settings and mutes for it."""

    node_id: UUID
    user_id: UUID
    #: platform user ids; None when that platform is not linked or its target is disabled
    telegram: str | None
    discord: str | None
    #: the user's switches by setting name (bot/domain/conditions.py); a missing one is the default
    conditions: dict[str, bool]
    recovery: bool
    reminders: bool
    #: a timed mute (this node or all) is active
    muted_for_time: bool
    #: an until-resolved mute (this node or all) is active
    muted_until_resolved: bool


@dataclass(frozen=True, slots=True)
class NodeLabel:
    id: UUID
    identifier: str
    display_name: str | None

    @property
    def label(self) -> str:
        return self.display_name or self.identifier


SUBSCRIBERS_SQL = """
SELECT un.node_id, u.id AS user_id,
       CASE WHEN tg.disabled_at IS NULL THEN u.telegram END AS telegram,
       CASE WHEN dc.disabled_at IS NULL THEN u.discord END AS discord,
       coalesce(s.conditions, '{}'::jsonb) AS conditions,
       coalesce(s.recovery, true) AS recovery,
       coalesce(s.reminders, true) AS reminders,
       EXISTS (SELECT 1 FROM mutes m
               WHERE m.user_id = u.id AND (m.node_id = un.node_id OR m.node_id IS NULL)
                 AND NOT m.until_resolved AND m.until > $2) AS muted_for_time,
       EXISTS (SELECT 1 FROM mutes m
               WHERE m.user_id = u.id AND (m.node_id = un.node_id OR m.node_id IS NULL)
                 AND m.until_resolved AND (m.until IS NULL OR m.until > $2)) AS muted_until_resolved
FROM user_nodes un
JOIN users u ON u.id = un.user_id AND u.is_active
LEFT JOIN user_alert_settings s ON s.user_id = u.id
LEFT JOIN delivery_targets tg ON tg.platform = 'telegram' AND tg.target_id = u.telegram
LEFT JOIN delivery_targets dc ON dc.platform = 'discord' AND dc.target_id = u.discord
WHERE un.node_id = ANY($1::uuid[]) AND (u.telegram IS NOT NULL OR u.discord IS NOT NULL)
ORDER BY un.node_id, u.id
"""

ALERT_CHANNELS_SQL = """
SELECT r.platform, r.chat_id
FROM alert_routes r
LEFT JOIN delivery_targets dt ON dt.platform = r.platform AND dt.target_id = r.chat_id
WHERE r.scope = ANY($1::text[]) AND dt.disabled_at IS NULL
ORDER BY r.platform, r.chat_id
"""

DISABLED_TARGETS_SQL = """
SELECT platform, target_id FROM delivery_targets
WHERE disabled_at IS NOT NULL AND platform = ANY($1::text[]) AND target_id = ANY($2::text[])
"""

NODE_LABELS_SQL = "SELECT id, identifier, display_name FROM nodes WHERE id = ANY($1::uuid[])"

END_RESOLVED_NODE_MUTES_SQL = """
DELETE FROM mutes WHERE until_resolved AND node_id = ANY($1::uuid[]) RETURNING user_id, node_id
"""

# An all-nodes until-resolved mute ends once none of the user's nodes is in an alerted problem.
END_RESOLVED_ALL_MUTES_SQL = """
DELETE FROM mutes m
WHERE m.until_resolved AND m.node_id IS NULL
  AND m.user_id IN (SELECT un.user_id FROM user_nodes un WHERE un.node_id = ANY($1::uuid[]))
  AND NOT EXISTS (SELECT 1 FROM user_nodes un JOIN alert_state a ON a.node_id = un.node_id
                  WHERE un.user_id = m.user_id AND a.incident_id IS NOT NULL)
RETURNING user_id
"""


async def node_subscribers(db: Executor, node_ids: list[UUID], now: datetime) -> list[NodeSubscriber]:
    if not node_ids:
        return []
    rows = await db.fetch(SUBSCRIBERS_SQL, node_ids, now)
    out: list[NodeSubscriber] = []
    for r in rows:
        values: dict[str, Any] = {k: r[k] for k in NodeSubscriber.__slots__}
        values["conditions"] = _json(r["conditions"])
        out.append(NodeSubscriber(**values))
    return out


def _json(value: object) -> dict[str, bool]:
    data = json.loads(value) if isinstance(value, str) else value
    return {str(k): bool(v) for k, v in (data or {}).items()} if isinstance(data, dict) else {}


async def alert_channels(db: Executor, scopes: list[str]) -> list[tuple[str, str]]:
    """``(platform, chat_id)`` of routed channels with these scopes whose target is not disabled."""
    return [(r["platform"], r["chat_id"]) for r in await db.fetch(ALERT_CHANNELS_SQL, scopes)]


async def disabled_targets(db: Executor, targets: list[tuple[str, str]]) -> set[tuple[str, str]]:
    if not targets:
        return set()
    rows = await db.fetch(DISABLED_TARGETS_SQL, list({p for p, _ in targets}), [t for _, t in targets])
    return {(r["platform"], r["target_id"]) for r in rows}


async def node_labels(db: Executor, node_ids: list[UUID]) -> dict[UUID, NodeLabel]:
    if not node_ids:
        return {}
    rows = await db.fetch(NODE_LABELS_SQL, node_ids)
    return {r["id"]: NodeLabel(r["id"], r["identifier"], r["display_name"]) for r in rows}


async def end_until_resolved_mutes(db: Executor, recovered_node_ids: list[UUID]) -> int:
    """Delete until-resolved mutes of recovered nodes (and all-node ones with nothing left open)."""
    if not recovered_node_ids:
        return 0
    node_rows = await db.fetch(END_RESOLVED_NODE_MUTES_SQL, recovered_node_ids)
    all_rows = await db.fetch(END_RESOLVED_ALL_MUTES_SQL, recovered_node_ids)
    return len(node_rows) + len(all_rows)
