"""/digest on Telegram: the hour is set in the chat and the digest arrives there, once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import DigestConfig
from bot.digests.scheduler import Digests
from tests.bot.telegram.conftest import USER_TG, Tg
from tests.helpers import give_node, wallet


async def test_digest_at_0700_moscow_is_set_and_arrives_once(tg: Tg) -> None:
    await tg.user("op@example.com", telegram=USER_TG)
    await give_node(tg.pool, "op@example.com", wallet(1), "rig-a", status="jailed")
    reply = await tg.reply(USER_TG, "/digest 07:00 Europe/Moscow")
    assert "07:00 Europe/Moscow (04:00 UTC)" in reply.text
    assert "not a time zone" in (await tg.reply(USER_TG, "/digest 07:00 Moscow/Kremlin")).text
    at = datetime(2026, 12, 7, 4, 0, 10, tzinfo=UTC)
    for minute in range(3):  # the scheduler keeps looking; the digest goes once
        await Digests(tg.pool, DigestConfig(), clock=lambda m=minute: at + timedelta(minutes=m)).send_due()
    worker = DeliveryWorker(tg.pool, TelegramSender(tg.config.telegram), tg.config.alerts)
    task = asyncio.create_task(worker.run())
    try:
        digest = (await tg.fake.wait_sent(USER_TG, 3))[-1]
        assert "Daily digest" in digest.text and "rig-a" in digest.text and "jailed" in digest.text
        await asyncio.sleep(0.5)
        assert len(tg.fake.sent_to(USER_TG)) == 3  # two replies and one digest
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
