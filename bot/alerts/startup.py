"""The startup message to the admin channels (so operators know the bot and its channels work)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.alerts.compose import build_startup_notifications
from bot.alerts.recipients import admin_targets
from bot.config import Config
from bot.db.outbox import enqueue
from bot.db.types import Pool

log = logging.getLogger(__name__)


class StartupAnnouncement:
    """A one-shot component: enqueues "MineGNK Bot started" for every admin target of a running platform."""

    name = "startup-announcement"
    oneshot = True  # done once run() returns (the supervisor does not restart it)

    def __init__(self, pool: Pool, config: Config, platforms: Sequence[str]) -> None:
        self._pool = pool
        self._config = config
        self._platforms = set(platforms)
        self.instance = f"{socket.gethostname()}:{os.getpid()}"

    async def run(self) -> None:
        started = datetime.now(UTC)
        nodes = await self._pool.fetchval("SELECT count(*) FROM nodes")
        targets = [t for t in await admin_targets(self._pool, self._config) if t.platform in self._platforms]
        details = [
            f"Platforms: {', '.join(sorted(self._platforms))}",
            f"Watching {nodes} nodes; polling every {self._config.trackers.poll_interval_s:g}s",
        ]
        items = build_startup_notifications(
            targets, instance=self.instance, started_at=started, details=details
        )
        await enqueue(self._pool, items)
        log.info("startup message enqueued for %d admin chats", len(items))
