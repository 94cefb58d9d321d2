"""Who sent the update, resolved once: an inner middleware, so it runs only for an update a handler
took. It hands the handler ``actor`` (:meth:`Authz.resolve`, one read) and, for an update from a
private chat, first takes the explicit step :meth:`Authz.wrote_privately` (the person can be messaged
again, so delivery to them resumes), and keeps the person's ``language_code`` for the messages the bot
writes first (:meth:`LanguageService.remember`, a write only when it changed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.telegram.context import callback_caller, message_caller


class ResolveActor(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, TgMessage):
            caller = message_caller(event)
        elif isinstance(event, CallbackQuery):
            caller = callback_caller(event)
        else:
            return await handler(event, data)
        services: Services = data["services"]
        await services.authz.wrote_privately(caller)
        await services.language.remember(caller)
        data["actor"] = await services.authz.resolve(caller)
        return await handler(event, data)
