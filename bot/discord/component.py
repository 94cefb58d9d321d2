"""The ``discord`` component: runs the Discord bot until cancelled (built in :mod:`bot.app`).

``run()`` points discord.py at ``discord.api_base`` (process-wide, see :mod:`bot.discord.endpoints`),
logs in (``setup_hook`` registers the persistent buttons and syncs the commands if they changed),
resolves the gateway (``discord.gateway_url``, else ``GET {api_base}/gateway/bot``) and connects; it
closes the client in ``finally``.
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import Config
from bot.db.types import Pool
from bot.discord.client import BotClient, Frontend, ShardedBotClient, build_client
from bot.discord.endpoints import apply_gateway, apply_rest_base, resolve_gateway
from bot.discord.logfilter import install_gateway_redaction
from bot.metrics import Metrics
from bot.services.container import Services

log = logging.getLogger(__name__)


class DiscordBot:
    name = "discord"

    def __init__(self, config: Config, pool: Pool, services: Services, metrics: Metrics) -> None:
        if config.discord.token is None:
            raise ValueError("DiscordBot needs discord.token")
        self._config = config.discord
        self._token = config.discord.token
        self.frontend = Frontend(config.discord, pool, services, metrics, config.limits)
        self.client: BotClient | ShardedBotClient | None = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        cfg = self._config
        install_gateway_redaction()
        apply_rest_base(cfg)
        client = build_client(self.frontend)
        self.client = client

        @client.event
        async def on_ready() -> None:
            log.info(
                "discord ready as %s (%s guilds)",
                client.user,
                len(client.guilds),
                extra={"platform": "discord"},
            )
            self.ready.set()

        try:
            await client.login(self._token.get_secret_value())
            url, recommended = await resolve_gateway(client.http, cfg)
            apply_gateway(url)
            if isinstance(client, ShardedBotClient) and cfg.shard_count is None:
                client.shard_count = recommended
            await client.connect(reconnect=True)
        finally:
            self.ready.clear()
            await client.close()
