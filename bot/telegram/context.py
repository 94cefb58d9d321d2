"""Turning an aiogram event into the services' :class:`~bot.services.context.Caller`, and deciding which
events come from no one person (:func:`shared_sender`) and so never act (SPEC §6)."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Chat, User
from aiogram.types import Message as TgMessage

from bot.i18n.catalogs import N_
from bot.services.context import Caller, ChatKind

#: Telegram's shared senders: the same ``from.id`` for everyone who posts that way
GROUP_ANONYMOUS_BOT = 1087968824  # an anonymous group admin
CHANNEL_BOT = 136817688  # a message sent in a group on behalf of a channel
SERVICE_NOTIFICATIONS = 777000  # automatic forwards from a linked channel, Telegram's own notices
SHARED_SENDER_IDS = frozenset({GROUP_ANONYMOUS_BOT, CHANNEL_BOT, SERVICE_NOTIFICATIONS})

SHARED_SENDER_TEXT = N_(
    "I can't tell who sent this: it was posted anonymously, as a channel or as an automatic forward. "
    "Write from your own account to use the bot."
)


def shared_sender(event: TgMessage | CallbackQuery) -> str | None:
    """Why this message or button press has no one person behind it, or ``None`` when it has one.

    Such an identity is shared by everyone posting that way in every group, so it is never linked
    and never acts (the identity middleware refuses it before any handler runs).
    """
    user = event.from_user
    if user is None:
        return "no sender"
    if isinstance(event, TgMessage):
        if event.sender_chat is not None:
            return "sender_chat"
        if event.is_automatic_forward:
            return "automatic forward"
    if user.id in SHARED_SENDER_IDS:
        return "shared service id"
    if user.is_bot:
        return "bot"
    return None


def chat_kind(chat: Chat) -> ChatKind:
    if chat.type == "private":
        return "private"
    if chat.type == "channel":
        return "channel"
    return "group"


def caller_of(user: User, chat: Chat) -> Caller:
    return Caller(
        platform="telegram",
        platform_user_id=str(user.id),
        chat_id=str(chat.id),
        chat_kind=chat_kind(chat),
        locale=user.language_code,
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
