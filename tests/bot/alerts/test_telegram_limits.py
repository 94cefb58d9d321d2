"""The Telegram sender's per-chat limiters: groups also get the per-minute limit; idle ones are evicted."""

from __future__ import annotations

import asyncio
import time

from bot.alerts.delivery.telegram import IDLE_EVICT_S, ChatLimiters


async def test_groups_get_a_per_minute_limit_on_top_of_the_per_chat_one() -> None:
    limiters = ChatLimiters(per_chat_per_s=1000.0, per_group_per_min=20.0)
    for _ in range(20):
        await limiters.acquire(-100123)
    await limiters.acquire(777)
    # the 21st message to the group must wait (20 per minute); a private chat is not held back
    group = asyncio.create_task(limiters.acquire(-100123))
    private = asyncio.create_task(limiters.acquire(778))
    await asyncio.sleep(0.2)
    assert private.done() and not group.done()
    group.cancel()


async def test_idle_chat_limiters_are_evicted() -> None:
    limiters = ChatLimiters(per_chat_per_s=1.0, per_group_per_min=20.0)
    for chat in (1, 2, -3):
        await limiters.acquire(chat)
    assert len(limiters) == 3
    assert limiters.evict(time.monotonic() + 1) == 0
    assert limiters.evict(time.monotonic() + IDLE_EVICT_S + 1) == 3
    assert len(limiters) == 0
