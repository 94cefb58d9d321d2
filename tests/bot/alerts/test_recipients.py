"""Who receives node alerts: linked active users on each linked platform, settings, mutes, routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.alerts.engine import AlertEngine
from bot.db import users as users_db
from bot.db.outbox_claims import disable_target
from bot.db.types import Pool
from tests.bot.alerts.helpers import T0, alert_config, notifications, obs, report
from tests.helpers import make_node, make_user


async def run(pool: Pool, engine: AlertEngine, node_ids: list[Any], seq: list[tuple[int, str]]) -> None:
    for minute, status in seq:
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(n, status, at) for n in node_ids], at))


JAIL_AND_RECOVER = [(0, "H"), (1, "J"), (2, "H"), (3, "H")]


def targets(rows: list[dict[str, Any]], kind: str) -> set[tuple[str, str]]:
    return {(r["platform"], r["target_id"]) for r in rows if r["kind"] == kind}


async def test_every_linked_platform_of_every_linked_active_user(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_discord_channel_ids=[900]))
    both = await make_user(pool, telegram="11", discord="22")
    tg_only = await make_user(pool, telegram="33")
    inactive = await make_user(pool, telegram="44")
    await users_db.set_active(pool, inactive.id, False)
    unlinked = await make_user(pool)
    node = await make_node(pool, "rig")
    stranger = await make_user(pool, telegram="55")
    other = await make_node(pool, "not-mine", owner=stranger.id)
    from bot.db.nodes import assign_node

    for u in (both, tg_only, inactive, unlinked):
        await assign_node(pool, u.id, node.id, None)
    await run(pool, engine, [node.id, other.id], [(0, "H"), (1, "J")])
    rows = await notifications(pool)
    assert targets(rows, "node_alert") == {
        ("telegram", "11"),
        ("discord", "22"),
        ("telegram", "33"),
        ("telegram", "-1001"),  # config admin chat
        ("discord", "900"),  # config admin channel
        ("telegram", "55"),  # the owner of the other node
    }
    # the admin chat got both nodes in one message; each user only their own
    admin = next(r for r in rows if r["target_id"] == "-1001")
    assert len(admin["incident_ids"]) == 2
    assert all(len(r["incident_ids"]) == 1 for r in rows if r["target_kind"] == "user")


async def test_routed_channels_get_node_alerts_by_scope(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    for chat, scope in (("-1", "all"), ("-2", "admin"), ("-3", "requests")):
        await pool.execute(
            "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('telegram', $1, $2)", chat, scope
        )
    node = await make_node(pool, "rig")
    await run(pool, engine, [node.id], [(0, "H"), (1, "J")])
    assert targets(await notifications(pool), "node_alert") == {("telegram", "-1"), ("telegram", "-2")}


async def test_disabled_targets_are_skipped(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))
    user = await make_user(pool, telegram="11", discord="22")
    node = await make_node(pool, "rig", owner=user.id)
    await disable_target(pool, "telegram", "11", "403: Forbidden: bot was blocked by the user", 403)
    await disable_target(pool, "telegram", "-1001", "403: kicked", 403)
    await run(pool, engine, [node.id], [(0, "H"), (1, "J")])
    assert targets(await notifications(pool), "node_alert") == {("discord", "22")}


async def test_settings_choose_the_alert_kinds(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[], reminder_interval_s=3600))
    default = await make_user(pool, telegram="1")
    no_jail = await make_user(pool, telegram="2")
    no_recovery = await make_user(pool, telegram="3")
    wants_unhealthy = await make_user(pool, telegram="4")
    no_reminders = await make_user(pool, telegram="5")
    await pool.execute(
        """INSERT INTO user_alert_settings (user_id, conditions) VALUES ($1, '{"jailed": false}')""",
        no_jail.id,
    )
    await pool.execute(
        "INSERT INTO user_alert_settings (user_id, recovery) VALUES ($1, false)", no_recovery.id
    )
    await pool.execute(
        """INSERT INTO user_alert_settings (user_id, conditions) VALUES ($1, '{"unhealthy": true}')""",
        wants_unhealthy.id,
    )
    await pool.execute(
        "INSERT INTO user_alert_settings (user_id, reminders) VALUES ($1, false)", no_reminders.id
    )
    jailed, unhealthy = await make_node(pool, "j"), await make_node(pool, "u")
    from bot.db.nodes import assign_node

    for u in (default, no_jail, no_recovery, wants_unhealthy, no_reminders):
        await assign_node(pool, u.id, jailed.id, None)
        await assign_node(pool, u.id, unhealthy.id, None)
    at = [
        (0, "H", "H"),
        (1, "J", "U"),
        (2, "J", "U"),
        (3, "J", "U"),
        (70, "J", "H"),
        (71, "H", "H"),
        (72, "H", "H"),
    ]
    for minute, sj, su in at:
        t = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(jailed.id, sj, t), obs(unhealthy.id, su, t)], t))
    rows = await notifications(pool)

    def got(kind: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in rows:
            if r["kind"] == kind:
                out[r["target_id"]] = len(r["incident_ids"])
        return out

    # jailed alert to all but no_jail; unhealthy only to wants_unhealthy (in the same message)
    assert got("node_alert") == {"1": 1, "3": 1, "4": 1, "5": 1}
    assert got("node_reminder") == {"1": 1, "3": 1, "4": 1}
    assert got("node_recovery") == {"1": 1, "4": 1, "5": 1}


async def test_mutes_for_a_time_and_until_resolved(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    timed = await make_user(pool, telegram="1")
    all_timed = await make_user(pool, telegram="2")
    resolved = await make_user(pool, telegram="3")
    expired = await make_user(pool, telegram="4")
    other_node = await make_user(pool, telegram="5")
    node, spare = await make_node(pool, "rig"), await make_node(pool, "spare")
    from bot.db.nodes import assign_node

    for u in (timed, all_timed, resolved, expired, other_node):
        await assign_node(pool, u.id, node.id, None)
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until) VALUES ($1, $2, $3)",
        timed.id,
        node.id,
        T0 + timedelta(hours=1),
    )
    await pool.execute(
        "INSERT INTO mutes (user_id, until) VALUES ($1, $2)", all_timed.id, T0 + timedelta(hours=1)
    )
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until_resolved) VALUES ($1, $2, true)", resolved.id, node.id
    )
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until) VALUES ($1, $2, $3)",
        expired.id,
        node.id,
        T0 - timedelta(hours=1),
    )
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until) VALUES ($1, $2, $3)",
        other_node.id,
        spare.id,
        T0 + timedelta(hours=1),
    )
    await run(pool, engine, [node.id], JAIL_AND_RECOVER)
    rows = await notifications(pool)
    assert {r["target_id"] for r in rows if r["kind"] == "node_alert"} == {"4", "5"}
    # until-resolved lets the recovery through and then ends
    assert {r["target_id"] for r in rows if r["kind"] == "node_recovery"} == {"3", "4", "5"}
    assert await pool.fetchval("SELECT count(*) FROM mutes WHERE until_resolved") == 0
    # the next incident reaches the user whose until-resolved mute ended
    await run(pool, engine, [node.id], [(10, "J")])
    latest = [r for r in await notifications(pool) if r["kind"] == "node_alert"]
    assert "3" in {r["target_id"] for r in latest}


async def test_mute_all_until_resolved_ends_when_nothing_is_left_open(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    user = await make_user(pool, telegram="1")
    a, b = await make_node(pool, "a", owner=user.id), await make_node(pool, "b", owner=user.id)
    await pool.execute("INSERT INTO mutes (user_id, until_resolved) VALUES ($1, true)", user.id)
    await run(pool, engine, [a.id, b.id], [(0, "H"), (1, "J")])
    assert await notifications(pool) == []
    for minute, sa, sb in [(2, "H", "J"), (3, "H", "J")]:  # a recovers, b is still jailed
        t = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(a.id, sa, t), obs(b.id, sb, t)], t))
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 1
    for minute in (4, 5):
        t = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(a.id, "H", t), obs(b.id, "H", t)], t))
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_an_admin_channel_mute_keeps_a_nodes_alerts_out_of_that_channel_only(
    pool: Pool, db_url: str
) -> None:
    """A timed channel mute silences everything of the node there; an until-resolved one lets the
    recovery through and ends with it; the owner and the other admin channel hear it all."""
    engine = AlertEngine(alert_config(db_url, admin_discord_channel_ids=[900]))
    admin = await make_user(pool, telegram="9", admin=True)
    owner = await make_user(pool, telegram="11")
    node = await make_node(pool, "rig", owner=owner.id)
    other = await make_node(pool, "rig-2", owner=owner.id)
    until = T0 + timedelta(hours=1)
    await pool.execute(
        "INSERT INTO channel_mutes (platform, chat_id, node_id, until, muted_by, muted_by_name)"
        " VALUES ('telegram', '-1001', $1, $2, $3, 'root')",
        node.id,
        until,
        admin.id,
    )
    await run(pool, engine, [node.id, other.id], JAIL_AND_RECOVER)
    rows = await notifications(pool)
    in_muted = [r for r in rows if r["target_id"] == "-1001"]
    assert [len(r["incident_ids"]) for r in in_muted] == [1, 1]  # rig-2's alert and recovery only
    assert len([r for r in rows if r["target_id"] == "900"]) == 2  # both nodes, in one message each time
    assert all(len(r["incident_ids"]) == 2 for r in rows if r["target_id"] == "900")
    mine = [r for r in rows if r["target_id"] == "11"]
    assert [len(r["incident_ids"]) for r in mine] == [2, 2]  # the owner: both nodes' alert and recovery

    await pool.execute("UPDATE channel_mutes SET until = NULL, until_resolved = true")
    before = len(rows)
    await run(pool, engine, [node.id], [(10, "J"), (11, "H"), (12, "H")])
    kinds = [r["kind"] for r in (await notifications(pool))[before:] if r["target_id"] == "-1001"]
    assert kinds == ["node_recovery"]  # the alert held back, the recovery through
    assert await pool.fetchval("SELECT count(*) FROM channel_mutes") == 0  # and the mute ended with it
