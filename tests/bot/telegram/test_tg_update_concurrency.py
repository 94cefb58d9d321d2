"""At most ``limits.max_concurrent_updates`` Telegram updates are handled at once (webhook mode hands
every update to the dispatcher at once: the bound is the dispatcher's, not only polling's)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram.types import Update

from bot.config import LimitsConfig
from bot.i18n.catalogs import Catalogs
from bot.services.language import LanguageService
from bot.services.throttle import Throttle
from bot.telegram.throttle_middleware import ThrottleUpdates


def command(update_id: int, user_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                "text": "/nodes",
            },
        }
    )


async def test_no_more_updates_than_the_bound_are_handled_at_once() -> None:
    # no one is refused here: the language service (for the slow-down notice) is never asked
    middleware = ThrottleUpdates(Throttle(LimitsConfig()), 3, LanguageService(None, Catalogs()))  # type: ignore[arg-type]
    running = 0
    most = 0
    release = asyncio.Event()

    async def handler(event: Any, data: dict[str, Any]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1

    tasks = [asyncio.create_task(middleware(handler, command(i, 1000 + i), {"bot": None})) for i in range(12)]
    async with asyncio.timeout(5):
        while running < 3:
            await asyncio.sleep(0)
    for _ in range(20):  # every other task has had its turn
        await asyncio.sleep(0)
    assert running == 3  # the other nine wait their turn
    release.set()
    await asyncio.gather(*tasks)
    assert most == 3
