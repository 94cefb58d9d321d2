"""pytest fixtures for the local Discord (registered in ``tests/conftest.py``).

``discord_api`` starts a :class:`~tests.fakes.discord_api.FakeDiscord` on an ephemeral loopback port,
points discord.py's process-wide endpoints at it (``discord.http.Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``, restored afterwards) and yields it. Production code takes the
endpoints from config instead: ``discord_config`` is the test ``config`` with the ``[discord]`` section
(token, api_base, gateway_url) pointing at the fake; commands sync globally (set ``guild_id`` to
``fake.guild.id`` for guild sync: guild commands are not offered in DMs, as on Discord).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl

from bot.config import Config
from tests.fakes.discord_api import FakeDiscord


@pytest_asyncio.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
        await fake.stop()


@pytest.fixture
def discord_config(config: Config, discord_api: FakeDiscord) -> Config:
    """The test config with ``[discord]`` pointing at the local Discord."""
    return config.model_copy(
        update={"discord": config.discord.model_copy(update=_discord_section(config, discord_api))}
    )


def _discord_section(config: Config, fake: FakeDiscord) -> dict[str, object]:
    from pydantic import AnyHttpUrl, SecretStr

    return {
        "token": SecretStr(fake.token),
        "api_base": AnyHttpUrl(fake.api_base),
        "gateway_url": fake.gateway_url,
        "guild_ready_timeout_s": 0.05,
    }
