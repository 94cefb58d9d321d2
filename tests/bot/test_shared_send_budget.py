"""Replicas on one bot token share one send budget through PostgreSQL: together they never put more
than the rate into any one-second window, and a reply of one does not queue behind the other's fan-out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.alerts.delivery.telegram import SharedSlots, send_budget
from bot.config import TelegramConfig
from bot.db.send_budget import take_slot
from bot.db.types import Pool
from bot.ratelimit import Priority, SendBudget, SharedSendBudget

BOT_ID = 42


class Recording:
    """The shared slots, remembering the database time of every grant (what the window is kept by)."""

    def __init__(self, pool: Pool, window_s: float, margin_s: float = 0.0) -> None:
        self._pool = pool
        self._window_s = window_s
        self._margin_s = margin_s
        self.granted: list[datetime] = []

    def replica(self, owner: str) -> Callable[[int], Awaitable[float]]:
        async def take(room: int) -> float:
            answer = await take_slot(
                self._pool, BOT_ID, room, self._window_s, owner=owner, margin_s=self._margin_s
            )
            if answer.granted_at is not None:
                self.granted.append(answer.granted_at)
            return answer.wait_s

        return take


def most_in_one_window(stamps: list[datetime], window: timedelta) -> int:
    ordered = sorted(stamps)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, sum(1 for t in ordered[i:] if t < start + window))
    return best


async def test_two_replicas_together_never_exceed_the_rate_in_any_window(pool: Pool) -> None:
    rate = 5.0
    slots = Recording(pool, 1.0)
    # two processes, each with its own budget at the full rate (what each replica has today)
    replicas = [SharedSendBudget(SendBudget(rate), slots.replica(f"r{i}")) for i in range(2)]
    await asyncio.gather(*(r.acquire(Priority.BULK) for r in replicas for _ in range(6)))
    assert len(slots.granted) == 12
    # alone, each replica would have put 4 alerts (5 less the slot kept for replies) into the first
    # second: 8 together
    assert most_in_one_window(slots.granted, timedelta(seconds=1)) <= 4


async def test_a_reply_takes_the_slot_alert_fan_outs_of_every_replica_leave_free(pool: Pool) -> None:
    slots = Recording(pool, 1.0)
    a, b = (SharedSendBudget(SendBudget(4.0), slots.replica(name)) for name in "ab")
    # replica A's fan-out fills the shared window but for the slot kept for replies
    await asyncio.gather(*(a.acquire(Priority.BULK) for _ in range(3)))
    waits_before = b.waits
    await b.acquire(Priority.REPLY)  # replica B answers a command
    assert b.waits == waits_before  # granted at once, not after A's sends leave the window
    assert most_in_one_window(slots.granted, timedelta(seconds=1)) == 4


async def test_while_replicas_interleave_the_window_has_a_margin(pool: Pool) -> None:
    slots = Recording(pool, 1.0, margin_s=0.5)
    replicas = [SharedSendBudget(SendBudget(5.0), slots.replica(f"r{i}")) for i in range(2)]
    await asyncio.gather(*(r.acquire(Priority.BULK) for r in replicas for _ in range(5)))
    # their sends reach Telegram with different delays: no 1.5 s of grants holds more than the 4
    assert most_in_one_window(slots.granted, timedelta(seconds=1.5)) <= 4


async def test_the_shared_budget_is_what_the_bot_uses_by_default(pool: Pool) -> None:
    budget = send_budget(TelegramConfig(token="42:ABC"), pool)
    assert isinstance(budget, SharedSendBudget)
    assert budget.capacity == 30  # the default rate: every replica together
    assert isinstance(send_budget(TelegramConfig(token="42:ABC", shared_send_budget=False), pool), SendBudget)


async def test_without_the_database_sends_go_ahead_on_the_process_budget(pool: Pool) -> None:
    await pool.execute("DROP FUNCTION minegnk_take_send_slot")
    budget = SharedSendBudget(SendBudget(10.0), SharedSlots(pool, BOT_ID, 1.0))
    await asyncio.wait_for(budget.acquire(Priority.REPLY), 5)
    assert budget.waits == 0
