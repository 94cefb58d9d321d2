"""Telegram's shared senders (issue 15 item 1, SPEC §6): an anonymous group admin, a message sent as a
channel, an automatic forward. Each id is the same for everyone who posts that way, so none of them
may link or act; they are told to write from their own account. Real aiogram against the fake Bot API."""

from __future__ import annotations

import asyncio

from bot.telegram.context import SHARED_SENDER_TEXT
from tests.bot.telegram.conftest import USER_TG, Tg
from tests.fakes.telegram_api import GROUP_ANONYMOUS_BOT

GROUP = -100777001
CHANNEL = -100777002


async def test_an_anonymous_admin_can_neither_run_an_admin_command_nor_link(tg: Tg) -> None:
    # the state the old code let anyone create: the shared anonymous-admin id linked to an admin account
    await tg.user("boss@example.com", telegram=GROUP_ANONYMOUS_BOT, admin=True)
    await tg.user("victim@example.com")
    code = await tg.link_code("victim@example.com")

    for text in (
        "/stats",
        "/linkcode victim@example.com",
        f"/link {code}",
        f"/start {code.replace('-', '')}",
    ):
        before = len(tg.fake.sent_to(GROUP))
        tg.fake.anonymous_admin(GROUP, text)
        [reply] = (await tg.fake.wait_sent(GROUP, before + 1))[before:]
        assert reply.text == SHARED_SENDER_TEXT, text

    assert await tg.pool.fetchval("SELECT used_at FROM link_codes") is None  # the code was not consumed
    victim = await tg.pool.fetchrow("SELECT telegram FROM users WHERE email = 'victim@example.com'")
    assert victim is not None and victim["telegram"] is None
    assert await tg.pool.fetchval("SELECT count(*) FROM link_codes") == 1  # no code was issued either


async def test_posting_as_a_channel_or_by_automatic_forward_never_links(tg: Tg) -> None:
    await tg.user("op@example.com")
    code = await tg.link_code("op@example.com")
    tg.fake.as_channel(GROUP, CHANNEL, f"/link {code}")
    [reply] = await tg.fake.wait_sent(GROUP, 1)
    assert reply.text == SHARED_SENDER_TEXT
    tg.fake.automatic_forward(GROUP, CHANNEL, f"/link {code}")
    await tg.fake.wait_sent(GROUP, 2)
    assert tg.fake.sent_to(GROUP)[1].text == SHARED_SENDER_TEXT
    linked = await tg.pool.fetch("SELECT telegram FROM users WHERE telegram IS NOT NULL")
    assert linked == []
    assert await tg.pool.fetchval("SELECT used_at FROM link_codes") is None


async def test_a_channel_s_ordinary_posts_are_ignored_and_real_people_still_answered(tg: Tg) -> None:
    tg.fake.automatic_forward(GROUP, CHANNEL, "New blog post!")  # a channel's post reaching its group
    tg.fake.as_channel(GROUP, CHANNEL, "/help@some_other_bot")
    reply = await tg.reply(USER_TG, "/help", chat_id=GROUP)  # a person in the same group is answered
    assert "/link" in (reply.text or "")
    await asyncio.sleep(0.3)
    assert len(tg.fake.sent_to(GROUP)) == 1
