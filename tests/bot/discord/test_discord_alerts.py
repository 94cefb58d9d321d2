"""Alerts on Discord: an offline node reaches the owner's DM and the routed channel; the buttons under
it (mute 1h / 24h / until resolved, details) keep working after the bot restarts; an admin's mute in
the admin channel silences the node there for everyone."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from bot.alerts.engine import AlertEngine
from tests.bot.alerts.helpers import T0, obs, report
from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.fakes.discord_api import FakeUser
from tests.helpers import give_node, make_user, wallet


async def offline_alert(h: Harness) -> tuple[FakeUser, str, FakeUser]:
    """Alice owns rig-9; an admin routed alerts to #alerts; rig-9 goes offline (confirmed)."""
    alice = h.user("alice")
    await make_user(h.pool, "alice@example.com", discord=str(alice.id))
    boss = h.user("boss", admin=True)
    await make_user(h.pool, "boss@example.com", admin=True, discord=str(boss.id))
    node_id = await give_node(h.pool, "alice@example.com", wallet(9), "rig-9")
    await (await h.fake.slash(boss, "alerts_here", h.fake.guild.channel("alerts"), scope="admin")).reply()
    engine = AlertEngine(h.config)
    async with h.pool.acquire() as conn:
        await engine.on_cycle(conn, report([obs(node_id, "H", T0)], T0))  # silent baseline
        for i in range(1, 4):
            at = T0 + timedelta(minutes=i)
            await engine.on_cycle(conn, report([obs(node_id, "O", at)], at))
    return alice, str(node_id), boss


async def test_offline_alert_reaches_the_owners_dm_and_the_routed_channel(running: Harness) -> None:
    alice, node_id, _ = await offline_alert(running)
    await deliver_outbox(running)
    dms = running.fake.dms(alice)
    assert len(dms) == 1
    assert "rig-9" in text(dms[0]) and "offline" in text(dms[0]).lower()
    ids = {b["custom_id"] for row in dms[0]["components"] for b in row["components"]}
    assert {f"mgnk:mute:{node_id}:1h", f"mgnk:mute:{node_id}:24h", f"mgnk:mute:{node_id}:resolved"} <= ids
    assert f"mgnk:details:{node_id}" in ids
    routed = running.fake.channel_messages(running.fake.guild.channel("alerts"))
    assert len(routed) == 1 and "rig-9" in text(routed[0])


async def test_mute_button_works_after_a_restart(running: Harness) -> None:
    alice, node_id, _ = await offline_alert(running)
    await deliver_outbox(running)
    alert = running.fake.dms(alice)[0]
    await running.restart()  # a new process: nothing of the old client's views survives in memory
    click = await running.fake.click(alice, alert, f"mgnk:mute:{node_id}:1h")
    reply = await click.reply()
    assert click.ephemeral
    assert "muted" in text(reply).lower()
    mute = await running.pool.fetchrow("SELECT node_id, until_resolved, until FROM mutes")
    assert str(mute["node_id"]) == node_id and mute["until"] is not None and not mute["until_resolved"]
    resolved = await running.fake.click(alice, alert, f"mgnk:mute:{node_id}:resolved")
    await resolved.reply()
    assert await running.pool.fetchval("SELECT until_resolved FROM mutes") is True


async def test_details_button_shows_the_node_to_its_owner_only(running: Harness) -> None:
    alice, node_id, _ = await offline_alert(running)
    await deliver_outbox(running)
    in_channel = running.fake.channel_messages(running.fake.guild.channel("alerts"))[0]
    mine = await running.fake.click(alice, in_channel, f"mgnk:details:{node_id}")
    assert "rig-9" in text(await mine.reply())
    assert mine.ephemeral
    # a channel reader who does not own the node: refused like a missing node, nothing muted for them
    stranger = running.user("stranger")
    await make_user(running.pool, "stranger@example.com", discord=str(stranger.id))
    theirs = await running.fake.click(stranger, in_channel, f"mgnk:mute:{node_id}:24h")
    assert "no node matching" in text(await theirs.reply())
    assert await running.pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_a_button_we_no_longer_know_is_answered(running: Harness) -> None:
    alice = running.user("alice")
    channel = running.fake.guild.channel("general")
    old = {
        "id": str(running.fake.snowflake()),
        "channel_id": str(channel.id),
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 2, "label": "old", "custom_id": "legacy-button"},
                    {"type": 2, "style": 2, "label": "gone", "custom_id": "mgnk:vanished:1"},
                ],
            }
        ],
        "content": "old",
        "embeds": [],
        "attachments": [],
        "author": running.fake.bot_user.to_dict(),
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    running.fake.messages.setdefault(channel.id, []).append(old)
    for custom_id in ("legacy-button", "mgnk:vanished:1"):
        click = await running.fake.click(alice, old, custom_id)
        assert "no longer active" in text(await click.reply())
        assert click.ephemeral


async def test_an_admin_pressing_mute_in_the_admin_channel_silences_that_node_there_for_everyone(
    running: Harness,
) -> None:
    alice, node_id, boss = await offline_alert(running)
    await deliver_outbox(running)
    alerts = running.fake.guild.channel("alerts")
    [in_channel] = running.fake.channel_messages(alerts)
    click = await running.fake.click(boss, in_channel, f"mgnk:mute:{node_id}:1h")
    told = text(await click.reply())
    assert not click.ephemeral  # said in the channel, for everyone in it
    assert "rig-9" in told and "muted in this channel" in told and f"discord user {boss.id}" in told, told
    mute = await running.pool.fetchrow("SELECT platform, chat_id, node_id FROM channel_mutes")
    assert dict(mute) == {"platform": "discord", "chat_id": str(alerts.id), "node_id": UUID(node_id)}
    assert await running.pool.fetchval("SELECT count(*) FROM mutes") == 0
    assert (
        await running.pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE action = 'channel_mute'") == 1
    )

    # it recovers and goes offline again: alice hears both, the muted channel nothing
    engine = AlertEngine(running.config)
    async with running.pool.acquire() as conn:
        for i, token in enumerate(["H", "H", "O", "O", "O"], 10):
            at = T0 + timedelta(minutes=i)
            await engine.on_cycle(conn, report([obs(UUID(node_id), token, at)], at))
    await deliver_outbox(running)
    assert len(running.fake.dms(alice)) == 3
    assert running.fake.channel_messages(alerts) == [in_channel]
