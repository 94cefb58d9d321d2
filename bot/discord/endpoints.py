"""Pointing discord.py at the configured REST and gateway endpoints (``discord.api_base``,
``discord.gateway_url``).

discord.py keeps both as **class attributes**, so setting them is process-wide: every discord.py
client in this process (the bot's and the alert sender's) talks to the same Discord, which is what one
process with one bot token wants.

* REST: ``discord.http.Route.BASE`` = ``discord.api_base`` (interaction callbacks and webhooks use
  it too).
* Gateway: ``DiscordWebSocket.DEFAULT_GATEWAY`` = ``discord.gateway_url`` when set, else the ``url``
  of ``GET {api_base}/gateway/bot`` (a plain ``discord.Client`` would otherwise connect to Discord's
  public gateway whatever the REST base is).
"""

from __future__ import annotations

import logging

import discord.gateway
import discord.http
import yarl

from bot.config import DiscordConfig

log = logging.getLogger(__name__)


def rest_base(config: DiscordConfig) -> str:
    return str(config.api_base).rstrip("/")


def apply_rest_base(config: DiscordConfig) -> None:
    """Point discord.py's REST at ``discord.api_base`` (process-wide)."""
    discord.http.Route.BASE = rest_base(config)


def apply_gateway(url: str) -> None:
    """Point discord.py's gateway at ``url`` (process-wide; resumes use the URL READY gives)."""
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


async def resolve_gateway(http: discord.http.HTTPClient, config: DiscordConfig) -> tuple[str, int]:
    """The gateway URL (config, else ``GET /gateway/bot``) and Discord's recommended shard count.

    The shard count is 1 when the gateway URL comes from config (no call is made then).
    """
    if config.gateway_url is not None:
        return config.gateway_url, 1
    shards, url, _limits = await http.get_bot_gateway()
    log.info(
        "gateway from %s/gateway/bot: %s (%d shards)",
        rest_base(config),
        url,
        shards,
        extra={"platform": "discord"},
    )
    return url, int(shards)
