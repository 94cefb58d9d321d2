"""The Discord bot under test: the real ``DiscordBot`` component (discord.py client) against the local
Discord, over a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio

from bot.config import Config
from bot.db.types import Pool
from bot.discord.component import DiscordBot
from bot.metrics import Metrics
from bot.services.container import Services
from tests.fakes.discord_api import FakeDiscord, FakeUser, message_text


def text(message: dict[str, Any]) -> str:
    """The visible text of a message payload, Discord markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", message_text(message))


@dataclass
class Harness:
    fake: FakeDiscord
    pool: Pool
    config: Config
    services: Services
    metrics: Metrics = field(default_factory=Metrics)
    bot: DiscordBot | None = None
    task: asyncio.Task[None] | None = None
    starts: int = 0

    async def start(self, config: Config | None = None) -> DiscordBot:
        if config is not None:
            self.config = config
        bot = DiscordBot(self.config, self.pool, self.services, self.metrics)
        self.bot = bot
        self.task = asyncio.create_task(bot.run(), name=f"discord-{self.starts}")
        self.starts += 1
        ready = asyncio.ensure_future(bot.ready.wait())
        done, _ = await asyncio.wait({ready, self.task}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            ready.cancel()
            self.task.result()  # raises what broke the start
        assert ready in done, "the Discord bot did not get ready"
        return bot

    async def stop(self) -> None:
        if self.task is None:
            return
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        self.task = None

    async def restart(self) -> DiscordBot:
        await self.stop()
        return await self.start()

    def user(self, name: str, *, admin: bool = False) -> FakeUser:
        return self.fake.add_user(name, admin=admin)


@pytest_asyncio.fixture
async def harness(discord_api: FakeDiscord, pool: Pool, discord_config: Config) -> AsyncIterator[Harness]:
    services = Services.build(pool, discord_config)
    h = Harness(discord_api, pool, discord_config, services)
    try:
        yield h
    finally:
        await h.stop()
        await services.aclose()


@pytest_asyncio.fixture
async def running(harness: Harness) -> AsyncIterator[Harness]:
    """The harness with the bot started and READY."""
    await harness.start()
    yield harness


async def deliver_outbox(h: Harness, kind: str | None = None) -> list[dict[str, Any]]:
    """Send the pending Discord notifications the way the alert engine's sender does (render with
    :func:`bot.render.discord.render`, DM or channel POST through discord.py's HTTP client) and mark
    them delivered; returns the messages as the local Discord stored them."""
    from discord.http import Route

    from bot.render.discord import render
    from bot.render.message import Message

    assert h.bot is not None and h.bot.client is not None
    http = h.bot.client.http
    rows = await h.pool.fetch(
        "SELECT id, target_kind, target_id, payload FROM notifications"
        " WHERE platform = 'discord' AND status = 'pending' AND ($1::text IS NULL OR kind = $1)"
        " ORDER BY created_at",
        kind,
    )
    sent: list[dict[str, Any]] = []
    for row in rows:
        channel_id = row["target_id"]
        if row["target_kind"] == "user":
            dm = await http.start_private_message(int(row["target_id"]))
            channel_id = dm["id"]
        for payload in render(Message.model_validate(row["payload"])):
            route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
            msg = await http.request(route, json=payload.as_json())
            sent.append(h.fake._find_message(int(channel_id), msg["id"]) or msg)
        await h.pool.execute("UPDATE notifications SET status = 'delivered' WHERE id = $1", row["id"])
    return sent
