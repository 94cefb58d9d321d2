"""Delivery to Telegram: the real aiogram Bot against the local Bot API server, real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.alerts.metrics import AlertMetrics
from bot.config import Config
from bot.db import outbox_claims
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.metrics import Metrics
from bot.render.message import Message
from tests.bot.alerts.helpers import T0, alert_config, notifications, obs, report
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.helpers import make_node, make_user


def tg_config(db_url: str, fake: FakeTelegram, **alerts: Any) -> Config:
    alerts = {"retry_backoff_base_s": 0.05, "retry_backoff_max_s": 0.2, **alerts}
    telegram = {"api_base": fake.base_url, "token": TOKEN, "request_timeout_s": 5.0}
    return alert_config(db_url, telegram=telegram, **alerts)


def note(chat: int | str, text: str = "hello", **kw: Any) -> NewNotification:
    return NewNotification(
        platform="telegram",
        target_kind="user",
        target_id=str(chat),
        kind="test",
        message=Message.text(text),
        **kw,
    )


@asynccontextmanager
async def running_worker(pool: Pool, config: Config, **kw: Any) -> AsyncIterator[DeliveryWorker]:
    worker = DeliveryWorker(
        pool, TelegramSender(config.telegram), config.alerts, kw.pop("metrics", None), **kw
    )
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(worker.ready.wait(), 10)
        yield worker
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_status(pool: Pool, status: str, count: int, timeout: float = 20.0) -> None:
    async def poll() -> None:
        while await pool.fetchval("SELECT count(*) FROM notifications WHERE status = $1", status) < count:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


def sends(fake: FakeTelegram) -> list[Any]:
    return [c for c in fake.calls if c.method.lower() == "sendmessage"]


async def test_a_notification_is_sent_and_marked_delivered_with_its_message_id(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    await enqueue(pool, [note(501, "first <b>&")])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 1)
    (row,) = await notifications(pool)
    msg = telegram_api.last_to(501)
    assert msg.text == "first <b>&"
    assert row["message_ids"] == [str(msg.message_id)] and row["attempts"] == 1


async def test_alert_buttons_and_a_recovery_replying_to_the_alert(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    engine = AlertEngine(config)
    user = await make_user(pool, telegram="777")
    node = await make_node(pool, "rig-1", owner=user.id)
    for minute, status in [(0, "H"), (1, "J"), (2, "H"), (3, "H")]:
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, status, at)], at))
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 4)  # alert + recovery, to the user and the admin chat
    alert, recovery = telegram_api.sent_to(777)
    assert "Jailed: rig-1" in alert.text and "inferenced tx slashing unjail" in alert.text
    assert f"mute:{node.id}:1h" in [b.get("callback_data") for b in alert.buttons]
    assert f"mute:{node.id}:resolved" in [b.get("callback_data") for b in alert.buttons]
    assert f"details:{node.id}" in [b.get("callback_data") for b in alert.buttons]
    assert "Recovered: rig-1" in recovery.text and "Down for 1m" in recovery.text
    assert recovery.reply_to == alert.message_id
    admin_alert, admin_recovery = telegram_api.sent_to(-1001)
    assert admin_recovery.reply_to == admin_alert.message_id


async def test_ten_nodes_down_in_one_cycle_is_one_message_listing_all_ten(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    engine = AlertEngine(config)
    user = await make_user(pool, telegram="778")
    nodes = [await make_node(pool, f"gpu-{i:02d}", owner=user.id) for i in range(10)]
    async with pool.acquire() as conn, conn.transaction():
        await engine.on_cycle(conn, report([obs(n.id, "H", T0) for n in nodes], T0))
    for minute in (1, 2, 3):
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(n.id, "O", at) for n in nodes], at))
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 2)
    (msg,) = telegram_api.sent_to(778)
    assert "10 nodes need attention" in msg.text
    for n in nodes:
        assert n.display_name is not None and n.display_name in msg.text and n.identifier in msg.text


async def test_a_429_storm_loses_nothing_and_sends_nothing_during_retry_after(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=4, retry_after=1)
    await enqueue(pool, [note(1000 + i, f"m{i}") for i in range(40)])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 40, timeout=30)
    delivered = Counter(m.chat_id for chat in range(1000, 1040) for m in telegram_api.sent_to(chat))
    assert sorted(delivered) == list(range(1000, 1040)) and set(delivered.values()) == {1}
    calls = sends(telegram_api)
    for flood in (c for c in calls if c.status == 429):
        during = [c for c in calls if flood.at + 0.05 < c.at < flood.at + 0.95]
        assert during == [], "a request went out while Telegram said to wait"


async def test_5xx_bursts_and_network_hangs_are_retried_until_delivered(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    telegram_api.fail("sendMessage", 502, "Bad Gateway", times=8)
    telegram_api.fail("sendMessage", 500, "Internal Server Error", times=4)
    await enqueue(pool, [note(2000 + i) for i in range(10)])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 10, timeout=30)
    for i in range(10):
        assert len(telegram_api.sent_to(2000 + i)) == 1
    retried = [r for r in await notifications(pool) if r["attempts"] > 1]
    assert retried, "some rows needed retries"


async def test_out_of_attempts_is_failed_and_recorded_never_dropped(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api, outbox_max_attempts=3)
    telegram_api.fail("sendMessage", 500, "Internal Server Error", times=3)
    await enqueue(pool, [note(3001)])
    async with running_worker(pool, config):
        await wait_status(pool, "failed", 1)
    (row,) = await notifications(pool)
    assert row["attempts"] == 3 and "gave up after 3 attempts" in row["last_error"]


async def test_a_blocked_user_is_disabled_and_recorded(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    telegram_api.block(4001)
    await enqueue(pool, [note(4001, "one"), note(4002, "other")])
    async with running_worker(pool, config):
        await wait_status(pool, "failed", 1)
        await wait_status(pool, "delivered", 1)
        target = await pool.fetchrow("SELECT * FROM delivery_targets WHERE target_id = '4001'")
        assert target is not None and target["disabled_at"] is not None and target["error_code"] == 403
        assert "blocked" in target["reason"]
        before = len(sends(telegram_api))
        await enqueue(pool, [note(4001, "again")])
        await wait_status(pool, "failed", 2)
        assert len(sends(telegram_api)) == before, "a disabled target gets no further requests"
    failed = [r for r in await notifications(pool) if r["status"] == "failed"]
    assert all(r["last_error"] for r in failed)
    assert len(telegram_api.sent_to(4002)) == 1
    assert await outbox_claims.enable_target(pool, "telegram", "4001")


async def test_a_long_message_is_split_and_every_part_id_is_stored(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(120))  # ~10,000 characters
    await enqueue(pool, [note(5001, text)])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 1)
    parts = telegram_api.sent_to(5001)
    assert len(parts) >= 3 and all(len(p.text or "") <= 4096 for p in parts)
    (row,) = await notifications(pool)
    assert row["message_ids"] == [str(p.message_id) for p in parts]


async def test_two_workers_on_one_database_never_send_a_row_twice(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    from bot.db.pool import open_pool

    config = tg_config(db_url, telegram_api)
    await enqueue(pool, [note(6000 + i) for i in range(300)])
    async with (
        open_pool(db_url, min_size=1, max_size=5) as other_pool,
        running_worker(pool, config, worker="replica-a"),
        running_worker(other_pool, config, worker="replica-b"),
    ):
        await wait_status(pool, "delivered", 300, timeout=60)
    counts = Counter(c.params["chat_id"] for c in sends(telegram_api) if c.status == 200)
    assert len(counts) == 300 and set(counts.values()) == {1}


async def test_a_crashed_workers_claims_are_taken_over_after_the_lease(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api, outbox_lease_s=5)
    await enqueue(pool, [note(7001)])
    # a worker claimed it and died without a trace
    (_row,) = await outbox_claims.claim(pool, "telegram", "dead-worker", 10, 5)
    await pool.execute("UPDATE notifications SET claimed_until = now() - interval '1 second'")
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 1)
    assert len(telegram_api.sent_to(7001)) == 1
    assert (await notifications(pool))[0]["attempts"] == 2


async def test_cancel_returns_in_flight_rows_to_pending(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api, shutdown_grace_s=0.2)
    telegram_api.hang("sendMessage", 3.0)
    await enqueue(pool, [note(8001)])
    async with running_worker(pool, config) as worker:
        await wait_status(pool, "sending", 1)
        assert worker.worker
    (row,) = await notifications(pool)
    assert row["status"] == "pending" and row["claimed_by"] is None and row["attempts"] == 0


async def test_metrics_count_sent_failed_and_latency(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    metrics = AlertMetrics(Metrics().registry)
    telegram_api.block(9002)
    from datetime import UTC, datetime

    await enqueue(pool, [note(9001, detected_at=datetime.now(UTC)), note(9002)])
    async with running_worker(pool, config, metrics=metrics):
        await wait_status(pool, "delivered", 1)
        await wait_status(pool, "failed", 1)
    assert metrics.sent.labels("telegram", "test")._value.get() == 1
    assert metrics.failed.labels("telegram", "target_gone")._value.get() == 1
    assert sum(b.get() for b in metrics.latency.labels("telegram")._buckets) == 1


async def test_outbox_depth_and_oldest_age_feed_the_gauges(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    config = tg_config(db_url, telegram_api)
    await enqueue(pool, [note(9101), note(9102), note(9103)])
    await pool.execute("UPDATE notifications SET created_at = now() - interval '90 seconds'")
    depth, oldest = (await outbox_claims.depth(pool))["telegram"]
    assert depth == 3 and oldest >= 90
    metrics = AlertMetrics(Metrics().registry)
    telegram_api.hang("sendMessage", 2.0, times=3)
    async with running_worker(pool, config, metrics=metrics):
        await wait_status(pool, "sending", 1)
        await asyncio.sleep(0.3)
        assert metrics.outbox_depth.labels("telegram")._value.get() >= 1
        assert metrics.outbox_oldest_age.labels("telegram")._value.get() >= 90
