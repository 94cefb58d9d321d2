"""Secrets never reach the logs: full Telegram journeys (link by password, by code, by deep link, an
admin's /linkcode) with every logger at DEBUG; the token, passwords, plaintext codes and bcrypt hashes
appear in no record, and in no message to a chat other than the one meant to see them."""

from __future__ import annotations

import logging

import pytest

from tests.bot.telegram.conftest import Tg


def _record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for r in caplog.records:
        out += [r.getMessage(), str(r.msg), repr(r.args), r.exc_text or "", str(r.__dict__)]
    return out


async def test_linking_journeys_log_no_token_password_code_or_hash(
    tg: Tg, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("", "aiogram", "aiohttp", "asyncpg", "bot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    alice_pw, bob_pw, boss_pw = "Alice-Pw-Secret-91", "Bob-Pw-Secret-92", "Boss-Pw-Secret-93"
    await tg.user("alice@example.com", password=alice_pw)
    await tg.user("bob@example.com", password=bob_pw)
    await tg.user("carol@example.com", password="Carol-Pw-Secret-94")
    await tg.user("boss@example.com", telegram=900009, admin=True, password=boss_pw)
    # by password (the wrong one first), by code, by deep link, and a code issued by an admin
    await tg.reply(700001, "/link alice@example.com wrong-Guess-77")
    await tg.reply(700001, f"/link alice@example.com {alice_pw}")
    bob_code = await tg.link_code("bob@example.com")
    await tg.reply(700002, f"/link {bob_code}")
    carol_code = await tg.link_code("carol@example.com")
    await tg.reply(700003, f"/start {carol_code}")
    issued = await tg.reply(900009, "/linkcode alice@example.com")
    admin_code = next(w for w in issued.text.split() if len(w) == 9 and w[4] == "-")
    hashes = [r["password_hash"] for r in await tg.pool.fetch("SELECT password_hash FROM users")]
    secrets = [tg.fake.token, alice_pw, bob_pw, boss_pw, "wrong-Guess-77", bob_code, carol_code, admin_code]
    secrets += hashes
    records = _record_texts(caplog)
    assert len(caplog.records) >= 5  # the capture really saw the journeys
    for secret in secrets:
        assert not [t for t in records if secret in t], f"a secret reached the logs: {secret[:6]}…"
    # the admin's code is shown to the admin only; no other chat ever saw a secret
    for (chat, _), msg in tg.fake.messages.items():
        if not msg.from_bot:
            continue
        shown = f"{msg.shown} {msg.html or ''} {msg.reply_markup or ''}"
        allowed = {admin_code} if chat == 900009 else set()
        for secret in set(secrets) - allowed:
            assert secret not in shown, f"a secret was sent to chat {chat}"
