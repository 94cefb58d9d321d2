"""Mutes (node or all, duration or until resolved) and settings (currency, alert kinds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.errors import NotFoundError, UsageError
from tests.bot.services.helpers import assert_renders, parsed, services
from tests.helpers import caller, give_node, make_user, wallet


async def test_mute_a_node_for_a_duration_then_unmute(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "big rig")
    a = await parsed(svc, caller("1"), "mute", "big rig 2h")
    result = await svc.mutes.mute(caller("1"), a["node"], a["duration"])
    assert result.mute.node_id == node_id and not result.mute.until_resolved
    assert result.mute.until is not None
    left = result.mute.until - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)
    for i in range(12):  # many mutes: the list still fits the platforms' button limits
        await give_node(pool, "op@example.com", wallet(100 + i), f"spare-{i}")
        await svc.mutes.mute(caller("1"), f"spare-{i}", timedelta(days=1))
    many = await svc.mutes.list_mutes(caller("1"))
    assert len(many.items) == 13
    assert_renders(many.message)
    for i in range(12):
        await svc.mutes.unmute(caller("1"), f"spare-{i}")
    listed = await svc.mutes.list_mutes(caller("1"))
    assert [v.target for v in listed.items] == ["big rig"]
    await svc.mutes.unmute(caller("1"), "big rig")
    assert (await svc.mutes.list_mutes(caller("1"))).items == ()
    with pytest.raises(NotFoundError):
        await svc.mutes.unmute(caller("1"), "big rig")


async def test_mute_all_until_resolved_and_re_mute_replaces(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    a = await parsed(svc, caller("1"), "mute", "all resolved")
    await svc.mutes.mute(caller("1"), a["node"], a["duration"])
    again = await svc.mutes.mute(caller("1"), None, timedelta(days=1))
    assert again.mute.node_id is None and not again.mute.until_resolved
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 1


async def test_alert_buttons_mute_by_node_id(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig")
    for duration in (timedelta(hours=1), timedelta(hours=24), None):
        result = await svc.mutes.mute(caller("1"), str(node_id), duration)
        assert result.mute.until_resolved == (duration is None)


async def test_expired_mutes_are_not_listed(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await svc.mutes.mute(caller("1"), None, timedelta(minutes=30))
    await pool.execute("UPDATE mutes SET until = now() - interval '1 minute'")
    assert (await svc.mutes.list_mutes(caller("1"))).items == ()


@pytest.mark.parametrize("args", ["", "rig", "rig forever", "rig 90d"])
async def test_bad_mute_arguments_are_explained(pool: Pool, config: Config, args: str) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await give_node(pool, "op@example.com", wallet(1), "rig")
    with pytest.raises(UsageError):
        await parsed(svc, caller("1"), "mute", args)
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_settings_currency_and_alert_kinds(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    user = await make_user(pool, "op@example.com", telegram="1")
    shown = await svc.settings.show(caller("1"))
    assert shown.currency == "USD" and shown.alerts.enabled("offline")
    assert not shown.alerts.enabled("unhealthy", default=False)
    currency = await parsed(svc, caller("1"), "settings", "currency eur")
    assert (await svc.settings.change(caller("1"), currency["change"])).currency == "EUR"
    off = await svc.settings.change(
        caller("1"), (await parsed(svc, caller("1"), "settings", "offline off"))["change"]
    )
    assert_renders(off.message)
    assert not off.alerts.enabled("offline")
    toggles = {b.args for row in off.message.buttons for b in row if b.action == "setting"}
    assert ("offline", "on") in toggles
    row = await pool.fetchrow("SELECT conditions FROM user_alert_settings WHERE user_id = $1", user.id)
    assert row is not None and row["conditions"] == {"offline": False}
    for bad in ("currency euro$", "everything on", "offline maybe", "a b c"):
        with pytest.raises(UsageError):
            await parsed(svc, caller("1"), "settings", bad)


# --- an admin's mute in an admin alert channel ---------------------------------------------------

ADMIN_CHAT = "-100900"


async def test_an_admin_muting_in_the_admin_channel_mutes_the_channel_and_is_audited(
    pool: Pool, db_url: str
) -> None:
    from tests.bot.alerts.helpers import alert_config

    svc = services(pool, alert_config(db_url, admin_telegram_chat_ids=[int(ADMIN_CHAT)]))
    admin = await make_user(pool, "root@example.com", telegram="9", admin=True)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig-1")
    result = await svc.mutes.mute(
        caller("9", chat=ADMIN_CHAT, kind="group"), str(node_id), timedelta(hours=1)
    )
    assert result.mute is None and result.channel_mute is not None
    said = result.message.plain()
    assert "rig-1" in said and "muted in this channel for 1h" in said and "telegram user 9" in said, said
    row = await pool.fetchrow("SELECT platform, chat_id, node_id, muted_by FROM channel_mutes")
    assert dict(row) == {
        "platform": "telegram",
        "chat_id": ADMIN_CHAT,
        "node_id": node_id,
        "muted_by": admin.id,
    }
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 0  # nobody's own mute
    audit = await pool.fetchrow(
        "SELECT actor_user_id, chat_id, target, outcome FROM admin_audit_log WHERE action = 'channel_mute'"
    )
    assert dict(audit) == {
        "actor_user_id": admin.id,
        "chat_id": ADMIN_CHAT,
        "target": wallet(1),
        "outcome": "ok",
    }

    listed = (await svc.mutes.list_mutes(caller("9", chat=ADMIN_CHAT, kind="group"))).message.plain()
    assert "rig-1" in listed and "telegram user 9" in listed
    gone = await svc.mutes.unmute(caller("9", chat=ADMIN_CHAT, kind="group"), str(node_id))
    assert "no longer muted in this channel" in gone.message.plain()
    assert await pool.fetchval("SELECT count(*) FROM channel_mutes") == 0
    assert await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE action = 'channel_unmute'") == 1


async def test_an_admin_elsewhere_and_a_non_admin_in_the_admin_channel_mute_for_themselves(
    pool: Pool, db_url: str
) -> None:
    from tests.bot.alerts.helpers import alert_config

    svc = services(pool, alert_config(db_url, admin_telegram_chat_ids=[int(ADMIN_CHAT)]))
    await make_user(pool, "root@example.com", telegram="9", admin=True)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig-1")
    private = await svc.mutes.mute(caller("9"), str(node_id), timedelta(hours=1))
    other_group = await svc.mutes.mute(caller("9", chat="-100777", kind="group"), str(node_id), None)
    owner = await svc.mutes.mute(caller("1", chat=ADMIN_CHAT, kind="group"), str(node_id), None)
    assert [r.channel_mute for r in (private, other_group, owner)] == [None, None, None]
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 2  # the admin's own and the owner's
    assert await pool.fetchval("SELECT count(*) FROM channel_mutes") == 0
