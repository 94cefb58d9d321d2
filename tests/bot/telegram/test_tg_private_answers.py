"""Codes, emails and request details are answered only in a private chat (issue 15 item 2, SPEC §6):
a private-only command typed in a group is answered in the sender's private chat and the group is told
so (or told that the bot cannot write to them privately). Real aiogram against the fake Bot API."""

from __future__ import annotations

import pytest

from bot.services.commands import COMMANDS
from bot.telegram.private_answers import ANSWERED_PRIVATELY
from tests.bot.telegram.conftest import ADMIN_TG, USER_TG, Tg

ADMIN = "root@example.com"
OP = "op@example.com"
GROUP = -100888001


@pytest.fixture
async def adm(tg: Tg) -> Tg:
    await tg.user(ADMIN, telegram=ADMIN_TG, admin=True)
    await tg.user(OP, telegram=USER_TG)
    return tg


def _group_text(tg: Tg) -> str:
    return "\n".join(m.text or "" for m in tg.fake.sent_to(GROUP))


async def test_linkcode_in_a_group_posts_no_code_the_code_goes_to_the_private_chat(adm: Tg) -> None:
    before = len(adm.fake.sent_to(ADMIN_TG))
    note = await adm.reply(ADMIN_TG, "/linkcode op@example.com", chat_id=GROUP)
    assert note.text == ANSWERED_PRIVATELY
    private = adm.fake.sent_to(ADMIN_TG)[before:]
    [code] = await adm.pool.fetch("SELECT id FROM link_codes")  # one code issued ...
    assert code is not None
    texts = "\n".join(m.text or "" for m in private)
    assert "Link code for op@example.com" in texts and "t.me/" in texts  # ... and shown privately
    shown = texts.split("Link code for op@example.com")[1].split()[0]
    assert shown not in _group_text(adm) and "op@example.com" not in _group_text(adm)
    assert "t.me/" not in _group_text(adm)


@pytest.mark.parametrize(
    ("who", "command", "private_text"),
    [
        (USER_TG, "/whoami", OP),
        (USER_TG, "/start", OP),
        (ADMIN_TG, "/user op@example.com", OP),
        (ADMIN_TG, "/requests all", "No requests"),
    ],
)
async def test_emails_and_requests_are_answered_privately(
    adm: Tg, who: int, command: str, private_text: str
) -> None:
    before = len(adm.fake.sent_to(who))
    note = await adm.reply(who, command, chat_id=GROUP)
    assert note.text == ANSWERED_PRIVATELY
    await adm.fake.wait_sent(who, before + 1)
    assert private_text in "\n".join(m.text or "" for m in adm.fake.sent_to(who)[before:])
    assert "@example.com" not in _group_text(adm)


async def test_a_refusal_of_a_private_command_goes_privately_too(adm: Tg) -> None:
    before = len(adm.fake.sent_to(USER_TG))
    note = await adm.reply(USER_TG, "/linkcode root@example.com", chat_id=GROUP)  # not an admin
    assert note.text == ANSWERED_PRIVATELY
    [refusal] = (await adm.fake.wait_sent(USER_TG, before + 1))[before:]
    assert "admins only" in (refusal.text or "")


async def test_when_the_bot_cannot_write_privately_the_group_is_told_and_sees_nothing(adm: Tg) -> None:
    adm.fake.block(ADMIN_TG)  # the admin never opened a private chat with the bot
    note = await adm.reply(ADMIN_TG, "/linkcode op@example.com", chat_id=GROUP)
    assert "can't message you privately" in (note.text or "")
    assert "op@example.com" not in _group_text(adm) and "t.me/" not in _group_text(adm)


def test_the_command_table_marks_every_command_that_shows_codes_emails_or_requests() -> None:
    private = {c.name for c in COMMANDS if c.private_only}
    assert {"start", "link", "unlink", "whoami", "user", "linkcode", "requests", "myrequests"} <= private
    assert "alerts_here" not in private and "alerts_off" not in private
