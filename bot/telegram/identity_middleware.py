"""Refuse, in one place, every message and button press that has no one person behind it.

Anonymous group admins, messages sent as a channel, automatic forwards, bots (see
:func:`bot.telegram.context.shared_sender`): none of them reaches a handler, so they never link and
never act. A command, a button or a form answer gets :data:`~bot.telegram.context.SHARED_SENDER_TEXT`;
other chatter (a channel's posts forwarded into its discussion group) is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.types import Message as TgMessage

from bot.i18n.catalogs import language_of
from bot.services.container import Services
from bot.telegram.context import SHARED_SENDER_TEXT, shared_sender
from bot.telegram.replies import send_text

log = logging.getLogger(__name__)


async def _addressed_to_us(message: TgMessage, bot: Bot) -> bool:
    """A command for this bot (``/cmd`` or ``/cmd@this_bot``), not another bot's in the same group."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return False
    _, at, mention = text.split(maxsplit=1)[0].partition("@")
    if not at:
        return True
    me = await bot.me()
    return me.username is not None and mention.lower() == me.username.lower()


class SharedSenders(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, TgMessage | CallbackQuery):
            return await handler(event, data)
        reason = shared_sender(event)
        if reason is None:
            return await handler(event, data)
        bot: Bot = data["bot"]
        services: Services = data["services"]
        # no saved choice for a shared identity: the app's language, if it says one
        locale = event.from_user.language_code if event.from_user is not None else None
        text = services.language.catalogs.translator(language_of(locale))(SHARED_SENDER_TEXT)
        chat = event.chat.id if isinstance(event, TgMessage) else None
        log.info(
            "refused an update from a shared sender (%s)",
            reason,
            extra={"platform": "telegram", "chat": chat, "user": event.from_user and event.from_user.id},
        )
        try:
            if isinstance(event, CallbackQuery):
                await event.answer(text[:200], show_alert=True)
            elif await _addressed_to_us(event, bot) or data.get("raw_state") is not None:
                await send_text(bot, event.chat.id, text)
        except TelegramAPIError as exc:
            log.warning(
                "could not refuse a shared sender: %s", exc, extra={"platform": "telegram", "chat": chat}
            )
        return None
