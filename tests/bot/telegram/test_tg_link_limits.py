"""The per-email limit through the real aiogram client (issue 15 item 4): after the limit, writing the
email with a dotted capital I ('admİn@…') is not a fresh counter onto the same account."""

from __future__ import annotations

from tests.bot.telegram.conftest import USER_TG, Tg


async def test_a_dotted_capital_i_gets_no_extra_guesses_at_an_account(tg: Tg) -> None:
    await tg.user("admin@example.com", password="the-right-one", admin=True)
    limit = tg.config.accounts.max_failures
    for i in range(limit):  # the guesses come from different people: only the per-email limit applies
        reply = await tg.reply(USER_TG + 1 + i, f"/link admin@example.com wrong-{i}")
        assert "do not match" in reply.text
    blocked = await tg.reply(USER_TG, "/link admin@example.com the-right-one")
    assert "too many" in blocked.text.lower()
    sneaky = await tg.reply(USER_TG + 99, "/link admİn@example.com the-right-one")
    assert "Linked" not in sneaky.text
    assert await tg.pool.fetchval("SELECT telegram FROM users") is None
