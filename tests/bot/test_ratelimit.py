"""The shared Telegram send budget: replies before alerts, alerts never starved, the rate kept."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.ratelimit import Priority, SendBudget


async def _order(budget: SendBudget, waiters: list[tuple[str, Priority]]) -> list[str]:
    """Queue every waiter (in list order) behind an exhausted budget; the order they are served in."""
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


async def _exhaust(budget: SendBudget, n: int = 2) -> None:
    for _ in range(n):
        await budget.acquire(Priority.BULK)


async def test_a_reply_is_sent_before_a_queued_alert_burst() -> None:
    budget = SendBudget(500, burst=2)
    await _exhaust(budget)
    served = await _order(
        budget, [(f"alert{i}", Priority.BULK) for i in range(6)] + [("reply", Priority.REPLY)]
    )
    assert served.index("reply") <= 1  # at most the slot already being granted went to an alert


async def test_alerts_keep_a_share_of_the_slots_under_a_flood_of_replies() -> None:
    budget = SendBudget(1000, burst=1, bulk_every=4)
    await _exhaust(budget, 1)
    waiters = [(f"r{i}", Priority.REPLY) for i in range(30)] + [(f"a{i}", Priority.BULK) for i in range(5)]
    served = await _order(budget, waiters)
    first_alerts = [i for i, name in enumerate(served) if name.startswith("a")]
    # every 4th contended slot is an alert's: all five are out within the first 5 * 4 + 1 slots
    assert first_alerts[-1] <= 21
    assert [n for n in served if n.startswith("r")] == [f"r{i}" for i in range(30)]  # FIFO per priority


async def test_the_rate_is_kept_whoever_sends() -> None:
    budget = SendBudget(50, burst=2)
    t0 = time.monotonic()
    await asyncio.gather(*(budget.acquire(p) for p in [Priority.REPLY, Priority.BULK] * 6))
    # 12 sends at 50/s with a bucket of 2: the last cannot leave before (12 - 2) / 50 s
    assert time.monotonic() - t0 >= 10 / 50 - 0.01
    assert budget.granted == {Priority.REPLY: 6, Priority.BULK: 6}


async def test_a_waiter_cancelled_in_the_queue_takes_no_slot_and_blocks_nobody() -> None:
    budget = SendBudget(200, burst=1)
    await _exhaust(budget, 1)
    gone = asyncio.create_task(budget.acquire(Priority.REPLY))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.wait_for(budget.acquire(Priority.BULK), 1)
    assert budget.granted[Priority.REPLY] == 0
    assert budget.waiting(Priority.REPLY) == 0


async def test_an_idle_budget_sends_at_once() -> None:
    budget = SendBudget(1, burst=2)
    t0 = time.monotonic()
    await budget.acquire(Priority.REPLY)
    await budget.acquire(Priority.REPLY)
    assert time.monotonic() - t0 < 0.5  # the bucket's two slots, no waiting for the 1/s rate


async def test_a_reply_during_an_alert_drain_takes_the_slot_kept_back_for_it() -> None:
    budget = SendBudget(5, burst=2)  # a slot every 200 ms
    drain = asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(6)))
    await asyncio.sleep(0.25)  # alerts are draining at the full rate (slots at 0, 0, 200, 400 ms)
    t0 = time.monotonic()
    await budget.acquire(Priority.REPLY)
    waited = time.monotonic() - t0
    await drain
    assert waited < 0.1  # not the up-to-200 ms wait for the next slot
    assert budget.granted == {Priority.REPLY: 1, Priority.BULK: 6}


async def test_alerts_alone_still_get_the_whole_rate() -> None:
    budget = SendBudget(50, burst=2)
    t0 = time.monotonic()
    await asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(12)))
    took = time.monotonic() - t0
    assert 10 / 50 - 0.01 <= took < 0.4  # about 12 slots at 50/s (half the rate: 0.44 s)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        SendBudget(0)
    with pytest.raises(ValueError):
        SendBudget(10, bulk_every=0)
