"""Secrets never reach the logs on Discord: link by code, by the password modal (a wrong guess first),
and an admin's /linkcode, with every logger at DEBUG; the token, passwords, plaintext codes and bcrypt
hashes appear in no record, and the admin's code in no interaction but the admin's."""

from __future__ import annotations

import json
import logging

import pytest

from bot.services.provisioning import issue_link_code
from tests.bot.discord.conftest import Harness, text
from tests.helpers import make_user


async def test_linking_journeys_log_no_token_password_code_or_hash(
    running: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("", "discord", "aiohttp", "asyncpg", "bot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    fake = running.fake
    bob_pw, boss_pw, guess = "Bob-Modal-Secret-81", "Boss-Pw-Secret-82", "Wrong-Guess-83"
    await make_user(running.pool, "alice@example.com", password="Alice-Pw-Secret-80")
    await make_user(running.pool, "bob@example.com", password=bob_pw)
    boss = running.user("boss", admin=True)
    await make_user(running.pool, "boss@example.com", admin=True, discord=str(boss.id), password=boss_pw)
    alice, bob = running.user("alice"), running.user("bob")
    code = (await issue_link_code(running.pool, "alice@example.com", 900)).code
    await (await fake.slash(alice, "link", code=code)).reply()
    for password in (guess, bob_pw):
        modal = await (await fake.slash(bob, "link")).modal()
        sub = await fake.submit_modal(bob, modal, {"email": "bob@example.com", "password": password})
        await sub.reply()
    issued = await fake.slash(boss, "linkcode", email="bob@example.com")
    shown = text(await issued.reply())
    admin_code = next(w.strip("`*") for w in shown.split() if len(w.strip("`*")) == 9 and "-" in w)
    hashes = [r["password_hash"] for r in await running.pool.fetch("SELECT password_hash FROM users")]
    secrets = [fake.token, bob_pw, boss_pw, guess, code, admin_code, *hashes]
    records = [f"{r.getMessage()} {r.msg} {r.args!r} {r.exc_text or ''} {r.__dict__}" for r in caplog.records]
    assert len(records) >= 5
    for secret in secrets:
        assert not [t for t in records if secret in t], f"a secret reached the logs: {secret[:6]}…"
    for ix in fake.interactions.values():
        allowed = {admin_code} if ix is issued else set()
        seen = "\n".join(ix.texts())
        for secret in set(secrets) - allowed:
            assert secret not in seen, f"a secret was shown in interaction {ix.id}"
    for request in fake.requests:  # nor sent anywhere else (DMs, channels)
        body = json.dumps(request.json)
        if admin_code in body:
            assert issued.token in request.path, "the admin's code went somewhere other than the admin"
        for secret in set(secrets) - {admin_code, fake.token}:
            assert secret not in body
