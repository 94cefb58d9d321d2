"""Which Bot API calls draw on the shared send budget; answers parsed without rebuilding models."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageText,
    GetMe,
    GetUpdates,
    SendChatAction,
    SendMessage,
    SendPhoto,
)
from aiogram.methods.base import Response
from aiogram.types import User

from bot.config import TelegramConfig
from bot.telegram.client import counts_against_send_rate, make_bot
from tests.fakes.telegram_api import TOKEN, FakeTelegram


def test_messages_sent_or_edited_draw_on_the_send_budget() -> None:
    for method in (
        SendMessage(chat_id=1, text="x"),
        SendPhoto(chat_id=1, photo="file-id"),
        EditMessageText(chat_id=1, message_id=2, text="x"),
    ):
        assert counts_against_send_rate(method), type(method).__name__


def test_polling_button_answers_and_deletes_leave_the_budget_to_messages() -> None:
    for method in (
        GetUpdates(timeout=10),
        GetMe(),
        AnswerCallbackQuery(callback_query_id="1"),
        DeleteMessage(chat_id=1, message_id=2),
        SendChatAction(chat_id=1, action="typing"),
    ):
        assert not counts_against_send_rate(method), type(method).__name__


async def test_a_garbage_collection_does_not_make_the_next_answer_rebuild_its_model(
    telegram_api: FakeTelegram,
) -> None:
    bot = make_bot(TelegramConfig(token=TOKEN, api_base=telegram_api.base_url))  # type: ignore[arg-type]
    try:
        await bot.get_me()
        model = weakref.ref(Response[User])  # the class aiogram parsed the answer with
        gc.collect()
        # still there: the next getMe answer is parsed at once, not after rebuilding its schema
        assert model() is not None
    finally:
        await bot.session.close()
