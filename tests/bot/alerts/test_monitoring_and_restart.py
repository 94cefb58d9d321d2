"""Monitoring degraded/restored (once each), and restarts through the real poller and local tracker:
fire, restart, recover gives exactly one alert and one recovery; a transition while down still fires."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import load_config
from bot.db import source_health
from bot.db.nodes import upsert_node
from bot.db.pool import open_pool
from bot.db.types import Pool
from bot.domain.source_health import SourcePoll, advance
from bot.domain.status import SourceResult
from tests.bot.alerts.helpers import T0, alert_config, notifications, report
from tests.bot.poller.conftest import HF1, make_poller, tracker_config
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import make_user


async def test_a_failing_source_raises_one_degraded_and_one_restored(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))  # trackers.degraded_after_failures = 3
    kinds = []
    for minute, ok in enumerate([True, False, False, False, False, False, True, True]):
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            sources = (SourceResult("hyperfusion", ok, None if ok else "HTTP 503"),)
            before = len(await notifications(pool))
            await engine.on_cycle(conn, report([], at, sources=sources))
            # what the poller writes in the cycle transaction after calling the engine
            stored = await source_health.load_for_update(conn, ["hyperfusion"])
            poll = SourcePoll("hyperfusion", ok, sources[0].error)
            await source_health.save(conn, [advance(stored.get("hyperfusion"), poll, at, 3)[0]])
        rows = (await notifications(pool))[before:]
        kinds.append(rows[0]["payload"]["title"] if rows else "-")
    assert kinds == [
        "-",
        "-",
        "-",
        "Monitoring degraded: hyperfusion",
        "-",
        "-",
        "Monitoring restored: hyperfusion",
        "-",
    ]
    degraded = (await notifications(pool))[0]
    assert degraded["target_id"] == "-1001" and "HTTP 503" in str(degraded["payload"])


def set_jailed(tracker: TrackerServer, jailed: bool) -> None:
    assert tracker.hyperfusion is not None
    for p in tracker.hyperfusion["participants"]:
        if p["index"] == HF1:
            p["is_jailed"] = jailed


async def poll(pool_url: str, config: Any, cycles: int) -> None:
    """One 'process lifetime': a fresh pool, engine and poller (nothing carried over in memory)."""
    async with open_pool(pool_url, min_size=1, max_size=4) as pool:
        poller = make_poller(config, pool, pool_url, AlertEngine(config))  # type: ignore[arg-type]
        for _ in range(cycles):
            await poller.poll_cycle()


async def test_fire_restart_recover_is_one_alert_and_one_recovery(
    pool: Pool, db_url: str, tracker: TrackerServer, telegram_api: FakeTelegram
) -> None:
    base = tracker_config(db_url, tracker.url)
    config = load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        trackers=base.trackers.model_dump(mode="json"),
        telegram={"token": TOKEN, "api_base": telegram_api.base_url},
    )
    user = await make_user(pool, telegram="4242")
    node, _ = await upsert_node(pool, HF1, "wallet", display_name="hf-one")
    from bot.db.nodes import assign_node

    await assign_node(pool, user.id, node.id, None)

    await poll(db_url, config, 1)  # first run: silent baseline (healthy)
    set_jailed(tracker, True)
    await poll(db_url, config, 2)  # jailed: one alert, however many cycles see it
    await poll(db_url, config, 2)  # restart while jailed: nothing new
    set_jailed(tracker, False)
    await poll(db_url, config, 1)  # restart; recovery needs 2 healthy polls...
    await poll(db_url, config, 3)  # ...across restarts
    rows = await notifications(pool)
    assert [r["kind"] for r in rows] == ["node_alert", "node_recovery"]

    worker = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts)
    task = asyncio.create_task(worker.run())
    try:
        await telegram_api.wait_sent(4242, 2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    alert, recovery = telegram_api.sent_to(4242)
    assert "Jailed: hf-one" in (alert.text or "") and "Recovered: hf-one" in (recovery.text or "")
    assert recovery.reply_to == alert.message_id


async def test_a_transition_while_the_bot_was_down_fires_once_seen(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    config = tracker_config(db_url, tracker.url)
    user = await make_user(pool, telegram="4343")
    node, _ = await upsert_node(pool, HF1, "wallet")
    from bot.db.nodes import assign_node

    await assign_node(pool, user.id, node.id, None)
    await poll(db_url, config, 2)  # healthy, stored
    set_jailed(tracker, True)  # happens while no bot runs
    await poll(db_url, config, 1)  # the next start sees it: it fires
    assert [r["kind"] for r in await notifications(pool)] == ["node_alert"]
