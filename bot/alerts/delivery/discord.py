"""Sending outbox messages to Discord through discord.py's REST client (:class:`discord.http.HTTPClient`).

User targets are DMed: the DM channel is opened once (``POST /users/@me/channels``) and cached in
``delivery_targets.dm_channel_id`` by the worker. Channel targets are posted to directly. Messages are
rendered by :mod:`bot.render.discord` (embeds and buttons within Discord's limits); a recovery carries
a ``message_reference`` to the alert. discord.py honours Discord's rate-limit headers and 429s (and
retries 5xx); a wait longer than ``MAX_RATELIMIT_WAIT_S`` comes back as :class:`RetryLater` so the row
returns to the outbox instead. A 403 (50007: DMs closed, 50001/50013: no access) or an unknown
channel/user disables the target: closed DMs are never retried (they count toward Discord's
invalid-request limit).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord
import discord.http
from discord.http import HTTPClient, Route

from bot.alerts.delivery.base import (
    PermanentError,
    RetryLater,
    SendFailed,
    SendResult,
    TargetGone,
    TransientError,
)
from bot.config import DiscordConfig
from bot.domain.platforms import Platform, Target
from bot.render.discord import render
from bot.render.message import OutgoingMessage

log = logging.getLogger(__name__)

MAX_RATELIMIT_WAIT_S = 30.0
#: Discord error codes meaning the target can never be reached
GONE_CODES = frozenset({10003, 10013, 50001, 50007, 50013})


def retry_after_of(exc: discord.HTTPException) -> float | None:
    """Discord's own wait for a 429 that discord.py stopped retrying (its ``X-RateLimit-Reset-After``
    or ``Retry-After`` header); None when it gave none (a Cloudflare-level 429)."""
    headers = getattr(exc.response, "headers", None) or {}
    for value in (headers.get("X-RateLimit-Reset-After"), headers.get("Retry-After")):
        if value is None:
            continue
        try:
            seconds = float(str(value))
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return min(seconds, 3600.0)
    return None


class DiscordSender:
    platform: Platform = "discord"

    def __init__(self, config: DiscordConfig) -> None:
        if config.token is None:
            raise ValueError("discord.token is not set")
        self._token = config.token.get_secret_value()
        self._api_base = str(config.api_base).rstrip("/")
        self._timeout = config.request_timeout_s + MAX_RATELIMIT_WAIT_S
        self._http: HTTPClient | None = None
        self._dm_channels: dict[str, str] = {}

    async def start(self) -> None:
        discord.http.Route.BASE = self._api_base  # process-wide; the Discord bot uses the same config
        http = HTTPClient(asyncio.get_running_loop(), max_ratelimit_timeout=MAX_RATELIMIT_WAIT_S)
        await http.static_login(self._token)
        self._http = http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _request(self, route: Route, **kw: Any) -> Any:
        if self._http is None:
            raise TransientError("not logged in")
        try:
            async with asyncio.timeout(self._timeout):
                return await self._http.request(route, **kw)
        except discord.RateLimited as exc:
            raise RetryLater(exc.retry_after, "Discord rate limit") from exc
        except discord.Forbidden as exc:
            raise TargetGone(exc.code or 403, exc.text or "Forbidden") from exc
        except discord.NotFound as exc:
            if exc.code in GONE_CODES:
                raise TargetGone(exc.code, exc.text or "Not Found") from exc
            raise PermanentError(f"404 {exc.code}: {exc.text}") from exc
        except discord.DiscordServerError as exc:
            raise TransientError(f"{exc.status} {exc.code}: {exc.text}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py gave up retrying (or a Cloudflare-level 429)
                retry = retry_after_of(exc)
                if retry is None:
                    raise RetryLater(60.0, "Discord rate limit (no retry_after)") from exc
                raise RetryLater(retry, "Discord rate limit (still limited after retries)") from exc
            if exc.status == 401:
                raise TransientError("401: the token was rejected") from exc
            raise PermanentError(f"{exc.status} {exc.code}: {exc.text}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransientError(f"{exc.__class__.__name__}: {exc}") from exc

    async def _channel_for(self, target: Target, dm_channel_id: str | None) -> tuple[str, str | None]:
        """The channel to post in, and the DM channel id when it was opened just now."""
        if target.kind == "channel":
            return target.target_id, None
        cached = dm_channel_id or self._dm_channels.get(target.target_id)
        if cached:
            return cached, None
        data = await self._request(
            Route("POST", "/users/@me/channels"), json={"recipient_id": target.target_id}
        )
        channel_id = str(data["id"])
        self._dm_channels[target.target_id] = channel_id
        return channel_id, channel_id

    async def send(
        self,
        target: Target,
        message: OutgoingMessage,
        *,
        reply_to: str | None = None,
        skip_parts: int = 0,
        dm_channel_id: str | None = None,
    ) -> SendResult:
        channel_id, opened = await self._channel_for(target, dm_channel_id)
        sent: list[str] = []
        for i, payload in enumerate(render(message.message)):
            if i < skip_parts:
                continue
            body = payload.as_json()
            if reply_to and i == 0:
                body["message_reference"] = {"message_id": reply_to, "fail_if_not_exists": False}
            route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
            try:
                data = await self._request(route, json=body)
            except SendFailed as exc:
                exc.sent = tuple(sent)
                raise
            sent.append(str(data["id"]))
        return SendResult(tuple(sent), dm_channel_id=opened)
