"""/start, /help, /link (code and modal), /unlink, /whoami on Discord, end to end."""

from __future__ import annotations

import json
import logging

import pytest

from bot.db import users as users_db
from bot.services.provisioning import issue_link_code
from tests.bot.discord.conftest import Harness, text
from tests.helpers import make_user


async def test_start_and_help_for_an_anonymous_user(running: Harness) -> None:
    alice = running.user("alice")
    ix = await running.fake.slash(alice, "start", running.fake.guild.channel("general"))
    reply = await ix.reply()
    assert ix.ephemeral
    assert "/link" in text(reply)
    ix = await running.fake.slash(alice, "help")
    help_text = text(await ix.reply())
    assert "link" in help_text and "broadcast" not in help_text


async def test_help_for_an_admin_lists_admin_commands(running: Harness) -> None:
    boss = running.user("boss", admin=True)
    await make_user(running.pool, "boss@example.com", admin=True, discord=str(boss.id))
    help_text = text(await (await running.fake.slash(boss, "help")).reply())
    assert "broadcast" in help_text and "assign" in help_text


async def test_link_by_code(running: Harness) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com")
    issued = await issue_link_code(running.pool, "alice@example.com", 900)
    ix = await running.fake.slash(alice, "link", running.fake.guild.channel("general"), code=issued.code)
    reply = await ix.reply()
    assert ix.ephemeral
    assert "alice@example.com" in text(reply)
    user = await users_db.get_user_by_identity(running.pool, "discord", str(alice.id))
    assert user is not None and user.email == "alice@example.com"


async def test_link_with_a_bad_code_says_why(running: Harness) -> None:
    alice = running.user("alice")
    ix = await running.fake.slash(alice, "link", code="NOPE-NOPE")
    reply = await ix.reply()
    assert ix.ephemeral
    assert "not a valid link code" in text(reply)
    assert await users_db.get_user_by_identity(running.pool, "discord", str(alice.id)) is None


async def test_link_by_modal_never_shows_or_logs_the_password(
    running: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "Sup3r-S3cret-pw!"
    await make_user(running.pool, "bob@example.com", password=password)
    bob = running.user("bob")
    channel = running.fake.guild.channel("general")
    ix = await running.fake.slash(bob, "link", channel)
    modal = await ix.modal()
    labels = [row["components"][0]["label"] for row in modal["components"]]
    assert labels == ["Email", "Password"]
    sub = await running.fake.submit_modal(
        bob, modal, {"email": "bob@example.com", "password": password}, channel
    )
    reply = await sub.reply()
    assert sub.ephemeral
    assert "bob@example.com" in text(reply)
    assert await users_db.get_user_by_identity(running.pool, "discord", str(bob.id)) is not None
    # the password is nowhere in what the bot sent, nor in the logs (even at DEBUG)
    for request in running.fake.requests:
        assert password not in json.dumps(request.json)
    assert all(password not in t for t in sub.texts())
    assert password not in caplog.text


async def test_modal_link_with_a_wrong_password_is_refused(running: Harness) -> None:
    await make_user(running.pool, "bob@example.com", password="right-one")
    bob = running.user("bob")
    ix = await running.fake.slash(bob, "link")
    sub = await running.fake.submit_modal(
        bob, await ix.modal(), {"email": "bob@example.com", "password": "wrong"}
    )
    assert "do not match" in text(await sub.reply())
    assert await users_db.get_user_by_identity(running.pool, "discord", str(bob.id)) is None


async def test_whoami_and_unlink(running: Harness) -> None:
    carol = running.user("carol")
    await make_user(running.pool, "carol@example.com", discord=str(carol.id))
    assert "carol@example.com" in text(await (await running.fake.slash(carol, "whoami")).reply())
    assert "no longer linked" in text(await (await running.fake.slash(carol, "unlink")).reply())
    assert await users_db.get_user_by_identity(running.pool, "discord", str(carol.id)) is None
    # unlinking again: a clear refusal, not an error
    assert "nothing to unlink" in text(await (await running.fake.slash(carol, "unlink")).reply())


async def test_modal_attempt_limits_are_per_person_not_per_channel(running: Harness) -> None:
    await make_user(running.pool, "bob@example.com", password="right-one")
    await make_user(running.pool, "eve@example.com", password="eves-own")
    channel = running.fake.guild.channel("general")
    bob, eve = running.user("bob"), running.user("eve")
    for _ in range(running.config.accounts.max_failures):
        ix = await running.fake.slash(bob, "link", channel)
        values = {"email": "bob@example.com", "password": "guess"}
        await (await running.fake.submit_modal(bob, await ix.modal(), values, channel)).reply()
    ix = await running.fake.slash(bob, "link", channel)
    values = {"email": "bob@example.com", "password": "right-one"}
    blocked = await (await running.fake.submit_modal(bob, await ix.modal(), values, channel)).reply()
    assert "Too many failed attempts" in text(blocked)
    # someone else in the same channel is not locked out by bob's failures
    ix = await running.fake.slash(eve, "link", channel)
    values = {"email": "eve@example.com", "password": "eves-own"}
    linked = await (await running.fake.submit_modal(eve, await ix.modal(), values, channel)).reply()
    assert "eve@example.com" in text(linked)


async def test_a_form_opened_before_a_restart_is_still_handled(running: Harness) -> None:
    await make_user(running.pool, "bob@example.com", password="pw-1234")
    bob = running.user("bob")
    modal = await (await running.fake.slash(bob, "link")).modal()
    await running.restart()
    sub = await running.fake.submit_modal(bob, modal, {"email": "bob@example.com", "password": "pw-1234"})
    assert "bob@example.com" in text(await sub.reply())
