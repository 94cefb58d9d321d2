"""Event-loop lag: how late a 100 ms timer fires, as ``minegnk_event_loop_lag_seconds``.

Every command, poll and send shares one event loop, so any synchronous stretch of work delays all of
them by its length. This component measures that delay continuously; a stretch over ``warn_s`` is
logged (a regression to look for: a big payload parsed in one go, a long loop with no ``await``).
"""

from __future__ import annotations

import asyncio
import logging

from bot.metrics import Metrics

log = logging.getLogger(__name__)


class LoopLagMonitor:
    name = "loop-lag"

    def __init__(self, metrics: Metrics, *, interval_s: float = 0.1, warn_s: float = 0.5) -> None:
        self._metrics = metrics
        self._interval_s = interval_s
        self._warn_s = warn_s

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self._interval_s)
            lag = max(0.0, loop.time() - started - self._interval_s)
            self._metrics.loop_lag.observe(lag)
            if lag > self._warn_s:
                log.warning("event loop blocked for %.2f s: every command and send waited", lag)
