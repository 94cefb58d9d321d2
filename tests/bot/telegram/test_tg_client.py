"""Which Bot API calls draw on the shared send budget."""

from __future__ import annotations

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

from bot.telegram.client import counts_against_send_rate


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
