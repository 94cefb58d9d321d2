"""Per-person limits and bounded concurrency for every Telegram update (polling and webhook alike).

An outer middleware on the dispatcher's updates: an update a person sends (a private message, a
command anywhere, a button press, a channel post) is first checked against their limit
(:class:`~bot.services.throttle.Throttle`); refused, it goes no further: the first refusal of a minute
answers "slow down" (a button press: in its toast, which costs no message), the rest none. Updates let
through are handled at most ``limits.max_concurrent_updates`` at a time; the others wait their turn
(polling also stops fetching while that many run: ``tasks_concurrency_limit``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, TelegramObject, Update
from aiogram.types import Message as TgMessage

from bot.render.telegram import render
from bot.services.language import LanguageService
from bot.services.throttle import Throttle, Verdict, slow_down
from bot.telegram.context import callback_caller, message_caller

log = logging.getLogger(__name__)


def identity(update: Update) -> tuple[str, TgMessage | CallbackQuery] | None:
    """Who an update counts against and the event to answer, or None when it is not a person's ask
    (membership changes, a group's chatter the bot does not answer)."""
    if update.callback_query is not None:
        return str(update.callback_query.from_user.id), update.callback_query
    message = update.message or update.channel_post
    if message is None:
        return None
    text = message.text or message.caption or ""
    if message.chat.type != "private" and not text.startswith("/"):
        return None
    who = message.from_user.id if message.from_user is not None else message.chat.id
    return str(who), message


class ThrottleUpdates(BaseMiddleware):
    def __init__(self, throttle: Throttle, max_concurrent: int, language: LanguageService) -> None:
        self._throttle = throttle
        self._language = language
        self._slots = asyncio.Semaphore(max_concurrent)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        asked = identity(event)
        if asked is not None:
            who, origin = asked
            verdict = self._throttle.check("telegram", who)
            if verdict is not Verdict.ALLOW:
                if verdict is Verdict.SLOW_DOWN:
                    await _slow_down(data["bot"], origin, who, self._language)
                return UNHANDLED
        async with self._slots:
            return await handler(event, data)


async def _slow_down(
    bot: Bot, origin: TgMessage | CallbackQuery, who: str, language: LanguageService
) -> None:
    extra = {"platform": "telegram", "user": who}
    log.info("over the per-person limit: told to slow down, further asks dropped", extra=extra)
    caller = callback_caller(origin) if isinstance(origin, CallbackQuery) else message_caller(origin)
    # in their language (one read: the first refusal of a minute only)
    notice = slow_down(await language.translator_or_locale(caller))
    try:
        if isinstance(origin, CallbackQuery):
            await bot.answer_callback_query(origin.id, notice.title or "", show_alert=False)
        else:
            [chunk] = render(notice)
            await bot.send_message(origin.chat.id, chunk.text, parse_mode="HTML")
    except TelegramAPIError as exc:
        log.warning("could not send the slow-down notice: %s", exc, extra=extra)
