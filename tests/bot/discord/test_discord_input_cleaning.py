"""Control characters in slash options and modal fields are dropped where they enter: a NUL (which
PostgreSQL cannot store) gets an ordinary answer, never an internal error."""

from __future__ import annotations

from bot.discord.failures import APOLOGY
from tests.bot.discord.conftest import Harness, text
from tests.helpers import make_user


async def test_a_nul_in_a_slash_option_gets_an_answer_not_an_internal_error(running: Harness) -> None:
    boss = running.user("boss", admin=True)
    await make_user(running.pool, "boss@example.com", admin=True, discord=str(boss.id))
    reply = text(await (await running.fake.slash(boss, "user", email="nobody\x00@example.com")).reply())
    assert APOLOGY not in reply and "nobody@example.com" in reply
    mallory = running.user("mallory")
    refused = text(await (await running.fake.slash(mallory, "node", node="\x00\x1b[31m")).reply())
    assert APOLOGY not in refused


async def test_a_nul_in_the_password_modal_gets_an_answer_not_an_internal_error(running: Harness) -> None:
    bob = running.user("bob")
    modal = await (await running.fake.slash(bob, "link")).modal()
    values = {"email": "bob\x00@example.com", "password": "pw\x00"}
    reply = text(await (await running.fake.submit_modal(bob, modal, values)).reply())
    assert APOLOGY not in reply and reply
