"""What the bot's components and the operator commands are built from: the configured database (or the
embedded server), migrated, its pool and the metrics registry. Light on purpose: the CLI's commands
open it without importing the bots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Config
from bot.db.embedded import start_embedded
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.db.types import Pool
from bot.metrics import Metrics


@dataclass(frozen=True, slots=True)
class Resources:
    """What every component is built from."""

    config: Config
    dsn: str
    pool: Pool
    metrics: Metrics


async def resolve_dsn(config: Config) -> str:
    """The configured ``database.url``, or the embedded server's (started on demand)."""
    if config.database.url is not None:
        return config.database.url.get_secret_value()
    return await asyncio.to_thread(start_embedded, config.database.embedded_dir)


@asynccontextmanager
async def open_resources(config: Config, *, migrate: bool | None = None) -> AsyncIterator[Resources]:
    dsn = await resolve_dsn(config)
    if config.database.migrate_on_start if migrate is None else migrate:
        await asyncio.to_thread(apply_migrations, dsn, config.database.migrate_lock_timeout_s)
    async with open_pool(
        dsn,
        min_size=config.database.pool_min_size,
        max_size=config.database.pool_max_size,
        command_timeout=config.database.command_timeout_s,
    ) as pool:
        yield Resources(config=config, dsn=dsn, pool=pool, metrics=Metrics())
