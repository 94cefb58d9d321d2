"""The one error handler: a :class:`~bot.errors.UserError` gets its message, anything else a short
apology and a logged trace with the update id. Never a traceback in chat, never an unanswered callback."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ErrorEvent

from bot.errors import UserError
from bot.telegram.private_answers import answer_chat, is_redirected, tell_origin
from bot.telegram.replies import send_text

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. Please try again in a minute."
#: Telegram's limit on a callback answer's text
_ANSWER_LIMIT = 200


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    exc = event.exception
    update = event.update
    query = update.callback_query
    message = update.message or (query.message if query is not None else None)
    chat_id = message.chat.id if message is not None else None
    # a private-only command typed in a group: its refusal goes privately too (the group is told)
    redirected = update.message is not None and is_redirected(update.message)
    answer_to = answer_chat(update.message) if update.message is not None else chat_id
    if isinstance(exc, TelegramForbiddenError):  # blocked by the user, kicked from the group: nobody to tell
        log.info(
            "update %s: chat unreachable (%s)",
            update.update_id,
            exc.message,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
        if query is not None:
            with contextlib.suppress(TelegramAPIError):
                await query.answer()
        return True
    if isinstance(exc, UserError):
        text = exc.message
        log.info(
            "update %s refused: %s",
            update.update_id,
            exc.__class__.__name__,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
    else:
        text = APOLOGY
        log.error(
            "update %s failed",
            update.update_id,
            exc_info=exc,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
    try:
        if query is not None:
            short = len(text) <= _ANSWER_LIMIT
            with contextlib.suppress(TelegramBadRequest):  # already answered, or too old
                await query.answer(text if short else text[: _ANSWER_LIMIT - 1] + "…", show_alert=True)
            if not short and chat_id is not None:
                await send_text(bot, chat_id, text)
        elif answer_to is not None:
            await send_text(bot, answer_to, text)
            if redirected and update.message is not None:
                await tell_origin(bot, update.message, delivered=True)
    except TelegramForbiddenError:
        if redirected and update.message is not None:
            await tell_origin(bot, update.message, delivered=False)
    except TelegramAPIError as send_exc:
        log.warning(
            "could not tell chat about update %s: %s",
            update.update_id,
            send_exc,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
    return True
