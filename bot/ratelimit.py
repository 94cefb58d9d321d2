"""The Telegram send budget: command replies first, alert delivery in the gaps, all replicas together.

Telegram lets a bot send about 30 messages per second overall, so command replies and alert delivery
share one budget, kept as a sliding window: no one-second window ever holds more than ``rate`` sends
(rounded down, at least one; below 1/s the window widens to ``1 / rate`` seconds and holds one).

- Replies may use the whole window at once. Telegram answers a ``getUpdates`` call with every update
  that arrived since the last one, so the replies to a batch of commands are due together: they go
  together, not one every ``1 / rate`` seconds.
- Bulk sends (alerts, announcements) are paced evenly at ``rate`` and leave slots of the window free
  for replies while no reply waits: ``reserve`` (one) while the bot is quiet, so a fan-out gets
  ``rate - 1`` per second, and a quarter of the window while commands are coming (a reply in the last
  ``busy_for_s``), so that a batch of replies arriving during an alert drain goes at once instead of
  queueing for the slots the drain frees one by one.
- When both wait for the same slot, a reply takes it, except every ``bulk_every``-th contended slot
  goes to bulk: a busy hour of commands cannot starve alerts (they keep 1/``bulk_every`` of the rate),
  and a user who typed a command never queues behind a burst of 80 alerts.
- Bulk sends keep to an even schedule: a grant a few milliseconds late does not push every later one
  back (that lateness cost 5 % of the rate), so a fan-out sustains ``rate - reserve`` per second.
- Several replicas on one token: :class:`SharedSendBudget` puts one window every replica shares
  (PostgreSQL) behind each process's :class:`SendBudget`, so together they never exceed the rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiolimiter import AsyncLimiter

IDLE_EVICT_S = 120.0
_EVICT_EVERY = 512
#: how late a paced grant may be and still keep the pacing schedule (see ``SendBudget._take``)
CATCH_UP_S = 0.004


class Priority(enum.Enum):
    REPLY = "reply"  # an answer to somebody waiting for it
    BULK = "bulk"  # alert and announcement delivery


class SendBudget:
    def __init__(
        self,
        rate_per_s: float,
        *,
        reserve: int = 1,
        busy_share: float = 0.25,
        busy_for_s: float = 10.0,
        bulk_every: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or reserve < 0 or not 0 <= busy_share < 1 or bulk_every < 1:
            raise ValueError("rate_per_s must be > 0, reserve >= 0, 0 <= busy_share < 1, bulk_every >= 1")
        self.window_s = max(1.0, 1.0 / rate_per_s)
        self.capacity = max(1, math.floor(rate_per_s * self.window_s + 1e-9))
        most = self.capacity - 1  # bulk always has one slot of the window
        self._reserve = min(reserve, most)
        self.reserve = self._reserve
        self._busy_reserve = min(max(self._reserve, math.floor(self.capacity * busy_share)), most)
        self._busy_for_s = busy_for_s
        self._last_reply = -math.inf
        self._interval = 1.0 / rate_per_s
        self._catch_up_s = min(self._interval / 4, CATCH_UP_S)
        self._bulk_every = bulk_every
        self._clock = clock
        self._sent: deque[float] = deque()  # when each send of the current window was granted
        self._next_bulk = -math.inf
        self._waiting: dict[Priority, deque[asyncio.Future[float]]] = {p: deque() for p in Priority}
        self._granter: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._replies_in_a_row = 0
        self.granted = {p: 0 for p in Priority}

    async def acquire(self, priority: Priority = Priority.BULK) -> None:
        """Wait for a send slot (FIFO within a priority)."""
        ahead = self._waiting[Priority.REPLY] if priority is Priority.REPLY else self._any_waiting()
        if not any(not f.done() for f in ahead):
            now = self._clock()
            if self._wait(priority, now) <= 0:
                self._take(priority, now)
                return
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[priority].append(fut)
        self._wake.set()  # a reply may be served before the slot the granter sleeps towards
        if self._granter is None:
            self._granter = asyncio.get_running_loop().create_task(self._grant(), name="send-budget")
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # granted as it was cancelled: the slot is unused
                with contextlib.suppress(ValueError):
                    self._sent.remove(fut.result())
            raise

    def _any_waiting(self) -> list[asyncio.Future[float]]:
        return [*self._waiting[Priority.REPLY], *self._waiting[Priority.BULK]]

    def _wait(self, priority: Priority, now: float) -> float:
        """Seconds until ``priority`` may send (<= 0: now)."""
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()
        room = self.capacity
        pace = 0.0
        if priority is Priority.BULK:
            pace = self._next_bulk - now
            self._prune()
            if not self._waiting[Priority.REPLY]:  # else it is bulk's guaranteed turn: the whole window
                busy = now - self._last_reply < self._busy_for_s
                room -= self._busy_reserve if busy else self._reserve
        if len(self._sent) < room:
            return pace
        # the send that must leave the window before this one fits
        return max(pace, self._sent[len(self._sent) - room] + self.window_s - now)

    def _take(self, priority: Priority, now: float) -> None:
        self._sent.append(now)
        self.granted[priority] += 1
        if priority is Priority.BULK:
            # keep the schedule when this grant came a little late (timer and event-loop lateness,
            # a millisecond or two a grant, would otherwise add up to 5 % of the rate); after a longer
            # pause start again from now, so the gap between two grants is at least interval - 4 ms
            late = now - self._next_bulk
            base = self._next_bulk if 0 <= late <= self._catch_up_s else now
            self._next_bulk = base + self._interval
        else:
            self._last_reply = now

    def _prune(self) -> None:
        """Drop waiters cancelled at the head of a queue: a queue that is not empty has one waiting."""
        for q in self._waiting.values():
            while q and q[0].done():
                q.popleft()

    def _pick(self) -> Priority | None:
        """Whose turn the next slot is, None when nobody waits."""
        self._prune()
        replies, bulk = self._waiting[Priority.REPLY], self._waiting[Priority.BULK]
        if replies and (not bulk or self._replies_in_a_row < self._bulk_every - 1):
            return Priority.REPLY
        return Priority.BULK if bulk else None

    async def _grant(self) -> None:
        try:
            while (priority := self._pick()) is not None:
                now = self._clock()
                wait = self._wait(priority, now)
                if wait > 0:
                    self._wake.clear()
                    # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
                    # that lands as the event fires, and the loop would never end
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await self._wake.wait()
                    continue
                contended = bool(self._waiting[Priority.BULK]) and bool(self._waiting[Priority.REPLY])
                self._take(priority, now)
                self._waiting[priority].popleft().set_result(now)  # the grant's time, to return it
                if priority is Priority.BULK:
                    self._replies_in_a_row = 0
                elif contended:
                    self._replies_in_a_row += 1
        finally:
            self._granter = None


class ChatLimiters:
    """Per-chat limiters (1/s, after a burst of ``burst``; groups also N/min), created on demand and
    evicted when idle."""

    def __init__(self, per_chat_per_s: float, per_group_per_min: float, *, burst: int = 1) -> None:
        self._burst = burst
        self._per_chat = per_chat_per_s
        self._per_group = per_group_per_min
        self._limiters: dict[int, tuple[list[AsyncLimiter], float]] = {}
        self._uses = 0

    def __len__(self) -> int:
        return len(self._limiters)

    async def acquire(self, chat_id: int) -> None:
        now = time.monotonic()
        self._uses += 1
        if self._uses % _EVICT_EVERY == 0:
            self.evict(now)
        entry = self._limiters.get(chat_id)
        if entry is None:
            limiters = [AsyncLimiter(self._burst, self._burst / self._per_chat)]
            if chat_id < 0:
                limiters.append(AsyncLimiter(self._per_group, 60.0))
        else:
            limiters = entry[0]
        self._limiters[chat_id] = (limiters, now)
        for limiter in limiters:
            await limiter.acquire()
        self._limiters[chat_id] = (limiters, time.monotonic())

    def evict(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        idle = [c for c, (_, used) in self._limiters.items() if now - used > IDLE_EVICT_S]
        for chat_id in idle:
            del self._limiters[chat_id]
        return len(idle)


class Budget(Protocol):
    """What a sender asks before each message: a slot, replies first."""

    async def acquire(self, priority: Priority = Priority.BULK) -> None: ...


#: asks the shared budget for one slot of its window with ``room`` sends at most; returns 0 when
#: granted, else the seconds until one frees
SlotTaker = Callable[[int], Awaitable[float]]


class SharedSendBudget:
    """The process's :class:`SendBudget` (priorities, pacing, replies together) in front of one budget
    every replica on the bot token shares (``take``: PostgreSQL, :mod:`bot.db.send_budget`).

    A send first takes its place in this process's budget, then a slot of the shared window: replies
    may fill it, bulk sends leave ``reserve`` slots for the replies of any replica. So two replicas
    together never send more than ``capacity`` in a window, and a reply of one does not queue behind
    the other's fan-out.
    """

    def __init__(self, local: SendBudget, take: SlotTaker) -> None:
        self.local = local
        self._take = take
        self.capacity = local.capacity
        self.window_s = local.window_s
        self._bulk_room = max(1, local.capacity - local.reserve)
        #: times this process waited for another replica's sends
        self.waits = 0

    async def acquire(self, priority: Priority = Priority.BULK) -> None:
        await self.local.acquire(priority)
        room = self.capacity if priority is Priority.REPLY else self._bulk_room
        while (wait := await self._take(room)) > 0:
            self.waits += 1
            await asyncio.sleep(wait)
