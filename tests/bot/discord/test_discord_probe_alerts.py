"""Conditions e-h on Discord, end to end: the local tracker serves a host's versions and ML-node metrics
and the chain's collateral, delegations and model groups; the real probe step reads them, the real alert
engine judges them, the delivery worker sends through the real discord.py client; the owner's DM is one
message naming the node, the condition, what it costs and what to do; ``/node`` shows each one's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from tests.bot.alerts.probe_scenarios import EXPECTED, ProbeWorld
from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.fakes.tracker_data import synthetic_address
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import give_node, make_user


@pytest_asyncio.fixture
async def hosts() -> AsyncIterator[TrackerServer]:
    srv = TrackerServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.mark.parametrize("condition", list(EXPECTED))
async def test_a_probe_condition_reaches_the_owners_dm_as_one_message(
    running: Harness, hosts: TrackerServer, condition: str
) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com", discord=str(alice.id))
    address = synthetic_address(0)
    node_id = await give_node(running.pool, "alice@example.com", address, "rig-9")
    world = ProbeWorld(
        hosts, running.pool, running.config, node_id, address, [synthetic_address(i) for i in (1, 2, 3)]
    )
    for _ in range(2):  # the silent baseline: every probe condition reads ok
        await world.cycle()
    world.break_(condition)
    await world.run_until_alerted(running.pool)
    await deliver_outbox(running)

    [dm] = running.fake.dms(alice)
    body = text(dm)
    title, cost, todo = EXPECTED[condition]
    assert "rig-9" in body and title in body, body
    assert cost in body and todo in body, body


async def test_node_shows_each_probe_condition_from_the_last_probe_step(
    running: Harness, hosts: TrackerServer
) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com", discord=str(alice.id))
    address = synthetic_address(0)
    node_id = await give_node(running.pool, "alice@example.com", address, "rig-9", status="healthy")
    world = ProbeWorld(
        hosts, running.pool, running.config, node_id, address, [synthetic_address(i) for i in (1, 2, 3)]
    )
    world.now = datetime.now(UTC)
    world.break_("mlnode_down")  # down since before the bot first saw it: a silent baseline, shown by /node
    for _ in range(2):
        await world.cycle()

    body = text(await (await running.fake.slash(alice, "node", node="rig-9")).reply())
    assert "✅ Model participation: ok" in body and "(from epoch 360): committed PoC" in body, body
    assert "✅ Collateral short: ok · Weight 1000 · Collateral deposited 250 GNK" in body, body
    assert "✅ Version behind: ok · API version v0.2.15-post3" in body, body
    assert "🔴 ML node down: failing · ML nodes up 1 of 2 · ML nodes down 1 · Down node2" in body, body
