"""The fake Bot API server behaves like Telegram toward the real aiogram client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.types import Message as TgMessage

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_html import EntityParseError, parse_html


def make_bot(fake: FakeTelegram, token: str | None = None, timeout: float = 5) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url), timeout=timeout)
    return Bot(token or fake.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


@pytest_asyncio.fixture
async def bot(telegram_api: FakeTelegram) -> AsyncIterator[Bot]:
    b = make_bot(telegram_api)
    try:
        yield b
    finally:
        await b.session.close()


def kb(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data=data)]])


async def test_send_message_is_recorded_as_the_user_sees_it(telegram_api: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(7, "<b>Node</b> a &lt; b &amp; c", reply_markup=kb("m:1"))
    assert sent.message_id == 1
    shown = telegram_api.last_to(7)
    assert shown.text == "Node a < b & c"
    assert shown.button("x")["callback_data"] == "m:1"


@pytest.mark.parametrize(
    "text",
    [
        "<b>unclosed",
        "a < b",
        "<div>x</div>",
        "<b><i>x</b></i>",
        "Tom & Jerry",
        "&nbsp;",
        "<span>x</span>",
        "</b>",
        '<a title="t" href="x">x</a>',
    ],
)
async def test_bad_html_is_refused_like_telegram(telegram_api: FakeTelegram, bot: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(7, text)
    assert telegram_api.sent_to(7) == []


def test_the_allowed_markup_parses() -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>"
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://x.y/?a=1&amp;b=2">l</a>'
        '<code>c</code><pre><code class="language-python">x</code></pre><blockquote>q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>&#65;&#x42;&quot;'
    )
    assert parse_html(html) == 'bsieunskdpqlcxq👍AB"'
    with pytest.raises(EntityParseError):
        parse_html("<pre><b>x</b></pre>")


async def test_length_limits_count_visible_text(telegram_api: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(7, "<b>" + "a" * 4096 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(7, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(7, BufferedInputFile(b"png", "c.png"), caption="c" * 1025)


async def test_callback_data_over_64_bytes_is_refused(telegram_api: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(7, "ok", reply_markup=kb("é" * 32))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(7, "no", reply_markup=kb("é" * 32 + "x"))


async def test_photo_upload_goes_through_attach(telegram_api: FakeTelegram, bot: Bot) -> None:
    await bot.send_photo(7, BufferedInputFile(b"\x89PNG-bytes", "chart.png"), caption="<b>Total</b> 3 GNK")
    shown = telegram_api.last_to(7)
    assert shown.photo == b"\x89PNG-bytes"
    assert shown.caption == "Total 3 GNK"


async def test_rate_limits_answer_429_with_retry_after(telegram_api: FakeTelegram, bot: Bot) -> None:
    telegram_api.set_rate_limits(global_per_s=30, per_chat_per_s=1, per_chat_burst=2)
    await bot.send_message(7, "1")
    await bot.send_message(7, "2")
    with pytest.raises(TelegramRetryAfter) as err:
        await bot.send_message(7, "3")
    assert err.value.retry_after >= 1
    await bot.send_message(8, "other chats are not throttled")


async def test_blocked_user_gets_403(telegram_api: FakeTelegram, bot: Bot) -> None:
    telegram_api.block(9)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(9, "hi")


async def test_injected_5xx_and_timeouts(telegram_api: FakeTelegram) -> None:
    bot = make_bot(telegram_api, timeout=0.5)
    try:
        telegram_api.fail("sendMessage", 502, "Bad Gateway")
        with pytest.raises(TelegramServerError):
            await bot.send_message(7, "x")
        telegram_api.hang("sendMessage", 2)
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(7, "x")
        await bot.send_message(7, "recovered")
    finally:
        await bot.session.close()


async def test_wrong_token_is_unauthorized(telegram_api: FakeTelegram) -> None:
    bot = make_bot(telegram_api, token="42:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()


async def test_edit_delete_and_commands(telegram_api: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(7, "v1", reply_markup=kb("a"))
    await bot.edit_message_text("v2", chat_id=7, message_id=sent.message_id, reply_markup=kb("b"))
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text("v2", chat_id=7, message_id=sent.message_id, reply_markup=kb("b"))
    await bot.edit_message_reply_markup(chat_id=7, message_id=sent.message_id, reply_markup=None)
    assert telegram_api.last_to(7).text == "v2"
    assert telegram_api.last_to(7).reply_markup is None
    await bot.delete_message(7, sent.message_id)
    assert telegram_api.sent_to(7) == []
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.delete_message(7, sent.message_id)
    await bot.set_my_commands([BotCommand(command="nodes", description="Your nodes")])
    await bot.set_my_commands(
        [BotCommand(command="stats", description="Fleet")], scope=BotCommandScopeChat(chat_id=5)
    )
    assert telegram_api.commands["default"][0]["command"] == "nodes"
    assert telegram_api.commands["chat:5"][0]["command"] == "stats"


async def test_polling_round_trip_with_a_real_dispatcher(telegram_api: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(Command("ping"))
    async def ping(message: TgMessage) -> None:
        await message.answer("pong", reply_markup=kb("again"))

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("done")

    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        telegram_api.command(7, "/ping")
        [reply] = await telegram_api.wait_sent(7)
        assert reply.text == "pong"
        query = telegram_api.click(7, reply, "x")
        await telegram_api.wait_until(lambda: not telegram_api.unanswered_callbacks())
        assert query not in telegram_api.unanswered_callbacks()
        with pytest.raises(TelegramConflictError):  # a second consumer while one polls
            await asyncio.gather(*(bot.get_updates(timeout=1) for _ in range(2)))
    finally:
        await dp.stop_polling()
        await task


async def test_webhook_set_blocks_getupdates(telegram_api: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="s3cret")
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == []
