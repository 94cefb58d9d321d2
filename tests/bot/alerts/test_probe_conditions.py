"""Conditions e-h through the real alert engine (real PostgreSQL, the probe step on the local tracker):
each fires, recovers, stays silent while its data is unknown, and honours a mute and the user's setting.
The admin channel gets every alert; the owner is linked on Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.db import alert_settings, mutes
from bot.db.types import Pool
from tests.bot.alerts.helpers import alert_config, notifications
from tests.bot.alerts.probe_scenarios import EXPECTED, ProbeWorld
from tests.fakes.tracker_data import synthetic_address
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import give_node, make_user

CONDITIONS = list(EXPECTED)
OWNER_TG = "7001"
ADMIN = "-1001"


@pytest_asyncio.fixture
async def hosts() -> AsyncIterator[TrackerServer]:
    srv = TrackerServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


async def world(
    pool: Pool, db_url: str, hosts: TrackerServer, *, baseline: bool = True
) -> tuple[ProbeWorld, object]:
    user = await make_user(pool, "op@example.com", telegram=OWNER_TG)
    address = synthetic_address(0)
    node_id = await give_node(pool, "op@example.com", address, "rig-a")
    w = ProbeWorld(
        hosts, pool, alert_config(db_url), node_id, address, [synthetic_address(i) for i in (1, 2, 3)]
    )
    if baseline:
        for _ in range(2):
            await w.cycle()  # the silent baseline
    return w, user.id


async def kinds(pool: Pool, target: str) -> list[str]:
    return [n["kind"] for n in await notifications(pool, target_id=target)]


@pytest.mark.parametrize("condition", CONDITIONS)
async def test_fires_once_and_recovers(pool: Pool, db_url: str, hosts: TrackerServer, condition: str) -> None:
    w, _ = await world(pool, db_url, hosts)
    w.break_(condition)
    for _ in range(4):
        await w.cycle()
    assert await kinds(pool, OWNER_TG) == ["node_alert"]
    w.repair(condition)
    for _ in range(4):
        await w.cycle()
    assert await kinds(pool, OWNER_TG) == ["node_alert", "node_recovery"]


@pytest.mark.parametrize("condition", CONDITIONS)
async def test_failing_at_the_bots_first_start_is_a_silent_baseline(
    pool: Pool, db_url: str, hosts: TrackerServer, condition: str
) -> None:
    w, _ = await world(pool, db_url, hosts, baseline=False)
    w.break_(condition)
    for _ in range(4):
        await w.cycle()
    assert await notifications(pool) == []


async def test_ml_node_down_is_confirmed_by_a_second_poll(
    pool: Pool, db_url: str, hosts: TrackerServer
) -> None:
    w, _ = await world(pool, db_url, hosts)
    w.break_("mlnode_down")
    await w.cycle()
    assert await kinds(pool, ADMIN) == []  # seen once: pending
    await w.cycle()
    assert await kinds(pool, ADMIN) == ["node_alert"]


@pytest.mark.parametrize("condition", CONDITIONS)
async def test_unknown_neither_fires_nor_recovers(
    pool: Pool, db_url: str, hosts: TrackerServer, condition: str
) -> None:
    w, _ = await world(pool, db_url, hosts)
    w.break_(condition)
    for _ in range(4):
        await w.cycle()
    assert await kinds(pool, ADMIN) == ["node_alert"]
    w.blind()  # hosts 404, collateral path not served, delegations 503, no model group
    for _ in range(5):
        await w.cycle()
        w.now += timedelta(minutes=30)
    assert await kinds(pool, ADMIN) == ["node_alert"]  # no recovery, no second alert


async def test_a_node_seen_only_as_unknown_never_fires(pool: Pool, db_url: str, hosts: TrackerServer) -> None:
    w, _ = await world(pool, db_url, hosts)
    w.blind()
    for condition in CONDITIONS:  # the data says every problem, but none of it can be read
        w.break_(condition)
    for _ in range(5):
        await w.cycle()
    assert await notifications(pool) == []


@pytest.mark.parametrize("condition", CONDITIONS)
async def test_the_owners_setting_off_and_a_mute_keep_it_from_the_owner(
    pool: Pool, db_url: str, hosts: TrackerServer, condition: str
) -> None:
    w, user_id = await world(pool, db_url, hosts)
    await alert_settings.set_kind(pool, user_id, condition, False)  # type: ignore[arg-type]
    w.break_(condition)
    for _ in range(4):
        await w.cycle()
    assert await kinds(pool, OWNER_TG) == []
    assert await kinds(pool, ADMIN) == ["node_alert"]  # the admin channel still hears it


async def test_a_muted_node_says_nothing_to_its_owner(pool: Pool, db_url: str, hosts: TrackerServer) -> None:
    w, user_id = await world(pool, db_url, hosts)
    await mutes.upsert_mute(pool, user_id, w.node_id, None, True)  # type: ignore[arg-type]
    w.break_("mlnode_down")
    for _ in range(4):
        await w.cycle()
    assert await kinds(pool, OWNER_TG) == []
    assert await kinds(pool, ADMIN) == ["node_alert"]
