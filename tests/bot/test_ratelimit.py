"""The shared Telegram send budget: replies before alerts and together, alerts never starved, no
one-second window over the rate.

Every test runs on an event loop on virtual time, the budget reading the loop's clock: the times
asserted are the schedule the budget made, exactly, however loaded the machine is."""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from bot.ratelimit import Priority, SendBudget
from tests.helpers import run_in_virtual_time


def in_virtual_time(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    @functools.wraps(test)
    def run() -> None:
        run_in_virtual_time(test)

    return run


def now() -> float:
    return asyncio.get_running_loop().time()


def make_budget(rate_per_s: float, **kw: Any) -> SendBudget:
    """A budget on the running loop's clock."""
    return SendBudget(rate_per_s, clock=now, **kw)


async def _order(budget: SendBudget, waiters: list[tuple[str, Priority]]) -> list[str]:
    """Queue every waiter (in list order) behind a full budget; the order they are served in."""
    served: list[str] = []

    async def one(name: str, priority: Priority) -> None:
        await budget.acquire(priority)
        served.append(name)

    tasks = []
    for name, priority in waiters:
        tasks.append(asyncio.create_task(one(name, priority)))
        await asyncio.sleep(0)  # enqueued in this order
    await asyncio.gather(*tasks)
    return served


async def _fill(budget: SendBudget) -> None:
    """Use the whole window (replies may: they go at once)."""
    for _ in range(budget.capacity):
        await budget.acquire(Priority.REPLY)


async def _stamped(budget: SendBudget, priorities: list[Priority]) -> list[float]:
    """Acquire once per priority, all at once; the sorted times the slots were granted."""
    stamps: list[float] = []

    async def one(priority: Priority) -> None:
        await budget.acquire(priority)
        stamps.append(now())

    await asyncio.gather(*(one(p) for p in priorities))
    return sorted(stamps)


@in_virtual_time
async def test_a_batch_of_replies_goes_at_once() -> None:
    budget = make_budget(28)
    t0 = now()
    await asyncio.gather(*(budget.acquire(Priority.REPLY) for _ in range(10)))
    # one getUpdates batch of ten commands: all at once, not one reply every 36 ms (the last 320 ms late)
    assert now() == t0


@in_virtual_time
async def test_a_reply_is_sent_before_a_queued_alert_burst() -> None:
    budget = make_budget(20)
    await _fill(budget)
    served = await _order(
        budget, [(f"alert{i}", Priority.BULK) for i in range(6)] + [("reply", Priority.REPLY)]
    )
    assert served.index("reply") == 0


@in_virtual_time
async def test_alerts_keep_a_share_of_the_slots_under_a_flood_of_replies() -> None:
    budget = make_budget(40, bulk_every=4)
    await _fill(budget)
    waiters = [(f"r{i}", Priority.REPLY) for i in range(30)] + [(f"a{i}", Priority.BULK) for i in range(5)]
    served = await _order(budget, waiters)
    first_alerts = [i for i, name in enumerate(served) if name.startswith("a")]
    # every 4th contended slot is an alert's: all five are out within the first 5 * 4 slots
    assert first_alerts[-1] <= 20
    assert [n for n in served if n.startswith("r")] == [f"r{i}" for i in range(30)]  # FIFO per priority


@in_virtual_time
async def test_no_one_second_window_holds_more_than_the_rate_whoever_sends() -> None:
    budget = make_budget(10)
    stamps = await _stamped(budget, [Priority.REPLY, Priority.BULK] * 8)
    assert all(later - first >= 1.0 - 1e-9 for first, later in zip(stamps, stamps[10:], strict=False))
    assert budget.granted == {Priority.REPLY: 8, Priority.BULK: 8}


@in_virtual_time
async def test_a_waiter_cancelled_in_the_queue_takes_no_slot_and_blocks_nobody() -> None:
    budget = make_budget(5)
    await _fill(budget)
    gone = asyncio.create_task(budget.acquire(Priority.REPLY))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.wait_for(budget.acquire(Priority.BULK), 2)
    assert budget.granted[Priority.REPLY] == 5


@in_virtual_time
async def test_alerts_are_paced_evenly_not_sent_in_a_burst() -> None:
    budget = make_budget(20)
    stamps = await _stamped(budget, [Priority.BULK] * 6)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 1 / 20 - 1e-9  # Telegram sees a steady 20/s, not six at once


@in_virtual_time
async def test_a_reply_during_an_alert_drain_takes_the_slot_kept_back_for_it() -> None:
    budget = make_budget(5)  # alerts every 200 ms, one slot of the window kept back
    drain = asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(7)))
    await asyncio.sleep(0.9)  # alerts at 0, 200, 400, 600 ms fill the window but for the kept slot
    t0 = now()
    await budget.acquire(Priority.REPLY)
    waited = now() - t0
    await drain
    assert waited < 0.05  # not the wait for the window's oldest send to age out at 1.0 s
    assert budget.granted == {Priority.REPLY: 1, Priority.BULK: 7}


@in_virtual_time
async def test_a_batch_of_replies_during_an_alert_drain_goes_at_once_while_commands_come() -> None:
    budget = make_budget(20)  # alerts every 50 ms; a quarter of the window kept while commands come
    await budget.acquire(Priority.REPLY)  # a command was answered: the bot is busy
    drain = asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(30)))
    await asyncio.sleep(0.9)  # the drain has filled the window but for the quarter kept back
    t0 = now()
    await asyncio.gather(*(budget.acquire(Priority.REPLY) for _ in range(5)))
    waited = now() - t0
    await drain
    assert waited < 0.1  # not one reply per slot the drain frees (about 50 ms apart: 200 ms for five)
    assert budget.granted == {Priority.REPLY: 6, Priority.BULK: 30}


@in_virtual_time
async def test_alerts_alone_still_get_the_rate_but_the_kept_slot() -> None:
    budget = make_budget(50)
    stamps = await _stamped(budget, [Priority.BULK] * 60)
    took = stamps[-1] - stamps[0]
    # 49 in the first second (one kept back), the other 11 at 50/s after it: about 1.2 s (2.4 s at
    # half the rate)
    assert 1.0 <= took < 2.0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        SendBudget(0)
    with pytest.raises(ValueError):
        SendBudget(10, bulk_every=0)
    with pytest.raises(ValueError):
        SendBudget(10, reserve=-1)
    with pytest.raises(ValueError):
        SendBudget(10, busy_share=1)
