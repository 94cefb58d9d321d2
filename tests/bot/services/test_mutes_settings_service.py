"""Mutes (node or all, duration or until resolved) and settings (currency, alert kinds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.errors import InvalidInputError, NotFoundError, UsageError
from tests.bot.services.helpers import assert_renders, services
from tests.helpers import caller, give_node, make_user, wallet


async def test_mute_a_node_for_a_duration_then_unmute(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "big rig")
    result = await svc.mutes.mute_command(caller("1"), "big rig 2h")
    assert result.mute.node_id == node_id and not result.mute.until_resolved
    assert result.mute.until is not None
    left = result.mute.until - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)
    for i in range(12):  # many mutes: the list still fits the platforms' button limits
        await give_node(pool, "op@example.com", wallet(100 + i), f"spare-{i}")
        await svc.mutes.mute(caller("1"), f"spare-{i}", "1d")
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
    await svc.mutes.mute_command(caller("1"), "all until resolved")
    again = await svc.mutes.mute(caller("1"), "all", "1d")
    assert again.mute.node_id is None and not again.mute.until_resolved
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 1


async def test_alert_buttons_mute_by_node_id(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig")
    for duration in ("1h", "24h", "resolved"):
        result = await svc.mutes.mute(caller("1"), str(node_id), duration)
        assert result.mute.until_resolved == (duration == "resolved")


async def test_expired_mutes_are_not_listed(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await svc.mutes.mute(caller("1"), "all", "30m")
    await pool.execute("UPDATE mutes SET until = now() - interval '1 minute'")
    assert (await svc.mutes.list_mutes(caller("1"))).items == ()


@pytest.mark.parametrize("args", ["", "rig", "rig forever", "rig 90d"])
async def test_bad_mute_arguments_are_explained(pool: Pool, config: Config, args: str) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await give_node(pool, "op@example.com", wallet(1), "rig")
    with pytest.raises((UsageError, InvalidInputError)):
        await svc.mutes.mute_command(caller("1"), args)
    assert await pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_settings_currency_and_alert_kinds(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    user = await make_user(pool, "op@example.com", telegram="1")
    shown = await svc.settings.show(caller("1"))
    assert shown.currency == "USD" and shown.alerts.enabled("offline")
    assert not shown.alerts.enabled("unhealthy", default=False)
    assert (await svc.settings.command(caller("1"), "currency eur")).currency == "EUR"
    off = await svc.settings.command(caller("1"), "offline off")
    assert_renders(off.message)
    assert not off.alerts.enabled("offline")
    toggles = {b.args for row in off.message.buttons for b in row if b.action == "setting"}
    assert ("offline", "on") in toggles
    row = await pool.fetchrow("SELECT conditions FROM user_alert_settings WHERE user_id = $1", user.id)
    assert row is not None and row["conditions"] == {"offline": False}
    with pytest.raises(InvalidInputError):
        await svc.settings.set_currency(caller("1"), "euro$")
    with pytest.raises(InvalidInputError):
        await svc.settings.set_alert(caller("1"), "everything", "on")
    with pytest.raises(UsageError):
        await svc.settings.command(caller("1"), "a b c")
