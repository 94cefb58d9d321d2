"""Shared set-up for service tests (users, nodes and callers: ``tests.helpers``)."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.db.types import Pool
from bot.render import discord as discord_render
from bot.render import telegram as telegram_render
from bot.render.message import Message
from bot.services.container import Services
from bot.services.context import Caller


def services(pool: Pool, config: Config) -> Services:
    return Services.build(pool, config)


def assert_renders(message: Message) -> None:
    """The message renders on both platforms within limits and no button is dropped."""
    chunks = telegram_render.render(message)
    assert chunks and all(telegram_render.utf16_len(c.text) <= telegram_render.TEXT_LIMIT for c in chunks)
    payloads = discord_render.render(message)
    assert payloads
    rows = [r for r in message.buttons if r]
    assert len(rows) <= discord_render.ROWS_LIMIT
    assert all(len(r) <= discord_render.BUTTONS_PER_ROW for r in rows)
    sent_rows = sum(len(p.components) for p in payloads)
    assert sent_rows == len(rows)


async def parsed(svc: Services, who: Caller, command: str, text: str) -> dict[str, Any]:
    """``/command text``'s arguments as a frontend hands them to the services."""
    return await svc.arguments.text(await svc.authz.resolve(who), command, text)
