"""/start, /help, /link (code, deep link, password), /unlink, /whoami through the real aiogram client."""

from __future__ import annotations

from bot.services.context import Caller
from tests.bot.telegram.conftest import USER_TG, Tg


async def test_start_explains_and_help_shows_only_what_this_user_may_run(tg: Tg) -> None:
    [welcome] = await tg.say(USER_TG, "/start")
    assert "/link" in welcome.text
    help_ = await tg.reply(USER_TG, "/help")
    assert "/link" in help_.text and "/nodes" not in help_.text and "/broadcast" not in help_.text
    await tg.user("ann@example.com", telegram=USER_TG + 1)
    help_linked = await tg.reply(USER_TG + 1, "/help")
    assert "/nodes" in help_linked.text and "/broadcast" not in help_linked.text


async def test_link_by_code_then_whoami_and_unlink(tg: Tg) -> None:
    await tg.user("ann@example.com")
    code = await tg.link_code("ann@example.com")
    linked = await tg.reply(USER_TG, f"/link {code}")
    assert "ann@example.com" in linked.text
    who = await tg.reply(USER_TG, "/whoami")
    assert "ann@example.com" in who.text
    reused = await tg.reply(USER_TG + 5, f"/link {code}")
    assert "already" in reused.text.lower() or "used" in reused.text.lower()
    bye = await tg.reply(USER_TG, "/unlink")
    assert "ann@example.com" in bye.text
    who = await tg.reply(USER_TG, "/whoami")
    assert "not linked" in who.text.lower()


async def test_a_deep_link_asks_which_account_and_links_only_on_confirm(tg: Tg) -> None:
    await tg.user("bob@example.com")
    code = await tg.link_code("bob@example.com")
    ask = await tg.reply(USER_TG, f"/start {code.replace('-', '')}")
    assert "b***@example.com" in ask.text and "bob@example.com" not in ask.text
    assert [b["text"] for b in ask.buttons] == ["✔ Confirm", "✖ Cancel"]
    # nothing linked, the code not used, until the user confirms
    assert await tg.pool.fetchval("SELECT telegram FROM users WHERE email = 'bob@example.com'") is None
    assert await tg.pool.fetchval("SELECT used_at FROM link_codes") is None
    await tg.click(USER_TG, ask, "Confirm", expect=0)
    await tg.fake.wait_until(lambda: "bob@example.com" in (tg.fake.last_to(USER_TG).text or ""))
    row = await tg.pool.fetchrow("SELECT telegram FROM users WHERE email = 'bob@example.com'")
    assert row is not None and row["telegram"] == str(USER_TG)
    assert await tg.pool.fetchval("SELECT used_at FROM link_codes") is not None


async def test_a_deep_link_someone_else_sent_is_cancelled_and_links_nothing(tg: Tg) -> None:
    await tg.user("mallory@example.com")
    code = await tg.link_code("mallory@example.com")
    ask = await tg.reply(USER_TG, f"/start {code.replace('-', '')}")
    assert "m***@example.com" in ask.text
    await tg.click(USER_TG, ask, "Cancel", expect=0)
    await tg.fake.wait_until(lambda: "Nothing was linked" in (tg.fake.last_to(USER_TG).text or ""))
    assert await tg.pool.fetchval("SELECT telegram FROM users WHERE email = 'mallory@example.com'") is None
    assert await tg.pool.fetchval("SELECT used_at FROM link_codes") is None
    # pressing Confirm on a link that was meanwhile used elsewhere links nothing either
    await tg.services.accounts.link_with_code(
        Caller(platform="discord", platform_user_id="d1", chat_id="d1"), code
    )
    query = tg.fake.press(USER_TG, ask, f"link_confirm:{code.replace('-', '')}")
    await tg.fake.wait_until(lambda: query not in tg.fake.unanswered_callbacks())
    assert "already used" in tg.answer_of(query)["text"]
    assert await tg.pool.fetchval("SELECT telegram FROM users WHERE email = 'mallory@example.com'") is None


async def test_link_by_password_deletes_the_message(tg: Tg) -> None:
    await tg.user("cat@example.com", password="correct horse")
    before = len(tg.fake.calls_of("deleteMessage"))
    reply = await tg.reply(USER_TG, "/link cat@example.com correct horse")
    assert "cat@example.com" in reply.text
    assert len(tg.fake.calls_of("deleteMessage")) == before + 1
    user_messages = [m for (chat, _), m in tg.fake.messages.items() if chat == USER_TG and not m.from_bot]
    password_message = next(m for m in user_messages if m.text and "correct horse" in m.text)
    assert password_message.deleted
    assert "correct horse" not in reply.text


async def test_password_in_a_group_is_refused_clearly(tg: Tg) -> None:
    await tg.user("dan@example.com", password="s3cret-pass")
    reply = await tg.reply(USER_TG, "/link dan@example.com s3cret-pass", chat_id=-100500)
    assert "private chat" in reply.text
    row = await tg.pool.fetchrow("SELECT telegram FROM users WHERE email = 'dan@example.com'")
    assert row is not None and row["telegram"] is None


async def test_brute_force_is_refused(tg: Tg) -> None:
    await tg.user("eve@example.com", password="the-right-one")
    limit = tg.config.accounts.max_failures
    for i in range(limit):
        reply = await tg.reply(USER_TG, f"/link eve@example.com wrong-{i}")
        assert "do not match" in reply.text
    refused = await tg.reply(USER_TG, "/link eve@example.com the-right-one")
    assert "too many" in refused.text.lower() or "try again" in refused.text.lower()
    row = await tg.pool.fetchrow("SELECT telegram FROM users WHERE email = 'eve@example.com'")
    assert row is not None and row["telegram"] is None
    # every one of those messages held a password: every one is gone
    assert all(m.deleted for (chat, _), m in tg.fake.messages.items() if chat == USER_TG and not m.from_bot)


async def test_link_without_arguments_shows_usage(tg: Tg) -> None:
    reply = await tg.reply(USER_TG, "/link")
    assert "Usage:" in reply.text and "Traceback" not in reply.text
    reply = await tg.reply(USER_TG, "/link not-a-code")
    assert "Traceback" not in reply.text and reply.text


async def test_identity_linked_elsewhere_is_refused(tg: Tg) -> None:
    await tg.user("fay@example.com", telegram=USER_TG)
    await tg.user("gus@example.com")
    code = await tg.link_code("gus@example.com")
    reply = await tg.reply(USER_TG, f"/link {code}")
    assert "already linked" in reply.text
