"""/nodes, /node (with autocomplete), /earnings (chart attached), /mute, /unmute, /mutes, /settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.bot.discord.conftest import Harness, text
from tests.fakes.discord_api import FakeUser
from tests.helpers import give_node, make_user, wallet


async def owner(h: Harness, name: str = "alice") -> FakeUser:
    user = h.user(name)
    await make_user(h.pool, f"{name}@example.com", discord=str(user.id))
    return user


async def test_nodes_lists_own_nodes_ephemerally_with_buttons(running: Harness) -> None:
    alice = await owner(running)
    await give_node(running.pool, "alice@example.com", wallet(1), "rig-one", status="healthy")
    await give_node(running.pool, "alice@example.com", wallet(2), "rig-two", status="offline")
    ix = await running.fake.slash(alice, "nodes", running.fake.guild.channel("general"))
    reply = await ix.reply()
    assert ix.ephemeral
    shown = text(reply)
    assert "rig-one" in shown and "rig-two" in shown
    labels = [b["label"] for row in reply["components"] for b in row["components"]]
    assert "rig-one" in labels


async def test_nodes_refuses_an_unlinked_caller(running: Harness) -> None:
    stranger = running.user("stranger")
    ix = await running.fake.slash(stranger, "nodes")
    assert "not linked" in text(await ix.reply())


async def test_node_autocomplete_offers_only_the_callers_nodes(running: Harness) -> None:
    alice = await owner(running)
    await owner(running, "bob")
    await give_node(running.pool, "alice@example.com", wallet(1), "alpha-rig")
    await give_node(running.pool, "bob@example.com", wallet(2), "alpha-bob")
    choices = await running.fake.autocomplete(alice, "node", "node", node="alpha")
    assert [c["name"] for c in choices] == [f"alpha-rig ({wallet(1)})"]
    stranger = running.user("stranger")
    assert await running.fake.autocomplete(stranger, "node", "node", node="") == []


async def test_node_detail_by_autocomplete_value_and_someone_elses_node_is_not_found(
    running: Harness,
) -> None:
    alice = await owner(running)
    await owner(running, "bob")
    node_id = await give_node(running.pool, "alice@example.com", wallet(1), "alpha-rig", status="jailed")
    await give_node(running.pool, "bob@example.com", wallet(2), "bob-rig")
    reply = await (await running.fake.slash(alice, "node", node=str(node_id))).reply()
    assert "alpha-rig" in text(reply)
    refused = await (await running.fake.slash(alice, "node", node="bob-rig")).reply()
    assert "no node matching" in text(refused)


async def test_earnings_attach_the_chart(running: Harness) -> None:
    alice = await owner(running)
    node_id = await give_node(running.pool, "alice@example.com", wallet(1), "rig")
    today = datetime.now(UTC).date()
    for i in range(7):
        await running.pool.execute(
            "INSERT INTO earnings_history (node_id, date, earnings_gnk) VALUES ($1, $2, $3)",
            node_id,
            today - timedelta(days=i),
            1 + i,
        )
    ix = await running.fake.slash(alice, "earnings", running.fake.guild.channel("general"), period="7d")
    reply = await ix.reply(timeout=15)
    assert "28" in text(reply)  # 1 + 2 + … + 7 GNK
    assert [name for name, _ in ix.files] == ["earnings.png"]
    assert ix.files[0][1].startswith(b"\x89PNG")
    assert reply["embeds"][-1]["image"]["url"] == "attachment://earnings.png"


async def test_earnings_with_a_bad_period_is_refused_by_discord_choices(running: Harness) -> None:
    alice = await owner(running)
    synced = {c["name"]: c for c in running.fake.commands[None]}
    period = synced["earnings"]["options"][0]
    assert [c["value"] for c in period["choices"]] == ["7d", "30d", "90d"]
    ix = await running.fake.slash(alice, "earnings", period="1y")  # a tampered client
    assert "Usage: `/earnings" in text(await ix.reply())


async def test_mute_mutes_unmute_round_trip(running: Harness) -> None:
    alice = await owner(running)
    node_id = await give_node(running.pool, "alice@example.com", wallet(1), "rig")
    choices = await running.fake.autocomplete(alice, "mute", "node", node="", duration="")
    assert [c["value"] for c in choices] == ["all", str(node_id)]
    durations = await running.fake.autocomplete(alice, "mute", "duration", node=str(node_id), duration="2")
    assert [c["value"] for c in durations] == ["24h", "2h"]
    muted = await (await running.fake.slash(alice, "mute", node=str(node_id), duration="2h")).reply()
    assert "muted" in text(muted).lower()
    listed = await (await running.fake.slash(alice, "mutes")).reply()
    assert "rig" in text(listed)
    unmuted = await (await running.fake.slash(alice, "unmute", node="rig")).reply()
    assert "no longer muted" in text(unmuted)
    assert await running.pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_mute_with_a_bad_duration_answers_with_usage(running: Harness) -> None:
    alice = await owner(running)
    await give_node(running.pool, "alice@example.com", wallet(1), "rig")
    reply = await (await running.fake.slash(alice, "mute", node="rig", duration="forever")).reply()
    assert running.fake.interactions  # answered, not a traceback
    assert "forever" in text(reply) or "duration" in text(reply).lower()
    assert await running.pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_settings_currency_and_alert_toggle(running: Harness) -> None:
    alice = await owner(running)
    reply = await (await running.fake.slash(alice, "settings", currency="EUR")).reply()
    assert "EUR" in text(reply)
    await (await running.fake.slash(alice, "settings", alert="offline", enabled=False)).reply()
    offline = await running.pool.fetchval("SELECT (conditions->>'offline')::boolean FROM user_alert_settings")
    assert offline is False
    bad = await (await running.fake.slash(alice, "settings", currency="EURO")).reply()
    assert "EURO" in text(bad) or "currency" in text(bad).lower()
    half = await (await running.fake.slash(alice, "settings", alert="jailed")).reply()
    assert "Usage: `/settings" in text(half)
    jailed = "SELECT coalesce((conditions->>'jailed')::boolean, true) FROM user_alert_settings"
    assert await running.pool.fetchval(jailed) is True


async def test_user_commands_refuse_an_unlinked_caller(running: Harness) -> None:
    stranger = running.user("stranger")
    for name, options in (
        ("node", {"node": "x"}),
        ("earnings", {}),
        ("mute", {"node": "all", "duration": "1h"}),
        ("unmute", {"node": "all"}),
        ("mutes", {}),
        ("settings", {}),
        ("myrequests", {}),
        ("request", {}),
    ):
        ix = await running.fake.slash(stranger, name, **options)
        assert "not linked" in text(await ix.reply()), name
        assert ix.ephemeral
