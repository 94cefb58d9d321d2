"""Admin commands against a real database: assign, users, link codes, broadcast, stats, routes, audit."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.errors import InvalidInputError, NotFoundError, UsageError
from tests.bot.services.helpers import parsed, services
from tests.helpers import WALLET, caller, make_user, wallet

ADMIN = caller("9")


async def _admin(pool: Pool) -> None:
    await make_user(pool, "boss@example.com", admin=True, telegram="9")


async def test_assign_creates_the_node_records_assigned_by_and_audits(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "op@example.com", telegram="1")
    actor = await svc.authz.resolve(ADMIN)
    a = await svc.arguments.text(actor, "assign", f"op@example.com {WALLET.upper()} wallet Big Rig 1")
    result = await svc.admin.assign(actor, a["email"], a["identifier"], a.get("type"), a.get("name"))
    assert result.node_created and result.assignment_created and result.node.display_name == "Big Rig 1"
    by = await pool.fetchval("SELECT u.email FROM user_nodes un JOIN users u ON u.id = un.assigned_by")
    assert by == "boss@example.com"
    again = await svc.admin.assign(ADMIN, "op@example.com", WALLET)
    assert not again.node_created and not again.assignment_created
    assert [n.node.identifier for n in (await svc.nodes.list_nodes(caller("1"))).items] == [WALLET]
    row = await pool.fetchrow("SELECT action, outcome, details FROM admin_audit_log ORDER BY id LIMIT 1")
    assert (row["action"], row["outcome"], row["details"]["created"]) == ("assign", "ok", True)


async def test_assign_with_bad_input_is_explained_and_audited_as_failed(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "op@example.com")
    with pytest.raises(InvalidInputError, match="not a Gonka node identifier"):
        await svc.admin.assign(ADMIN, "op@example.com", "banana")
    with pytest.raises(NotFoundError):
        await svc.admin.assign(ADMIN, "ghost@example.com", WALLET)
    with pytest.raises(InvalidInputError, match="operator"):
        await svc.admin.assign(ADMIN, "op@example.com", WALLET, "operator")
    with pytest.raises(UsageError):
        await svc.arguments.text(await svc.authz.resolve(ADMIN), "assign", "op@example.com")
    assert await pool.fetchval("SELECT count(*) FROM nodes") == 0
    assert await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'failed'") == 4


async def test_unassign_and_user_info(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "op@example.com", telegram="1")
    await svc.admin.assign(ADMIN, "op@example.com", wallet(1), name="rig")
    info = await svc.admin.user_info(ADMIN, "OP@example.com")
    assert [n.identifier for n in info.nodes] == [wallet(1)] and "Telegram" in info.message.plain()
    await svc.admin.unassign(ADMIN, "op@example.com", wallet(1))
    assert (await svc.admin.user_info(ADMIN, "op@example.com")).nodes == ()
    with pytest.raises(NotFoundError):
        await svc.admin.unassign(ADMIN, "op@example.com", wallet(1))


async def test_link_code_from_chat_links_the_user(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "op@example.com")
    issued = await svc.admin.link_code(ADMIN, "op@example.com")
    assert issued.code in issued.message.plain()
    payload = issued.code  # what Telegram's deep link passes to /start
    assert (await svc.accounts.start(caller("2"), payload)).confirm_email == "o***@example.com"
    assert (await svc.accounts.link_with_code(caller("2"), payload)).user.telegram == "2"
    issued = await svc.admin.link_code(ADMIN, "op@example.com")
    assert (
        await svc.accounts.link_with_code(caller("1", platform="discord"), issued.code)
    ).user.discord == "1"


async def test_broadcast_enqueues_one_per_linked_active_identity(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "a@example.com", telegram="1", discord="d1")
    await make_user(pool, "b@example.com", discord="d2")
    gone = await make_user(pool, "c@example.com", telegram="3")
    await make_user(pool, "d@example.com")
    await pool.execute("UPDATE users SET is_active = false WHERE id = $1", gone.id)
    result = await svc.admin.broadcast(ADMIN, "Maintenance <tonight> & tomorrow")
    assert result.recipients == 4  # admin's telegram, a's two, b's discord
    rows = await pool.fetch("SELECT platform, target_id, kind, status FROM notifications ORDER BY 1, 2")
    assert {(r[0], r[1]) for r in rows} == {
        ("telegram", "9"),
        ("telegram", "1"),
        ("discord", "d1"),
        ("discord", "d2"),
    }
    assert {r[2] for r in rows} == {"broadcast"} and {r[3] for r in rows} == {"pending"}
    with pytest.raises(UsageError):
        await svc.admin.broadcast(ADMIN, "   ")


async def test_stats_counts_the_fleet(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    await make_user(pool, "op@example.com", telegram="1")
    await make_user(pool, "idle@example.com")
    await svc.admin.assign(ADMIN, "op@example.com", wallet(1))
    await svc.admin.assign(ADMIN, "op@example.com", wallet(2))
    node_id = await pool.fetchval("SELECT id FROM nodes WHERE identifier = $1", wallet(1))
    await pool.execute("INSERT INTO node_stats_cache (node_id, status) VALUES ($1, 'jailed')", node_id)
    await pool.execute(
        "INSERT INTO notifications (platform, target_kind, target_id, kind, payload)"
        " VALUES ('telegram', 'user', '1', 'node_alert', '{}'), ('telegram', 'user', '1', 'broadcast', '{}')"
    )
    await pool.execute(
        "INSERT INTO source_health (source, consecutive_failures, degraded) VALUES ('hyperfusion', 4, true)"
    )
    stats = await svc.admin.stats(ADMIN)
    assert (stats.users, stats.linked_users) == (3, 2)
    assert stats.nodes_by_status == {"jailed": 1, "no data": 1}
    assert stats.alerts_24h == 1 and stats.outbox.pending == 2
    assert "hyperfusion: 🔴 degraded" in stats.message.plain()


async def test_alert_routes_for_the_current_chat(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await _admin(pool)
    group = caller("9", chat="-100777", kind="group")
    assert (await svc.admin.alerts_here(group, "requests")).scope == "requests"
    assert (await svc.admin.alerts_here(group)).scope == "all"
    assert await pool.fetchval("SELECT scope FROM alert_routes WHERE chat_id = '-100777'") == "all"
    with pytest.raises(UsageError):
        await parsed(svc, group, "alerts_here", "everything")
    await svc.admin.alerts_off(group)
    assert await pool.fetchval("SELECT count(*) FROM alert_routes") == 0
    with pytest.raises(NotFoundError):
        await svc.admin.alerts_off(group)


async def test_a_configured_platform_admin_without_an_account_can_act(pool: Pool, config: Config) -> None:
    from bot.config import load_config

    cfg = load_config(
        None,
        database={"url": config.database.url.get_secret_value(), "migrate_on_start": False},  # type: ignore[union-attr]
        accounts={"bcrypt_rounds": 4},
        discord={"admin_ids": [4242]},
    )
    svc = services(pool, cfg)
    await make_user(pool, "op@example.com")
    result = await svc.admin.assign(caller("4242", platform="discord"), "op@example.com", WALLET)
    assert result.assignment_created
    row = await pool.fetchrow("SELECT actor_user_id, platform_user_id FROM admin_audit_log")
    assert tuple(row) == (None, "4242")
