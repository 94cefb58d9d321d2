"""Who gets which node event.

* Every active user linked to the node (``user_nodes``), on each platform they linked whose delivery
  target is not disabled, if their ``user_alert_settings`` want the event's condition (its
  ``setting``; a user who never switched it gets the condition's ``default_on``: every condition of
  the table has a setting, so none is silently never delivered) and no mute covers it. A timed
  mute (the node or all) suppresses everything; an until-resolved mute suppresses the alert and
  reminders but lets the recovery through (the mute then ends).
* Every channel routed with scope ``all`` or ``admin`` and every ``alerts.admin_*`` id: everything, but
  what an admin muted in that channel (``channel_mutes``: the node's or every node's events, as a
  user's mute does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from bot.alerts.events import EventKind, NodeEvent
from bot.config import Config
from bot.db.alert_recipients import NodeSubscriber, alert_channels, disabled_targets, node_subscribers
from bot.db.mutes import active_channel_mutes
from bot.db.types import Executor
from bot.domain.platforms import Platform, Target

ADMIN_SCOPES = ["all", "admin"]


@dataclass(slots=True)
class Plan:
    deliveries: dict[Target, list[NodeEvent]] = field(default_factory=dict)
    #: ``(platform, reason)`` per notification not sent: reason is ``muted`` or ``settings``
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    #: node -> the users watching it (incident summaries count them)
    watchers: dict[UUID, set[UUID]] = field(default_factory=dict)


def _suppression(sub: NodeSubscriber, event: NodeEvent) -> str | None:
    """Why this user does not get this event, or None when they do."""
    cond = event.condition
    if cond is not None and not sub.conditions.get(cond.setting, cond.default_on):
        return "settings"
    if event.kind is EventKind.RECOVERY and not sub.recovery:
        return "settings"
    if event.kind is EventKind.REMINDER and not sub.reminders:
        return "settings"
    if sub.muted_for_time:
        return "muted"
    if sub.muted_until_resolved and event.kind is not EventKind.RECOVERY:
        return "muted"
    return None


async def admin_targets(db: Executor, config: Config) -> list[Target]:
    """Routed admin/all channels plus the configured admin chats, minus disabled ones."""
    targets: set[Target] = set()
    for platform, chat_id in await alert_channels(db, ADMIN_SCOPES):
        targets.add(Target(platform, "channel", chat_id))  # type: ignore[arg-type]
    configured = [Target("telegram", "channel", str(i)) for i in config.alerts.admin_telegram_chat_ids]
    configured += [Target("discord", "channel", str(i)) for i in config.alerts.admin_discord_channel_ids]
    gone = await disabled_targets(db, [(t.platform, t.target_id) for t in configured])
    targets.update(t for t in configured if (t.platform, t.target_id) not in gone)
    return sorted(targets)


async def node_recipients(db: Executor, config: Config, events: list[NodeEvent], now: datetime) -> Plan:
    plan = Plan()
    per_target: defaultdict[Target, list[NodeEvent]] = defaultdict(list)
    by_node: defaultdict[UUID, list[NodeSubscriber]] = defaultdict(list)
    for sub in await node_subscribers(db, sorted({e.node_id for e in events}), now):
        by_node[sub.node_id].append(sub)
        plan.watchers.setdefault(sub.node_id, set()).add(sub.user_id)
    for event in events:
        for sub in by_node[event.node_id]:
            if event.for_user is not None and sub.user_id != event.for_user:
                continue
            platforms: list[tuple[Platform, str]] = []
            if sub.telegram is not None:
                platforms.append(("telegram", sub.telegram))
            if sub.discord is not None:
                platforms.append(("discord", sub.discord))
            reason = _suppression(sub, event)
            for platform, identity in platforms:
                if reason is None:
                    per_target[Target(platform, "user", identity)].append(event)
                else:
                    plan.suppressed.append((platform, reason))
    shared = [e for e in events if e.for_user is None]
    if shared:
        muted = await active_channel_mutes(db, sorted({e.node_id for e in shared}), now)
        for target in await admin_targets(db, config):
            here = [m for m in muted if (m.platform, m.chat_id) == (target.platform, target.target_id)]
            told = [
                e
                for e in shared
                if not any(m.silences(e.node_id, now, recovery=e.kind is EventKind.RECOVERY) for m in here)
            ]
            plan.suppressed.extend((target.platform, "muted") for _ in range(len(shared) - len(told)))
            if told:
                per_target[target].extend(told)
    plan.deliveries = dict(per_target)
    return plan
