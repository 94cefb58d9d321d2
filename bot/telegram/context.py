"""Turning an aiogram event into the services' :class:`~bot.services.context.Caller`."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Chat, User
from aiogram.types import Message as TgMessage

from bot.services.context import Caller, ChatKind


def chat_kind(chat: Chat) -> ChatKind:
    if chat.type == "private":
        return "private"
    if chat.type == "channel":
        return "channel"
    return "group"


def caller_of(user: User, chat: Chat) -> Caller:
    return Caller(
        platform="telegram", platform_user_id=str(user.id), chat_id=str(chat.id), chat_kind=chat_kind(chat)
    )


def message_caller(message: TgMessage) -> Caller:
    """The caller of a message (a channel post has no sender: the chat stands in for it)."""
    user = message.from_user
    if user is None:
        return Caller(
            platform="telegram",
            platform_user_id=str(message.chat.id),
            chat_id=str(message.chat.id),
            chat_kind=chat_kind(message.chat),
        )
    return caller_of(user, message.chat)


def callback_caller(query: CallbackQuery) -> Caller:
    """The person who pressed the button, in the chat the button's message is in."""
    message = query.message
    if message is None:
        return Caller(
            platform="telegram", platform_user_id=str(query.from_user.id), chat_id=str(query.from_user.id)
        )
    return caller_of(query.from_user, message.chat)
