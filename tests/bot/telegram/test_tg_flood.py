"""One person flooding the bot: they get their burst of answers and one "slow down", the rest is
dropped unanswered; another person's command is answered and their jail alert delivered meanwhile."""

from __future__ import annotations

import asyncio
import contextlib

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import LimitsConfig
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.render.message import Message
from bot.services.throttle import Verdict
from tests.bot.telegram.conftest import running, telegram_config
from tests.fakes.telegram_api import FakeTelegram

FLOODER = 700777
OTHER = 700888
FLOOD = 150
BURST = 3


async def test_a_flooder_is_told_to_slow_down_once_and_nobody_else_waits(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    limits = LimitsConfig(actions_burst=BURST, max_concurrent_updates=4)
    config = telegram_config(db_url, telegram_api).model_copy(update={"limits": limits})
    async with running(telegram_api, pool, config) as tg:
        worker = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts)
        delivery = asyncio.create_task(worker.run())
        try:
            await asyncio.wait_for(worker.ready.wait(), 10)
            for _ in range(FLOOD):
                telegram_api.command(FLOODER, "/help")
            await enqueue(
                pool,
                [NewNotification("telegram", "user", str(OTHER), "jailed", Message.text("Jailed: rig-8"))],
            )
            [alert] = await telegram_api.wait_sent(OTHER, 1, timeout=10)
            assert "Jailed: rig-8" in alert.shown
            answer = await tg.reply(OTHER, "/help")
            assert "/help" in answer.shown or "help" in answer.shown.lower()

            throttle = tg.services.throttle
            async with asyncio.timeout(10):  # every flooded update has been seen
                while sum(throttle.refused.values()) < FLOOD - BURST:
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # a late extra reply would show here
        finally:
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery
    to_flooder = telegram_api.sent_to(FLOODER)
    slow_downs = [m for m in to_flooder if "Slow down" in m.shown]
    assert len(slow_downs) == 1
    assert len(to_flooder) == BURST + 1  # not an answer per command
    assert throttle.refused == {Verdict.SLOW_DOWN: 1, Verdict.DROP: FLOOD - BURST - 1}


async def test_a_russian_flooder_is_told_to_slow_down_in_russian(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    limits = LimitsConfig(actions_burst=1)
    config = telegram_config(db_url, telegram_api).model_copy(update={"limits": limits})
    telegram_api.language_codes[FLOODER] = "ru"
    async with running(telegram_api, pool, config):
        for _ in range(3):
            telegram_api.command(FLOODER, "/help")
        sent = await telegram_api.wait_sent(FLOODER, 2, timeout=10)  # the answer and the notice, either order
    [slow_down] = [m for m in sent if "Не так быстро" in m.shown]
    assert "Подождите минуту" in slow_down.shown
