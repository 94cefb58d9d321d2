"""The ``digests`` component: every ``digest.interval_s`` it enqueues the digests that are due.

A digest is due from the user's chosen local time for ``digest.max_delay_minutes``; later than that (the
bot was down at the hour) it is skipped for the day rather than sent late, so a restart never brings a
burst of yesterday's digests. Each goes through the outbox with the dedup key
``digest:<user>:<local date>:<platform>``: once a day per user and chat, across restarts and replicas.
Each is written in the language the person chose with ``/language`` (else English).
One replica composes at a time (a transaction-scoped advisory lock); the others skip the round.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from uuid import UUID

from bot.config import DigestConfig
from bot.db import digests as q
from bot.db import languages as languages_db
from bot.db import network_state
from bot.db.digests import DigestNode, SentAlert
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.digests.compose import DigestData, compose_digest
from bot.i18n.catalogs import Catalogs
from bot.services.local_time import zone_info

log = logging.getLogger(__name__)

#: digests composed per round at most (the rest follow on the next round, still inside their window)
BATCH = 500
ALERTS_LOOKBACK = timedelta(hours=24)


def _zone(name: str) -> tuple[tzinfo, str]:
    zone = zone_info(name)
    return (UTC, "UTC") if zone is None else (zone, name)


class Digests:
    name = "digests"

    def __init__(
        self,
        pool: Pool,
        config: DigestConfig,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        catalogs: Catalogs | None = None,
    ) -> None:
        self._pool = pool
        self._cfg = config
        self._clock = clock
        self._catalogs = catalogs or Catalogs()

    async def run(self) -> None:
        while True:
            await self.send_due()
            await asyncio.sleep(self._cfg.interval_s)

    async def send_due(self) -> int | None:
        """One round: the number of digests enqueued, or None when another replica holds the round."""
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            if not await q.try_round_lock(conn, self._cfg.lock_key):
                log.debug("another replica is composing digests")
                return None
            due = await q.due(conn, now, timedelta(minutes=self._cfg.max_delay_minutes), BATCH)
            if not due:
                return 0
            nodes = await q.nodes_of(conn, sorted({d.user_id for d in due}))
            epochs = await q.last_epochs(conn, sorted({n.node_id for n in nodes}))
            targets = [(d.platform, d.target_id) for d in due]
            alerts = await q.sent_alerts(conn, targets, now - ALERTS_LOOKBACK)
            network = await network_state.load(conn)
            languages = await languages_db.languages_of(conn, targets)
            nodes_by_user: dict[UUID, list[DigestNode]] = defaultdict(list)
            for n in nodes:
                nodes_by_user[n.user_id].append(n)
            alerts_by_target: dict[tuple[str, str], list[SentAlert]] = defaultdict(list)
            for a in alerts:
                alerts_by_target[(a.platform, a.target_id)].append(a)
            items = []
            for d in due:
                zone, zone_name = _zone(d.time_zone)
                data = DigestData(
                    t=self._catalogs.translator(languages.get((d.platform, d.target_id))),
                    zone=zone,
                    zone_name=zone_name,
                    now=now,
                    nodes=nodes_by_user[d.user_id],
                    last_epochs=epochs,
                    alerts=alerts_by_target[(d.platform, d.target_id)],
                    network=network,
                    upgrade_window_blocks=self._cfg.upgrade_window_blocks,
                )
                items.append(
                    NewNotification(
                        platform=d.platform,
                        target_kind="user",
                        target_id=d.target_id,
                        kind="digest",
                        message=compose_digest(data),
                        dedup_key=d.dedup_key,
                    )
                )
            created = await enqueue(conn, items)
        for d in due:
            log.info(
                "digest for user %s on %s (%s, due %s) enqueued",
                d.user_id,
                d.platform,
                d.local_date,
                d.due_at.isoformat(timespec="minutes"),
                extra={"platform": d.platform},
            )
        return len(created)
