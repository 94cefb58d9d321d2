"""Alert routes follow their chats: a chat disabled after a refusal comes back with /alerts_here or
when the bot is added again; a group that becomes a supergroup keeps its route and its undelivered
alerts; an admin routes a channel by naming it from a private chat (channel posts have no sender)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.db.outbox import NewNotification, enqueue
from bot.db.outbox_claims import disable_target
from bot.db.types import Pool
from bot.render.message import Message
from tests.bot.telegram.conftest import ADMIN_TG, Tg, running, telegram_config
from tests.fakes.telegram_api import FakeTelegram

ADMIN = "boss@example.com"
OTHER_ADMIN_TG = 900002
GROUP = -1001500
CHANNEL = -1001700


@pytest_asyncio.fixture
async def adm(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[Tg]:
    async with running(telegram_api, pool, telegram_config(db_url, telegram_api)) as tg:
        await tg.user(ADMIN, telegram=ADMIN_TG, admin=True)
        yield tg


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def disabled(pool: Pool, chat: int) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT disabled_at IS NOT NULL FROM delivery_targets"
            " WHERE platform = 'telegram' AND target_id = $1",
            str(chat),
        )
    )


async def route_of(pool: Pool, chat: int) -> str | None:
    scope = await pool.fetchval(
        "SELECT scope FROM alert_routes WHERE platform = 'telegram' AND chat_id = $1", str(chat)
    )
    return None if scope is None else str(scope)


async def test_alerts_here_re_enables_a_group_disabled_after_a_refusal(adm: Tg) -> None:
    adm.fake.add_chat(GROUP, "supergroup", admins=(ADMIN_TG,))
    await disable_target(adm.pool, "telegram", str(GROUP), "403: bot was kicked", 403)
    answer = await adm.reply(ADMIN_TG, "/alerts_here", chat_id=GROUP)
    assert "now receives" in answer.shown
    assert not await disabled(adm.pool, GROUP)


async def test_adding_the_bot_back_re_enables_the_chat(adm: Tg) -> None:
    adm.fake.add_chat(GROUP, "supergroup", admins=(ADMIN_TG,), bot_status="left")
    await disable_target(adm.pool, "telegram", str(GROUP), "403: bot was kicked", 403)
    adm.fake.bot_membership(GROUP, "member", by=ADMIN_TG)
    await eventually(lambda: _not(disabled(adm.pool, GROUP)))


async def test_removing_the_bot_disables_the_chat(adm: Tg) -> None:
    adm.fake.add_chat(GROUP, "supergroup", admins=(ADMIN_TG,))
    adm.fake.bot_membership(GROUP, "kicked", by=ADMIN_TG, old_status="member")
    await eventually(lambda: disabled(adm.pool, GROUP))


async def test_a_group_upgraded_to_a_supergroup_keeps_its_route_and_pending_alerts(adm: Tg) -> None:
    old, new = -4500, -1004500
    adm.fake.add_chat(old, "group", admins=(ADMIN_TG,))
    await adm.reply(ADMIN_TG, "/alerts_here admin", chat_id=old)
    await enqueue(adm.pool, [_alert(old)])
    adm.fake.migrate(old, new, by=ADMIN_TG)
    await eventually(lambda: _equals(route_of(adm.pool, new), "admin"))
    assert await route_of(adm.pool, old) is None
    targets = await adm.pool.fetch("SELECT target_id FROM notifications WHERE status = 'pending'")
    assert [r["target_id"] for r in targets] == [str(new)]


async def test_a_send_that_finds_the_group_moved_delivers_there_and_moves_the_route(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    old, new = -4600, -1004600
    telegram_api.add_chat(new, "supergroup")
    telegram_api.migrated[old] = new  # the service message was missed (the bot was down)
    await pool.execute(
        "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('telegram', $1, 'all')", str(old)
    )
    await enqueue(pool, [_alert(old)])
    config = telegram_config(db_url, telegram_api)
    worker = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts)
    task = asyncio.create_task(worker.run())
    try:
        [sent] = await telegram_api.wait_sent(new, 1)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert "Jailed: rig-9" in sent.shown
    assert await route_of(pool, new) == "all"
    assert await pool.fetchval("SELECT status FROM notifications") == "delivered"


async def test_an_admin_routes_a_channel_they_administer_from_a_private_chat(adm: Tg) -> None:
    adm.fake.add_chat(CHANNEL, "channel", username="minegnk_alerts", admins=(ADMIN_TG,))
    await disable_target(adm.pool, "telegram", str(CHANNEL), "403: bot was kicked", 403)
    answer = await adm.reply(ADMIN_TG, "/alerts_here @minegnk_alerts admin")
    assert "now receives node and monitoring alerts" in answer.shown
    assert await route_of(adm.pool, CHANNEL) == "admin"
    assert not await disabled(adm.pool, CHANNEL)
    audit = await adm.pool.fetchrow(
        "SELECT outcome, details FROM admin_audit_log WHERE action = 'alerts_here' ORDER BY id DESC LIMIT 1"
    )
    assert audit is not None and audit["outcome"] == "ok" and str(CHANNEL) in str(audit["details"])
    off = await adm.reply(ADMIN_TG, f"/alerts_off {CHANNEL}")
    assert "no longer receives" in off.shown
    assert await route_of(adm.pool, CHANNEL) is None


async def test_a_bot_admin_who_does_not_administer_the_channel_cannot_route_it(adm: Tg) -> None:
    await adm.user("other@example.com", telegram=OTHER_ADMIN_TG, admin=True)
    adm.fake.add_chat(CHANNEL, "channel", username="minegnk_alerts", admins=(ADMIN_TG,))
    answer = await adm.reply(OTHER_ADMIN_TG, f"/alerts_here {CHANNEL}")
    assert "Only an administrator of" in answer.shown
    assert await route_of(adm.pool, CHANNEL) is None


async def test_alerts_here_posted_in_a_channel_explains_how_to_route_it(adm: Tg) -> None:
    adm.fake.add_chat(CHANNEL, "channel", username="minegnk_alerts", admins=(ADMIN_TG,))
    adm.fake.channel_post(CHANNEL, "/alerts_here")
    [answer] = await adm.fake.wait_sent(CHANNEL, 1)
    assert "/alerts_here @minegnk_alerts" in answer.shown
    assert await route_of(adm.pool, CHANNEL) is None


def _alert(chat: int) -> NewNotification:
    return NewNotification("telegram", "channel", str(chat), "jailed", Message.text("Jailed: rig-9"))


async def _not(value: Awaitable[bool]) -> bool:
    return not await value


async def _equals(value: Awaitable[str | None], expected: str) -> bool:
    return await value == expected
