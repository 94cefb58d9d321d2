"""The ``quiet-hours`` component: when a user's quiet window ends, what it held goes out as one message.

Every ``interval_s`` it takes the held notifications whose window has ended (``FOR UPDATE SKIP LOCKED``,
so replicas share the work without doubling it) and, per chat, in one transaction: a lone one is
released as it is; two or more become one summary (:func:`~bot.quiet_hours.compose.compose_fold`),
enqueued with a dedup key, and the originals are marked folded. A held row the fold never reaches is
still sent on its own shortly after its window (``bot.db.outbox.HOLD_GRACE``): nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from bot.db import languages as languages_db
from bot.db import quiet_hours as q
from bot.db.outbox import NewNotification, enqueue
from bot.db.quiet_hours import HeldNotification
from bot.db.types import Pool
from bot.i18n.catalogs import Catalogs
from bot.quiet_hours.compose import compose_fold
from bot.services.local_time import zone_info

log = logging.getLogger(__name__)

#: held rows taken per round at most
BATCH = 1000


def _zone(name: str | None) -> tzinfo:
    return zone_info(name) or UTC


class QuietHoursFolder:
    name = "quiet-hours"

    def __init__(
        self,
        pool: Pool,
        *,
        interval_s: float = 20.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        catalogs: Catalogs | None = None,
    ) -> None:
        self._pool = pool
        self._interval_s = interval_s
        self._clock = clock
        self._catalogs = catalogs or Catalogs()

    async def run(self) -> None:
        while True:
            await self.fold_due()
            await asyncio.sleep(self._interval_s)

    async def fold_due(self) -> int:
        """One round: the number of chats whose held notifications went out."""
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            held = await q.due(conn, now, BATCH)
            by_chat: dict[tuple[str, str], list[HeldNotification]] = defaultdict(list)
            for h in held:
                by_chat[(h.platform, h.target_id)].append(h)
            languages = await languages_db.languages_of(conn, list(by_chat))
            # a lone held row needs no summary: all of them go now, as they are, in one statement
            await q.release(conn, [rows[0].id for rows in by_chat.values() if len(rows) == 1], now)
            for (platform, target_id), rows in by_chat.items():
                if len(rows) == 1:
                    continue
                window_end = max(r.held_until for r in rows)
                created = await enqueue(
                    conn,
                    [
                        NewNotification(
                            platform=rows[0].platform,
                            target_kind="user",
                            target_id=target_id,
                            kind="quiet_summary",  # not a node_ kind: never held itself
                            message=compose_fold(
                                rows,
                                _zone(rows[0].time_zone),
                                self._catalogs.translator(languages.get((platform, target_id))),
                            ),
                            dedup_key=f"quiet:{platform}:{target_id}:{window_end.isoformat()}:{rows[0].id}",
                            incident_ids=tuple(dict.fromkeys(i for r in rows for i in r.incident_ids)),
                        )
                    ],
                )
                # the key names the held rows, which this transaction has locked: always new
                await q.mark_folded(conn, [r.id for r in rows], created[0])
        for (platform, target_id), rows in by_chat.items():
            log.info(
                "quiet hours ended for chat %s: %d held notification(s) delivered%s",
                target_id,
                len(rows),
                "" if len(rows) == 1 else " as one",
                extra={"platform": platform},
            )
        return len(by_chat)
