"""Callback data in and out: the renderer's ``action:arg:...`` encoding, and a filter on actions."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import CallbackQuery

from bot.render.telegram import decode_callback


class Action(Filter):
    """Matches callback queries whose decoded action is one of ``actions``; hands ``action`` and ``args``
    to the handler."""

    def __init__(self, *actions: str) -> None:
        self.actions = frozenset(actions)

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        decoded = decode_callback(query.data)
        if decoded is None or decoded[0] not in self.actions:
            return False
        return {"action": decoded[0], "args": decoded[1]}
