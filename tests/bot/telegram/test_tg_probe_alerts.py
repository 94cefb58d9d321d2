"""Conditions e-h on Telegram, end to end: the local tracker serves a host's versions and ML-node metrics
and the chain's collateral, delegations and model groups; the real probe step reads them, the real
alert engine judges them, the delivery worker sends through the real aiogram client; the owner gets one
message naming the node, the condition, what it costs and what to do; ``/node`` shows each one's state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bot.db.types import Pool
from tests.bot.alerts.probe_scenarios import EXPECTED, ProbeWorld
from tests.bot.telegram.conftest import USER_TG, Tg, running_with_delivery, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.tracker_data import synthetic_address
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import give_node

OWNER = "op@example.com"


@pytest_asyncio.fixture
async def live(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[Tg]:
    config = telegram_config(db_url, telegram_api)
    async with running_with_delivery(telegram_api, pool, config) as tg:
        yield tg


@pytest_asyncio.fixture
async def hosts() -> AsyncIterator[TrackerServer]:
    srv = TrackerServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.mark.parametrize("condition", list(EXPECTED))
async def test_a_probe_condition_reaches_the_owner_as_one_message(
    live: Tg, hosts: TrackerServer, condition: str
) -> None:
    tg = live
    await tg.user(OWNER, telegram=USER_TG)
    address = synthetic_address(0)
    node_id = await give_node(tg.pool, OWNER, address, "rig-a")
    world = ProbeWorld(hosts, tg.pool, tg.config, node_id, address, [synthetic_address(i) for i in (1, 2, 3)])
    for _ in range(2):  # the silent baseline: every probe condition reads ok
        await world.cycle()
    assert await tg.pool.fetchval("SELECT count(*) FROM notifications") == 0

    world.break_(condition)
    await world.run_until_alerted(tg.pool)

    [alert] = await tg.fake.wait_sent(USER_TG)
    title, cost, todo = EXPECTED[condition]
    assert "rig-a" in alert.text
    assert title in alert.text, alert.text
    assert cost in alert.text and todo in alert.text, alert.text
    await asyncio.sleep(0.3)
    assert len(tg.fake.sent_to(USER_TG)) == 1  # one message, nothing else fired


async def test_node_shows_each_probe_condition_from_the_last_probe_step(
    live: Tg, hosts: TrackerServer
) -> None:
    tg = live
    await tg.user(OWNER, telegram=USER_TG)
    address = synthetic_address(0)
    node_id = await give_node(tg.pool, OWNER, address, "rig-a", status="healthy")
    world = ProbeWorld(hosts, tg.pool, tg.config, node_id, address, [synthetic_address(i) for i in (1, 2, 3)])
    world.now = datetime.now(UTC)
    world.break_("mlnode_down")  # down since before the bot first saw it: a silent baseline, shown by /node
    for _ in range(2):
        await world.cycle()

    detail = await tg.reply(USER_TG, "/node rig-a")
    assert "✅ Model participation: ok" in detail.text and "(from epoch 360): committed PoC" in detail.text
    assert "✅ Collateral short: ok · Weight 1000 · Collateral deposited 250 GNK" in detail.text
    assert "✅ Version behind: ok · API version v0.2.15-post3" in detail.text
    assert "🔴 ML node down: failing · ML nodes up 1 of 2 · ML nodes down 1 · Down node2" in detail.text
