"""Delivery to Discord: discord.py's real REST client against the local Discord, real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from bot.alerts.delivery.discord import DiscordSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import Config
from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.render.message import Message
from tests.bot.alerts.helpers import T0, notifications, obs, report
from tests.fakes.discord_api import FakeDiscord
from tests.helpers import make_node, make_user


def dc_config(db_url: str, fake: FakeDiscord, **alerts: Any) -> Config:
    from bot.config import load_config

    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"host": "127.0.0.1", "port": 0},
        discord={"token": fake.token, "api_base": fake.api_base, "gateway_url": fake.gateway_url},
        alerts={"retry_backoff_base_s": 0.05, "retry_backoff_max_s": 0.2, **alerts},
    )


@asynccontextmanager
async def running_worker(pool: Pool, config: Config) -> AsyncIterator[DeliveryWorker]:
    worker = DeliveryWorker(pool, DiscordSender(config.discord), config.alerts)
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


def note(user_id: int, text: str = "hello") -> NewNotification:
    return NewNotification(
        platform="discord",
        target_kind="user",
        target_id=str(user_id),
        kind="test",
        message=Message.text(text),
    )


async def test_alert_dm_and_channel_with_buttons_and_a_recovery_reply(
    pool: Pool, db_url: str, discord_api: FakeDiscord
) -> None:
    config = dc_config(db_url, discord_api)
    alerts_channel = discord_api.guild.channel("alerts")
    await pool.execute(
        "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('discord', $1, 'admin')",
        str(alerts_channel.id),
    )
    fake_user = discord_api.add_user("operator")
    user = await make_user(pool, discord=str(fake_user.id))
    node = await make_node(pool, "rig-7", owner=user.id)
    engine = AlertEngine(config)
    for minute, status in [(0, "H"), (1, "J"), (2, "H"), (3, "H")]:
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, status, at)], at))
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 4)
    alert, recovery = discord_api.dms(fake_user)
    assert "Jailed: rig-7" in alert["embeds"][0]["title"]
    custom_ids = [c["custom_id"] for row in alert["components"] for c in row["components"]]
    assert any(f"mute:{node.id}:1h" in c for c in custom_ids)
    assert any(f"details:{node.id}" in c for c in custom_ids)
    assert recovery["message_reference"]["message_id"] == alert["id"]
    channel_alert, channel_recovery = discord_api.channel_messages(alerts_channel)
    assert channel_recovery["message_reference"]["message_id"] == channel_alert["id"]
    # the DM channel was opened once and cached for later sends
    assert len(discord_api.calls("POST", r".*/users/@me/channels")) == 1
    target = await pool.fetchrow(
        "SELECT dm_channel_id FROM delivery_targets WHERE target_id = $1", str(fake_user.id)
    )
    assert target is not None and target["dm_channel_id"] == alert["channel_id"]


async def test_closed_dms_disable_the_target_and_are_never_retried(
    pool: Pool, db_url: str, discord_api: FakeDiscord
) -> None:
    config = dc_config(db_url, discord_api)
    closed, open_ = discord_api.add_user("closed"), discord_api.add_user("open")
    discord_api.close_dms(closed)
    await enqueue(pool, [note(closed.id, "one"), note(open_.id, "two")])
    async with running_worker(pool, config):
        await wait_status(pool, "failed", 1)
        await wait_status(pool, "delivered", 1)
        before = len(discord_api.calls("POST", r".*/channels/\d+/messages"))
        await enqueue(pool, [note(closed.id, "again")])
        await wait_status(pool, "failed", 2)
        assert len(discord_api.calls("POST", r".*/channels/\d+/messages")) == before
    target = await pool.fetchrow("SELECT * FROM delivery_targets WHERE target_id = $1", str(closed.id))
    assert target is not None and target["error_code"] == 50007 and target["disabled_at"] is not None
    failed = [r for r in await notifications(pool) if r["status"] == "failed"]
    assert len(failed) == 2 and all(r["last_error"] for r in failed)


async def test_429s_and_5xx_from_discord_lose_nothing(
    pool: Pool, db_url: str, discord_api: FakeDiscord
) -> None:
    config = dc_config(db_url, discord_api)
    users = [discord_api.add_user(f"u{i}") for i in range(8)]
    discord_api.fail_next("POST", r".*/channels/\d+/messages", status=429, times=3, retry_after=0.3)
    discord_api.fail_next("POST", r".*/channels/\d+/messages", status=503, times=3)
    await enqueue(pool, [note(u.id, f"m{u.id}") for u in users])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 8, timeout=40)
    for u in users:
        assert len(discord_api.dms(u)) == 1
    posts = discord_api.calls("POST", r".*/channels/\d+/messages")
    assert len(posts) >= 8 + 3 + 3, "the injected 429s and 503s were answered and retried"


async def test_a_429_that_outlasts_discord_py_retries_comes_back_at_discords_wait(
    discord_api: FakeDiscord,
) -> None:
    """Regression: 30 injected 429s of 0.5 s parked an alert for 60 s (the no-retry_after fallback)."""
    import pytest

    from bot.alerts.delivery.base import RetryLater
    from bot.domain.platforms import Target
    from bot.render.message import OutgoingMessage

    user = discord_api.add_user("limited")
    discord_api.fail_next("POST", r".*/channels/\d+/messages", status=429, times=30, retry_after=0.5)
    config = dc_config("postgresql://unused", discord_api)
    sender = DiscordSender(config.discord)
    await sender.start()
    try:
        target = Target("discord", "user", str(user.id))
        with pytest.raises(RetryLater) as caught:
            await sender.send(target, OutgoingMessage(message=Message.text("Jailed: rig-1")))
    finally:
        await sender.close()
    assert caught.value.retry_after <= 1.0
