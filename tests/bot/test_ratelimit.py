"""The shared Telegram send budget: replies before alerts and together, alerts never starved, no
one-second window over the rate."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.ratelimit import Priority, SendBudget


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
        stamps.append(time.monotonic())

    await asyncio.gather(*(one(p) for p in priorities))
    return sorted(stamps)


async def test_a_batch_of_replies_goes_at_once() -> None:
    budget = SendBudget(28)
    t0 = time.monotonic()
    await asyncio.gather(*(budget.acquire(Priority.REPLY) for _ in range(10)))
    # one getUpdates batch of ten commands: not one reply every 36 ms (the last 320 ms late)
    assert time.monotonic() - t0 < 0.2


async def test_a_reply_is_sent_before_a_queued_alert_burst() -> None:
    budget = SendBudget(20)
    await _fill(budget)
    served = await _order(
        budget, [(f"alert{i}", Priority.BULK) for i in range(6)] + [("reply", Priority.REPLY)]
    )
    assert served.index("reply") == 0


async def test_alerts_keep_a_share_of_the_slots_under_a_flood_of_replies() -> None:
    budget = SendBudget(40, bulk_every=4)
    await _fill(budget)
    waiters = [(f"r{i}", Priority.REPLY) for i in range(30)] + [(f"a{i}", Priority.BULK) for i in range(5)]
    served = await _order(budget, waiters)
    first_alerts = [i for i, name in enumerate(served) if name.startswith("a")]
    # every 4th contended slot is an alert's: all five are out within the first 5 * 4 slots
    assert first_alerts[-1] <= 20
    assert [n for n in served if n.startswith("r")] == [f"r{i}" for i in range(30)]  # FIFO per priority


async def test_no_one_second_window_holds_more_than_the_rate_whoever_sends() -> None:
    budget = SendBudget(10)
    stamps = await _stamped(budget, [Priority.REPLY, Priority.BULK] * 8)
    assert all(later - first >= 1.0 - 0.005 for first, later in zip(stamps, stamps[10:], strict=False))
    assert budget.granted == {Priority.REPLY: 8, Priority.BULK: 8}


async def test_a_waiter_cancelled_in_the_queue_takes_no_slot_and_blocks_nobody() -> None:
    budget = SendBudget(5)
    await _fill(budget)
    gone = asyncio.create_task(budget.acquire(Priority.REPLY))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.wait_for(budget.acquire(Priority.BULK), 2)
    assert budget.granted[Priority.REPLY] == 5
    assert budget.waiting(Priority.REPLY) == 0


async def test_alerts_are_paced_evenly_not_sent_in_a_burst() -> None:
    budget = SendBudget(20)
    stamps = await _stamped(budget, [Priority.BULK] * 6)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 1 / 20 - 0.005  # Telegram sees a steady 20/s, not six at once


async def test_a_reply_during_an_alert_drain_takes_the_slot_kept_back_for_it() -> None:
    budget = SendBudget(5)  # alerts every 200 ms, one slot of the window kept back
    drain = asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(7)))
    await asyncio.sleep(0.9)  # alerts at 0, 200, 400, 600 ms fill the window but for the kept slot
    t0 = time.monotonic()
    await budget.acquire(Priority.REPLY)
    waited = time.monotonic() - t0
    await drain
    assert waited < 0.05  # not the wait for the window's oldest send to age out at 1.0 s
    assert budget.granted == {Priority.REPLY: 1, Priority.BULK: 7}


async def test_a_batch_of_replies_during_an_alert_drain_goes_at_once_while_commands_come() -> None:
    budget = SendBudget(20)  # alerts every 50 ms; a quarter of the window kept while commands come
    await budget.acquire(Priority.REPLY)  # a command was answered: the bot is busy
    drain = asyncio.gather(*(budget.acquire(Priority.BULK) for _ in range(30)))
    await asyncio.sleep(0.9)  # the drain has filled the window but for the quarter kept back
    t0 = time.monotonic()
    await asyncio.gather(*(budget.acquire(Priority.REPLY) for _ in range(5)))
    waited = time.monotonic() - t0
    await drain
    assert waited < 0.1  # not one reply per slot the drain frees (about 50 ms apart: 200 ms for five)
    assert budget.granted == {Priority.REPLY: 6, Priority.BULK: 30}


async def test_alerts_alone_still_get_the_rate_but_the_kept_slot() -> None:
    budget = SendBudget(50)
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
