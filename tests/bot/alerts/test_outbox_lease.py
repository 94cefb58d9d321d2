"""A lease that runs out while its own worker is still sending must not make that worker send twice."""

from __future__ import annotations

import asyncio

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import load_config
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.render.message import Message
from tests.fakes.telegram_api import FakeTelegram

CHAT = 5151


async def test_an_expired_lease_of_a_send_in_flight_does_not_send_it_again(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        telegram={"token": telegram_api.token, "api_base": telegram_api.base_url},
        alerts={"outbox_lease_s": 5, "outbox_poll_interval_s": 0.1},
    )
    message = Message.text("Jailed: rig-1")
    await enqueue(
        pool,
        [NewNotification("telegram", "user", str(CHAT), "node_alert", message, dedup_key="lease-test")],
    )
    telegram_api.hang("sendMessage", 3.0)  # the send is slow to answer
    worker = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts)
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(10):
            while not telegram_api.calls_of("sendMessage"):  # arrived, its answer held back
                await asyncio.sleep(0.02)
        # the heartbeat is late (a stalled loop, a slow database): the lease runs out mid-send
        await pool.execute("UPDATE notifications SET claimed_until = now() - interval '1 second'")
        await asyncio.sleep(0.5)  # several claim polls see the row as due again
        await telegram_api.wait_sent(CHAT, 1, timeout=10)
        await asyncio.sleep(0.5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(telegram_api.calls_of("sendMessage")) == 1
    assert await pool.fetchval("SELECT status FROM notifications") == "delivered"
