"""Admin alerts about a component of this process down too long, and back (see :mod:`bot.supervisor`).

They go through the outbox to the admin channels of the platforms still running (the platform that
is down cannot carry its own alert).
"""

from __future__ import annotations

import logging
import os
import socket

from bot.alerts.compose import dedup_key, fmt_duration
from bot.alerts.recipients import admin_targets
from bot.config import Config
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.render.message import Message, Span
from bot.supervisor import ComponentChange

log = logging.getLogger(__name__)


def component_message(change: ComponentChange, instance: str) -> Message:
    since = change.down_since.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"Instance: {instance}", f"Down since {since} ({fmt_duration(change.at - change.down_since)})"]
    if change.back:
        title, severity = f"Component back: {change.component}", "success"
    else:
        title, severity = f"Component down: {change.component}", "critical"
        lines.append(f"Restart attempts: {change.failures}; retrying with backoff")
        if change.error:
            lines.append(f"Last error: {change.error[:300]}")
    return Message(title=title, severity=severity, lines=tuple((Span(text=line),) for line in lines))


class ComponentAlerts:
    """The supervisor's alert sink: enqueues one message per admin target of a running platform."""

    def __init__(self, pool: Pool, config: Config, instance: str | None = None) -> None:
        self._pool = pool
        self._config = config
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}"

    async def __call__(self, change: ComponentChange) -> None:
        targets = [
            t for t in await admin_targets(self._pool, self._config) if t.platform in change.platforms_up
        ]
        message = component_message(change, self.instance)
        kind = "component_back" if change.back else "component_down"
        keys = [self.instance, change.component, change.down_since.isoformat()]
        items = [
            NewNotification(
                platform=t.platform,
                target_kind=t.kind,
                target_id=t.target_id,
                kind=kind,
                message=message,
                dedup_key=dedup_key(kind, t, keys),
                detected_at=change.at,
            )
            for t in targets
        ]
        await enqueue(self._pool, items)
        log.info(
            "%s alert for %s enqueued for %d admin chats",
            kind,
            change.component,
            len(items),
            extra={"component": change.component},
        )
