"""The frontend's own duties: command menus, the one error handler, unknown input, stale buttons, api_base."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.render.message import Button, Message, Span
from bot.telegram.errors import APOLOGY
from bot.telegram.replies import send
from tests.bot.telegram.conftest import ADMIN_TG, USER_TG, Tg, running, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import give_node, wallet


async def test_menus_user_commands_for_all_admin_commands_only_in_admin_chats(
    telegram_api: FakeTelegram, pool: object, db_url: str
) -> None:
    config = telegram_config(db_url, telegram_api, admin_ids=[ADMIN_TG])
    async with running(telegram_api, pool, config) as tg:  # type: ignore[arg-type]
        default = {c["command"] for c in telegram_api.commands["default"]}
        assert {"start", "help", "link", "nodes", "earnings", "request"} <= default
        assert not default & {"assign", "broadcast", "stats", "request_set"}
        admin = {c["command"] for c in telegram_api.commands[f"chat:{ADMIN_TG}"]}
        assert {"assign", "broadcast", "stats", "nodes"} <= admin
        # a portal admin who links gets the admin menu in their private chat; unlinking takes it away
        await tg.user("root@example.com", admin=True)
        code = await tg.link_code("root@example.com")
        await tg.reply(USER_TG, f"/link {code}")
        await telegram_api.wait_until(lambda: f"chat:{USER_TG}" in telegram_api.commands)
        assert "broadcast" in {c["command"] for c in telegram_api.commands[f"chat:{USER_TG}"]}
        await tg.reply(USER_TG, "/unlink")
        await telegram_api.wait_until(lambda: f"chat:{USER_TG}" not in telegram_api.commands)


async def test_an_internal_error_gets_an_apology_and_a_logged_trace(
    tg: Tg, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(caller: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(tg.services.accounts, "whoami", broken)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.errors"):
        reply = await tg.reply(USER_TG, "/whoami")
    assert reply.text == APOLOGY
    assert "Traceback" not in reply.text and "exploded" not in reply.text
    [record] = [r for r in caplog.records if r.name == "bot.telegram.errors"]
    assert record.exc_info is not None and "update" in record.getMessage()
    assert getattr(record, "update", None) is not None


async def test_unknown_command_and_plain_text_point_to_help(tg: Tg) -> None:
    assert "/help" in (await tg.reply(USER_TG, "/frobnicate")).text
    assert "/help" in (await tg.reply(USER_TG, "hello there")).text


async def test_unknown_or_forged_buttons_are_answered_gracefully(tg: Tg) -> None:
    await send(
        tg.component.bot,
        USER_TG,
        Message(title="old", buttons=((Button(label="Old", action="gone", args=("1",)),),)),
    )
    msg = tg.fake.last_to(USER_TG)
    for data in ("gone:1", "nodes_page:notanumber", "mute:only-one-arg", "::"):
        query = tg.fake.press(USER_TG, msg, data)
        await tg.fake.wait_until(lambda q=query: q not in tg.fake.unanswered_callbacks())
        assert "no longer active" in tg.answer_of(query).get("text", "")
    assert tg.fake.unanswered_callbacks() == []


async def test_a_refused_button_is_answered_with_the_reason(tg: Tg) -> None:
    await send(
        tg.component.bot,
        USER_TG,
        Message(title="x", buttons=((Button(label="Approve", action="req_approve", args=("1",)),),)),
    )
    msg = tg.fake.last_to(USER_TG)
    query = tg.fake.click(USER_TG, msg, "Approve")
    await tg.fake.wait_until(lambda: query not in tg.fake.unanswered_callbacks())
    assert "admin" in tg.answer_of(query)["text"].lower()
    audit = await tg.pool.fetchrow("SELECT outcome FROM admin_audit_log ORDER BY created_at DESC LIMIT 1")
    assert audit is not None and audit["outcome"] == "refused"


async def test_client_uses_the_configured_api_base(tg: Tg) -> None:
    # every call the bot made reached this fake (it is the only server it knows)
    await tg.fake.wait_call("getUpdates")
    assert {"getMe", "setMyCommands", "deleteWebhook", "getUpdates"} <= {c.method for c in tg.fake.calls}


async def test_a_flood_limit_on_a_reply_is_waited_out(tg: Tg) -> None:
    tg.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = await tg.reply(USER_TG, "/help")
    assert "/link" in reply.text
    statuses = [c.status for c in tg.fake.calls_of("sendMessage")]
    assert statuses == [429, 200]
    gap = tg.fake.calls_of("sendMessage")[1].at - tg.fake.calls_of("sendMessage")[0].at
    assert gap >= 0.9


async def test_a_bot_api_5xx_on_a_reply_is_retried(tg: Tg) -> None:
    # found by bench/faults.py (Bot API 5xx): a 502 on a command's reply lost the reply
    tg.fake.fail("sendMessage", 502, "Bad Gateway", times=2)
    reply = await tg.reply(USER_TG, "/help")
    assert "/link" in reply.text
    assert [c.status for c in tg.fake.calls_of("sendMessage")] == [502, 502, 200]
    assert len(tg.fake.sent_to(USER_TG)) == 1


async def test_a_bot_api_5xx_that_persists_gives_up(tg: Tg) -> None:
    tg.fake.fail("sendMessage", 502, "Bad Gateway", times=4)
    tg.fake.message(USER_TG, "/help")
    await tg.fake.wait_until(lambda: len(tg.fake.calls_of("sendMessage")) >= 5, timeout=15)
    # 1 try + 3 retries, then the error handler's apology gets through
    assert [c.status for c in tg.fake.calls_of("sendMessage")] == [502] * 4 + [200]
    assert tg.fake.sent_to(USER_TG)[-1].text == APOLOGY
    assert (await tg.reply(USER_TG + 1, "/help")).text  # the bot still serves everyone


async def test_a_user_who_blocked_the_bot_breaks_nothing(tg: Tg, caplog: pytest.LogCaptureFixture) -> None:
    tg.fake.block(USER_TG)
    with caplog.at_level(logging.INFO, logger="bot.telegram.errors"):
        tg.fake.message(USER_TG, "/help")
        await tg.fake.wait_until(lambda: any(c.status == 403 for c in tg.fake.calls_of("sendMessage")))
        assert (await tg.reply(USER_TG + 1, "/help")).text  # the bot still serves everyone else
    assert [c.status for c in tg.fake.calls_of("sendMessage")] == [403, 200]  # no apology sent into the void
    records = [r for r in caplog.records if r.name == "bot.telegram.errors"]
    assert records and all(r.levelno == logging.INFO and r.exc_info is None for r in records)


async def test_user_supplied_text_is_escaped(tg: Tg) -> None:
    await tg.user("op@example.com", telegram=USER_TG)
    await give_node(tg.pool, "op@example.com", wallet(1), "<b>rig</b> & co", status="healthy", history_days=7)
    listing = await tg.reply(USER_TG, "/nodes")
    assert "<b>rig</b> & co" in listing.text  # shown literally: the fake would refuse bad HTML with a 400
    detail = await tg.reply(USER_TG, "/node <b>rig</b> & co")
    assert "<b>rig</b> & co" in detail.text


async def test_commands_are_counted_and_timed(tg: Tg) -> None:
    await tg.reply(USER_TG, "/help")
    await tg.reply(USER_TG, "/link")
    await tg.reply(USER_TG, "/nonsense")
    text = tg.metrics.render().decode()
    assert 'minegnk_commands_total{command="help",outcome="ok",platform="telegram"} 1.0' in text
    assert 'minegnk_commands_total{command="link",outcome="user_error",platform="telegram"} 1.0' in text
    assert 'command="unknown"' in text and "nonsense" not in text
    assert 'minegnk_command_latency_seconds_count{command="help",platform="telegram"} 1.0' in text


async def test_group_commands_addressed_to_us_are_answered_others_ignored(tg: Tg) -> None:
    group = -100321
    reply = await tg.reply(USER_TG, "/help@minegnk_test_bot", chat_id=group)
    assert "/link" in reply.text
    tg.fake.message(USER_TG, "/help@some_other_bot", chat_id=group)
    tg.fake.message(USER_TG, "chatting in the group", chat_id=group)
    await tg.reply(USER_TG, "/whoami", chat_id=group)
    await asyncio.sleep(
        0.3
    )  # the two ignored updates were fetched before /whoami: give them time to misbehave
    assert len(tg.fake.sent_to(group)) == 2


async def test_a_long_message_is_split_into_valid_chunks_with_buttons_on_the_last(tg: Tg) -> None:
    lines = tuple((Span(text=f"line {i:04d} <&> " + "x" * 60),) for i in range(200))
    message = Message(
        title="Long", lines=lines, buttons=((Button(label="Next", action="nodes_page", args=("1",)),),)
    )
    sent = await send(tg.component.bot, USER_TG, message)
    assert len(sent) >= 4
    shown = tg.fake.sent_to(USER_TG)
    assert all(len(m.text) <= 4096 for m in shown)
    assert [bool(m.reply_markup) for m in shown] == [False] * (len(shown) - 1) + [True]
    assert "line 0199 <&>" in shown[-1].text


async def test_a_nul_character_in_a_command_gets_a_refusal_not_an_internal_error(tg: Tg) -> None:
    # PostgreSQL cannot store NUL: before input was cleaned where it enters, every query failed
    await tg.user("boss@example.com", telegram=ADMIN_TG, admin=True)
    assert "admin" in (await tg.reply(USER_TG, "/linkcode a\x00@example.com")).text.lower()
    reply = await tg.reply(ADMIN_TG, "/user nobody\x00@example.com")
    assert reply.text != APOLOGY and "nobody@example.com" in reply.text
    query_free = await tg.reply(USER_TG, "/node \x00\x1b[31m")
    assert query_free.text != APOLOGY
