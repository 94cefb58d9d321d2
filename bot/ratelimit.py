"""The process-wide Telegram send budget: command replies first, alert delivery in the gaps.

Telegram lets a bot send about 30 messages per second overall, so command replies and alert delivery
share one budget. It hands out evenly spaced slots (a bucket of ``burst`` absorbs timer lateness; no
one-second window holds more than rate + burst sends). When both kinds wait, a reply takes the slot: a
user who typed a command never queues behind a burst of 80 alerts. Bulk sends also leave one slot in
the bucket while no reply waits (they go when the bucket is full, so they still get the whole rate):
a reply that arrives while alerts drain is sent at once instead of waiting for the next slot. So
that a busy hour of commands cannot starve alerts either, every ``bulk_every``-th contended slot goes
to bulk: alerts keep at least 1/``bulk_every`` of the rate whatever the command load.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections import deque
from collections.abc import Callable


class Priority(enum.Enum):
    REPLY = "reply"  # an answer to somebody waiting for it
    BULK = "bulk"  # alert and announcement delivery


class SendBudget:
    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: int = 2,
        bulk_every: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1 or bulk_every < 1:
            raise ValueError("rate_per_s must be > 0, burst and bulk_every >= 1")
        self.rate_per_s = rate_per_s
        self._interval = 1.0 / rate_per_s
        self._burst = float(burst)
        self._bulk_every = bulk_every
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._waiting: dict[Priority, deque[asyncio.Future[None]]] = {p: deque() for p in Priority}
        self._granter: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._replies_in_a_row = 0
        self.granted = {p: 0 for p in Priority}

    def waiting(self, priority: Priority) -> int:
        return sum(1 for f in self._waiting[priority] if not f.done())

    async def acquire(self, priority: Priority = Priority.BULK) -> None:
        """Wait for a send slot (FIFO within a priority)."""
        self._refill()
        ahead = self._waiting[Priority.REPLY] if priority is Priority.REPLY else self._any_waiting()
        if not any(not f.done() for f in ahead) and self._tokens >= self._need(priority):
            self._tokens -= 1
            self.granted[priority] += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[priority].append(fut)
        self._wake.set()  # a reply may be served before the slot the granter sleeps towards
        if self._granter is None:
            self._granter = asyncio.get_running_loop().create_task(self._grant(), name="send-budget")
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # granted as it was cancelled: the slot is unused
                self._tokens = min(self._burst, self._tokens + 1)
            raise

    def _any_waiting(self) -> list[asyncio.Future[None]]:
        return [*self._waiting[Priority.REPLY], *self._waiting[Priority.BULK]]

    def _need(self, priority: Priority) -> float:
        """Tokens that must be in the bucket to send: bulk keeps one back for a reply, unless
        replies are waiting (then it is bulk's guaranteed turn)."""
        if priority is Priority.REPLY or self._waiting[Priority.REPLY]:
            return 1.0
        return min(self._burst, 2.0)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) / self._interval)
        self._stamp = now

    def _pick(self) -> Priority | None:
        """Whose turn the next slot is (no side effects), None when nobody waits."""
        for q in self._waiting.values():
            while q and q[0].done():  # cancelled while waiting
                q.popleft()
        replies, bulk = self._waiting[Priority.REPLY], self._waiting[Priority.BULK]
        if replies and (not bulk or self._replies_in_a_row < self._bulk_every - 1):
            return Priority.REPLY
        return Priority.BULK if bulk else None

    async def _grant(self) -> None:
        try:
            while (priority := self._pick()) is not None:
                self._refill()
                need = self._need(priority)
                if self._tokens < need:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), (need - self._tokens) * self._interval)
                    continue
                contended = bool(self._waiting[Priority.BULK]) and bool(self._waiting[Priority.REPLY])
                self._tokens -= 1
                self._waiting[priority].popleft().set_result(None)
                self.granted[priority] += 1
                if priority is Priority.BULK:
                    self._replies_in_a_row = 0
                elif contended:
                    self._replies_in_a_row += 1
        finally:
            self._granter = None
