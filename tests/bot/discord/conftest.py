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
        done, _ = await asyncio.wait({ready, self.task}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
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
            await asyncio.wait_for(self.task, 30)
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


async def deliver_outbox(h: Harness, kind: str | None = None, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Run the alert engine's Discord delivery (``DeliveryWorker`` + ``DiscordSender``) until no Discord
    notification (of ``kind``) is pending; return the messages it posted, as the local Discord has them."""
    from bot.alerts.delivery.discord import DiscordSender
    from bot.alerts.delivery.worker import DeliveryWorker

    alerts = h.config.alerts.model_copy(
        update={"retry_backoff_base_s": 0.05, "retry_backoff_max_s": 0.2, "outbox_poll_interval_s": 0.1}
    )
    before = {cid: len(msgs) for cid, msgs in h.fake.messages.items()}
    worker = DeliveryWorker(h.pool, DiscordSender(h.config.discord), alerts)
    task = asyncio.create_task(worker.run(), name="discord-delivery")
    try:
        async with asyncio.timeout(timeout):
            while await h.pool.fetchval(
                "SELECT count(*) FROM notifications WHERE platform = 'discord'"
                " AND status IN ('pending', 'sending') AND ($1::text IS NULL OR kind = $1)",
                kind,
            ):
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    sent = [m for cid, msgs in h.fake.messages.items() for m in msgs[before.get(cid, 0) :]]
    return sorted(sent, key=lambda m: int(m["id"]))
