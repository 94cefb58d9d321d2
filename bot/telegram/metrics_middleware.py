"""Command latency and outcome per command (the ``minegnk_command*`` metrics)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.types import Message as TgMessage

from bot.errors import UserError
from bot.metrics import Metrics
from bot.render.telegram import decode_callback
from bot.services.actions import metric_name
from bot.services.commands import BY_NAME
from bot.telegram.routers.requests import FORM


def command_name(event: TelegramObject) -> str:
    """``/nodes@bot args`` -> ``nodes``; a button -> ``button:<action>`` (``button:unknown`` for an
    action no router answers); anything else -> ``text``. Labels are a fixed set whatever users send."""
    if isinstance(event, TgMessage):
        text = event.text or ""
        if text.startswith("/"):
            name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
            return name if name in BY_NAME or name == "cancel" else "unknown"
        return "text"
    if isinstance(event, CallbackQuery):
        decoded = decode_callback(event.data)
        if decoded is None:
            return "button:invalid"
        return f"button:{FORM if decoded[0] == FORM else metric_name(decoded[0])}"
    return "other"


class CommandMetrics(BaseMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        name = command_name(event)
        started = time.monotonic()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "ok"
            return result
        except UserError:
            outcome = "user_error"
            raise
        finally:
            self._metrics.command_latency.labels("telegram", name).observe(time.monotonic() - started)
            self._metrics.commands.labels("telegram", name, outcome).inc()
