"""Alerts through the alert engine's Discord sender while the bot runs: closed DMs (50007) disable the
target after one try and are not retried; a 429 on channel messages delays delivery but loses nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts.engine import AlertEngine
from tests.bot.alerts.helpers import T0, obs, report
from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.helpers import give_node, make_user, wallet


async def cycles(h: Harness, node_ids: list[object], statuses: str, start: int = 0) -> None:
    engine = AlertEngine(h.config)
    async with h.pool.acquire() as conn:
        for i, status in enumerate(statuses):
            at = T0 + timedelta(minutes=start + i)
            await engine.on_cycle(conn, report([obs(n, status, at) for n in node_ids], at))  # type: ignore[arg-type]


async def test_a_closed_dm_disables_the_target_after_one_50007_and_is_not_retried(running: Harness) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com", discord=str(alice.id))
    boss = running.user("boss", admin=True)
    await make_user(running.pool, "boss@example.com", admin=True, discord=str(boss.id))
    alerts = running.fake.guild.channel("alerts")
    await (await running.fake.slash(boss, "alerts_here", alerts, scope="admin")).reply()
    node = await give_node(running.pool, "alice@example.com", wallet(5), "rig-5")
    running.fake.close_dms(alice)

    await cycles(running, [node], "HJ")  # baseline, then jailed: alert at once
    await deliver_outbox(running)
    dm = running.fake.dm_channel(alice)
    posts = running.fake.calls("POST", rf"/channels/{dm.id}/messages")
    assert [p.status for p in posts] == [403]
    target = await running.pool.fetchrow(
        "SELECT error_code, disabled_at FROM delivery_targets WHERE platform = 'discord' AND target_id = $1",
        str(alice.id),
    )
    assert target["error_code"] == 50007 and target["disabled_at"] is not None
    assert len(running.fake.channel_messages(alerts)) == 1  # the channel still got it

    await cycles(running, [node], "HHJ", start=2)  # recovery, then jailed again
    await deliver_outbox(running)
    assert len(running.fake.calls("POST", rf"/channels/{dm.id}/messages")) == 1  # never tried again
    assert len(running.fake.channel_messages(alerts)) == 3  # recovery + second alert in the channel


async def test_a_429_on_channel_messages_delays_but_loses_nothing(running: Harness) -> None:
    boss = running.user("boss", admin=True)
    await make_user(running.pool, "boss@example.com", admin=True, discord=str(boss.id))
    alerts = running.fake.guild.channel("alerts")
    await (await running.fake.slash(boss, "alerts_here", alerts, scope="all")).reply()
    owners, nodes = [], []
    for i in range(4):
        owner = running.user(f"op{i}")
        owners.append(owner)
        await make_user(running.pool, f"op{i}@example.com", discord=str(owner.id))
        nodes.append(await give_node(running.pool, f"op{i}@example.com", wallet(20 + i), f"rig-{i}"))
    running.fake.fail_next("POST", rf"/channels/{alerts.id}/messages", status=429, times=2, retry_after=0.3)

    await cycles(running, nodes, "HJ")
    await deliver_outbox(running)
    in_channel = running.fake.channel_messages(alerts)
    named = {f"rig-{i}" for i in range(4) if any(f"rig-{i}" in text(m) for m in in_channel)}
    assert named == {"rig-0", "rig-1", "rig-2", "rig-3"}
    statuses = [r.status for r in running.fake.calls("POST", rf"/channels/{alerts.id}/messages")]
    assert statuses.count(429) == 2 and statuses[-1] == 200
    ids = [m["id"] for m in in_channel]
    assert len(ids) == len(set(ids))
    undelivered = await running.pool.fetchval(
        "SELECT count(*) FROM notifications WHERE platform = 'discord' AND status <> 'delivered'"
    )
    assert undelivered == 0
    assert all(len(running.fake.dms(owner)) == 1 for owner in owners)  # every owner's DM arrived too
