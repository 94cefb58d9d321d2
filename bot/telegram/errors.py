"""The one error handler: a :class:`~bot.errors.UserError` gets its message in the sender's language
(:func:`bot.services.errors.refusal`), anything else a short apology and a logged trace with the update
id. Never a traceback in chat, never an unanswered callback."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ErrorEvent

from bot.errors import UserError
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Message
from bot.services.container import Services
from bot.services.errors import refusal
from bot.telegram.context import callback_caller, message_caller
from bot.telegram.private_answers import answer_chat, is_redirected, tell_origin
from bot.telegram.replies import send

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a minute.")
#: Telegram's limit on a callback answer's text
_ANSWER_LIMIT = 200


async def _translator(services: Services, event: ErrorEvent) -> Translator:
    """The sender's language (their saved choice, else Telegram's ``language_code``)."""
    update = event.update
    if update.message is not None:
        return await services.language.translator_or_locale(message_caller(update.message))
    if update.callback_query is not None:
        return await services.language.translator_or_locale(callback_caller(update.callback_query))
    return services.language.catalogs.translator(None)


async def on_error(event: ErrorEvent, bot: Bot, services: Services) -> bool:
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
    t = await _translator(services, event)
    if isinstance(exc, UserError):
        reply = refusal(exc, t)
        text = exc.translated(t)
        log.info(
            "update %s refused: %s",
            update.update_id,
            exc.__class__.__name__,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
    else:
        text = t(APOLOGY)
        reply = Message.text(text)
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
                await send(bot, chat_id, reply)
        elif answer_to is not None:
            await send(bot, answer_to, reply)
            if redirected and update.message is not None:
                await tell_origin(bot, update.message, delivered=True, t=t)
    except TelegramForbiddenError:
        if redirected and update.message is not None:
            await tell_origin(bot, update.message, delivered=False, t=t)
    except TelegramAPIError as send_exc:
        log.warning(
            "could not tell chat about update %s: %s",
            update.update_id,
            send_exc,
            extra={"platform": "telegram", "chat": chat_id, "update": update.update_id},
        )
    return True
