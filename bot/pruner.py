"""The ``pruner`` component: nothing grows forever.

Every ``retention.interval_s`` one replica (the holder of a PostgreSQL advisory lock; the others skip
the round) deletes finished notifications, login records, spent link codes and audit rows older than
their retention period (``[retention]``), ``retention.batch_size`` rows per statement, each statement
its own short transaction, yielding to the event loop between batches. Undelivered notifications
(pending, sending) are never deleted.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.config import RetentionConfig
from bot.db import retention as q
from bot.db.types import Pool

log = logging.getLogger(__name__)


class Pruner:
    name = "pruner"

    def __init__(self, pool: Pool, config: RetentionConfig, *, first_delay_s: float = 60.0) -> None:
        self._pool = pool
        self._cfg = config
        self._first_delay_s = first_delay_s

    def periods(self) -> dict[str, float]:
        """Table -> retention in days."""
        return {
            "notifications": self._cfg.notifications_days,
            "login_records": self._cfg.login_records_days,
            "link_codes": self._cfg.link_codes_days,
            "admin_audit_log": self._cfg.admin_audit_days,
        }

    async def run(self) -> None:
        await asyncio.sleep(self._first_delay_s)
        while True:
            await self.prune_once()
            await asyncio.sleep(self._cfg.interval_s)

    async def prune_once(self) -> dict[str, int] | None:
        """One round; returns rows deleted per table, or ``None`` when another replica holds the lock."""
        async with self._pool.acquire() as conn:
            if not await q.try_lock(conn, self._cfg.lock_key):
                log.debug("another replica is pruning")
                return None
            try:
                return await self._prune_all()
            finally:
                await q.unlock(conn, self._cfg.lock_key)

    async def _prune_all(self) -> dict[str, int]:
        started = time.monotonic()
        deleted: dict[str, int] = {}
        for table, days in self.periods().items():
            total = 0
            while True:
                n = await q.prune_batch(self._pool, table, days, self._cfg.batch_size)
                total += n
                if n < self._cfg.batch_size:
                    break
                await asyncio.sleep(0)  # let commands and sends run between batches
            deleted[table] = total
        if any(deleted.values()):
            log.info(
                "pruned %s in %.1fs",
                ", ".join(f"{t} {n}" for t, n in deleted.items()),
                time.monotonic() - started,
            )
        return deleted
