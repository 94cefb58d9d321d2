"""Every incoming message text, caption and button payload is cleaned once, before any handler sees it
(:func:`bot.domain.text.clean_input`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.types import Message as TgMessage

from bot.domain.text import clean_input


def cleaned(event: TelegramObject) -> TelegramObject:
    """The event with its user text cleaned (aiogram objects are frozen: a copy when anything changed)."""
    update: dict[str, str] = {}
    if isinstance(event, TgMessage):
        for name in ("text", "caption"):
            value = getattr(event, name)
            if value is not None and clean_input(value) != value:
                update[name] = clean_input(value)
    elif (
        isinstance(event, CallbackQuery) and event.data is not None and clean_input(event.data) != event.data
    ):
        update["data"] = clean_input(event.data)
    return event.model_copy(update=update) if update else event


class CleanInput(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        return await handler(cleaned(event), data)
