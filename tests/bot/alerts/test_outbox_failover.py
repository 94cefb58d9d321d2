"""A database failover while a worker holds leases sends nothing twice.

Worker A reaches PostgreSQL through a proxy (tests/fakes/tcp_proxy.py) that stages the failover:
every connection dropped at once, new ones refused for a while. Before the fix, a delivery result
that could not be written while the database was away was dropped unlogged (the task's exception
was never retrieved), the row's lease ran out and the row was sent a second time. The lease test
drops the connection while A's renewal is on the wire, with worker B waiting to take over whatever
A lets lapse: A keeps its lease and B sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import pytest_asyncio

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import Config, load_config
from bot.db.outbox import NewNotification, enqueue
from bot.db.pool import open_pool
from bot.db.types import Pool
from bot.render.message import Message
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram_api import FakeTelegram

CHAT = 6161
LEASE_S = 5


def _via(dsn: str, port: int) -> str:
    parts = urlsplit(dsn)
    auth = parts.netloc.rpartition("@")[0]
    netloc = f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest_asyncio.fixture
async def proxy(db_url: str) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(db_url)
    p = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


@pytest_asyncio.fixture
async def pool_a(db_url: str, proxy: TcpProxy) -> AsyncIterator[Pool]:
    async with open_pool(_via(db_url, proxy.port), min_size=1, max_size=4) as p:
        yield p


def _config(db_url: str, telegram_api: FakeTelegram) -> Config:
    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        telegram={"token": telegram_api.token, "api_base": telegram_api.base_url},
        alerts={"outbox_lease_s": LEASE_S, "outbox_poll_interval_s": 0.1},
    )


async def _enqueue_one(pool: Pool, key: str) -> None:
    message = Message.text("Jailed: rig-1")
    await enqueue(
        pool, [NewNotification("telegram", "user", str(CHAT), "node_alert", message, dedup_key=key)]
    )


async def _wait(predicate_coro: object, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate_coro():  # type: ignore[operator]
            await asyncio.sleep(0.05)


async def test_a_failover_during_a_lease_sends_nothing_twice(
    pool: Pool, pool_a: Pool, proxy: TcpProxy, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = _config(db_url, telegram_api)
    await _enqueue_one(pool, "failover-lease")
    telegram_api.hang("sendMessage", 2.5 * LEASE_S)  # A's send outlasts several leases
    worker_a = DeliveryWorker(pool_a, TelegramSender(config.telegram), config.alerts, worker="A")
    worker_b = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts, worker="B")
    tasks = [asyncio.create_task(worker_a.run())]
    try:
        async with asyncio.timeout(10):
            while not telegram_api.calls_of("sendMessage"):  # A is sending, its answer held back
                await asyncio.sleep(0.02)
        tasks.append(asyncio.create_task(worker_b.run()))
        # hold the row so A's next renewal is on the wire when the failover drops the connection
        async with pool.acquire() as locker, locker.transaction():
            await locker.execute("SELECT 1 FROM notifications FOR UPDATE")

            async def renewal_waits() -> bool:
                return bool(
                    await pool.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE '%UPDATE notifications SET claimed_until%'"
                    )
                )

            await _wait(renewal_waits, 10)
            proxy.cut()  # the old primary is gone; new connections reach the new one
        # A's send finishes after several lease lengths; B must never have taken the row over
        await telegram_api.wait_sent(CHAT, 1, timeout=4 * LEASE_S)

        async def delivered() -> bool:
            return await pool.fetchval("SELECT status FROM notifications") == "delivered"

        await _wait(delivered, 10)
        await asyncio.sleep(1.0)  # B polls every 0.1 s: it would have claimed a lapsed row by now
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(telegram_api.calls_of("sendMessage")) == 1
    assert await pool.fetchval("SELECT claimed_by FROM notifications") is None


async def test_a_result_that_cannot_be_written_is_logged_retried_and_not_sent_again(
    pool: Pool,
    pool_a: Pool,
    proxy: TcpProxy,
    db_url: str,
    telegram_api: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = _config(db_url, telegram_api)
    await _enqueue_one(pool, "failover-record")
    telegram_api.hang("sendMessage", 1.5)
    worker_a = DeliveryWorker(pool_a, TelegramSender(config.telegram), config.alerts, worker="A")
    caplog.set_level(logging.INFO, logger="bot.alerts.delivery.worker")
    task = asyncio.create_task(worker_a.run())
    try:
        async with asyncio.timeout(10):
            while not telegram_api.calls_of("sendMessage"):
                await asyncio.sleep(0.02)
        proxy.refuse = True  # the database is away while the platform answers OK
        proxy.cut()
        await telegram_api.wait_sent(CHAT, 1, timeout=10)
        await asyncio.sleep(1.0)  # the result cannot be written meanwhile
        proxy.refuse = False  # the new primary takes connections

        async def delivered() -> bool:
            return await pool.fetchval("SELECT status FROM notifications") == "delivered"

        await _wait(delivered, 3 * LEASE_S)
        await asyncio.sleep(LEASE_S + 1)  # a lapsed lease would be claimed and sent again by now
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(telegram_api.calls_of("sendMessage")) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("could not record delivered" in m for m in messages)
    assert any("recorded delivered after" in m for m in messages)
