"""Admin slash commands: hidden by default permissions, refused (and audited) for others, working for
admins, with clear answers to bad options."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bot.discord.conftest import Harness, text
from tests.fakes.discord_api import FakeUser
from tests.helpers import give_node, make_user, wallet

ADMIN_COMMANDS: dict[str, dict[str, Any]] = {
    "assign": {"email": "alice@example.com", "identifier": wallet(1)},
    "unassign": {"email": "alice@example.com", "identifier": wallet(1)},
    "requests": {},
    "request_set": {"number": 1, "status": "approved"},
    "user": {"email": "alice@example.com"},
    "linkcode": {"email": "alice@example.com"},
    "broadcast": {"text": "maintenance tonight"},
    "stats": {},
    "alerts_here": {"scope": "all"},
    "alerts_off": {},
}


async def linked(h: Harness, name: str, *, admin: bool = False) -> FakeUser:
    user = h.user(name, admin=admin)
    await make_user(h.pool, f"{name}@example.com", admin=admin, discord=str(user.id))
    return user


async def test_admin_commands_are_hidden_by_default_member_permissions(running: Harness) -> None:
    synced = {c["name"]: c for c in running.fake.commands[None]}
    manage_guild = str(1 << 5)
    for name in ADMIN_COMMANDS:
        assert synced[name]["default_member_permissions"] == manage_guild, name
    for name in ("start", "help", "link", "nodes", "request", "mute"):
        assert synced[name]["default_member_permissions"] is None, name


async def test_every_admin_command_refuses_a_non_admin_and_audits_it(running: Harness) -> None:
    # a guild "admin" by Discord role is not a MineGNK admin: the server-side check decides
    mallory = await linked(running, "mallory")
    running.fake.guild.member(mallory.id).role_ids.append(  # type: ignore[union-attr]
        next(r.id for r in running.fake.guild.roles if r.name == "Admin")
    )
    channel = running.fake.guild.channel("admin")
    for name, options in ADMIN_COMMANDS.items():
        ix = await running.fake.slash(mallory, name, channel, **options)
        assert "admins only" in text(await ix.reply()), name
        assert ix.ephemeral, name
    refused = await running.pool.fetch("SELECT action FROM admin_audit_log WHERE outcome = 'refused'")
    assert sorted(r["action"] for r in refused) == sorted(ADMIN_COMMANDS)
    assert await running.pool.fetchval("SELECT count(*) FROM alert_routes") == 0
    assert await running.pool.fetchval("SELECT count(*) FROM notifications") == 0


async def test_admin_by_configured_discord_id(harness: Harness) -> None:
    ops = harness.user("ops")
    cfg = harness.config.model_copy(
        update={"discord": harness.config.discord.model_copy(update={"admin_ids": (ops.id,)})}
    )
    from bot.services.container import Services

    harness.services = Services.build(harness.pool, cfg)
    await harness.start(cfg)
    reply = await (await harness.fake.slash(ops, "stats")).reply()
    assert "Users" in text(reply) or "users" in text(reply)


async def test_assign_unassign_user_and_linkcode(running: Harness) -> None:
    boss = await linked(running, "boss", admin=True)
    await make_user(running.pool, "alice@example.com")
    f = running.fake
    assigned = await (
        await f.slash(boss, "assign", email="alice@example.com", identifier=wallet(1), name="rig-7")
    ).reply()
    assert "rig-7" in text(assigned)
    owners = await running.pool.fetchval(
        "SELECT u.email FROM user_nodes un JOIN users u ON u.id = un.user_id"
        " JOIN nodes n ON n.id = un.node_id WHERE n.identifier = $1",
        wallet(1),
    )
    assert owners == "alice@example.com"
    assert await running.pool.fetchval("SELECT assigned_by IS NOT NULL FROM user_nodes")
    info = await (await f.slash(boss, "user", email="alice@example.com")).reply()
    assert "rig-7" in text(info)
    code = await (await f.slash(boss, "linkcode", email="alice@example.com")).reply()
    assert "Link code for alice@example.com" in text(code)
    removed = await (await f.slash(boss, "unassign", email="alice@example.com", identifier=wallet(1))).reply()
    assert "rig-7" in text(removed) or "removed" in text(removed).lower()
    assert await running.pool.fetchval("SELECT count(*) FROM user_nodes") == 0
    ok = await running.pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'ok'")
    assert ok == 4


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("assign", {"email": "not-an-email", "identifier": wallet(1)}, "valid email"),
        ("assign", {"email": "alice@example.com", "identifier": "gonka1broken"}, "identifier"),
        ("assign", {"email": "nobody@example.com", "identifier": wallet(1)}, "No user"),
        ("user", {"email": "nobody@example.com"}, "No user"),
        ("request_set", {"number": 99, "status": "approved"}, "99"),
    ],
)
async def test_admin_commands_answer_bad_options_clearly(
    running: Harness, name: str, options: dict[str, Any], expected: str
) -> None:
    boss = await linked(running, "boss", admin=True)
    await make_user(running.pool, "alice@example.com")
    ix = await running.fake.slash(boss, name, **options)
    reply = text(await ix.reply())
    assert expected in reply
    assert "Sorry" not in reply


async def test_requests_and_request_set(running: Harness) -> None:
    boss = await linked(running, "boss", admin=True)
    alice = await linked(running, "alice")
    ix = await running.fake.slash(alice, "request", type="other")
    await (await running.fake.submit_modal(alice, await ix.modal(), {"comments": "help"})).reply()
    listed = await (await running.fake.slash(boss, "requests")).reply()
    assert "#1" in text(listed)
    done = await (
        await running.fake.slash(boss, "request_set", number=1, status="completed", notes="all set")
    ).reply()
    assert "completed" in text(done)
    row = await running.pool.fetchrow("SELECT status, admin_notes FROM support_requests")
    assert (row["status"], row["admin_notes"]) == ("completed", "all set")
    # the requester is told, through the outbox
    kinds = await running.pool.fetch(
        "SELECT kind FROM notifications WHERE target_kind = 'user' AND target_id = $1", str(alice.id)
    )
    assert kinds


async def test_broadcast_stats_alerts_here_and_off(running: Harness) -> None:
    boss = await linked(running, "boss", admin=True)
    await linked(running, "alice")
    await give_node(running.pool, "alice@example.com", wallet(3), "rig", status="offline")
    sent = await (await running.fake.slash(boss, "broadcast", text="maintenance tonight")).reply()
    assert "queued" in text(sent).lower()
    queued = await running.pool.fetch("SELECT target_id FROM notifications WHERE kind = 'broadcast'")
    assert len(queued) == 2
    stats = await (await running.fake.slash(boss, "stats")).reply()
    assert "offline" in text(stats).lower()
    channel = running.fake.guild.channel("alerts")
    here = await running.fake.slash(boss, "alerts_here", channel, scope="admin")
    assert "node and monitoring alerts" in text(await here.reply())
    assert not here.ephemeral
    route = await running.pool.fetchrow("SELECT platform, chat_id, scope FROM alert_routes")
    assert dict(route) == {"platform": "discord", "chat_id": str(channel.id), "scope": "admin"}
    off = await running.fake.slash(boss, "alerts_off", channel)
    assert "no longer receives" in text(await off.reply())
    again = await running.fake.slash(boss, "alerts_off", channel)
    assert "was not receiving" in text(await again.reply())
    assert again.ephemeral
