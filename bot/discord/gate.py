"""Per-person limits and bounded concurrency for every Discord interaction a person makes (slash
commands, button clicks, form submissions), the same :class:`~bot.services.throttle.Throttle` the
Telegram frontend uses: refused, the first refusal of a minute answers "slow down" (ephemeral), the
rest get no answer; admitted, at most ``limits.max_concurrent_updates`` run at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.discord.caller import caller_of
from bot.discord.failures import send_notice
from bot.services.language import LanguageService
from bot.services.throttle import SLOW_DOWN_TEXT, Throttle, Verdict

log = logging.getLogger(__name__)


class Gate:
    def __init__(self, throttle: Throttle, max_concurrent: int, language: LanguageService) -> None:
        self._throttle = throttle
        self._language = language
        self._slots = asyncio.Semaphore(max_concurrent)

    async def run(self, interaction: discord.Interaction[Any], work: Callable[[], Awaitable[None]]) -> None:
        """``work()`` if the person is within their limit, when a slot is free."""
        who = str(interaction.user.id)
        verdict = self._throttle.check("discord", who)
        if verdict is not Verdict.ALLOW:
            if verdict is Verdict.SLOW_DOWN:
                log.info(
                    "over the per-person limit: told to slow down, further asks dropped",
                    extra={"platform": "discord", "user": who},
                )
                # in their language (one read: the first refusal of a minute only)
                t = await self._language.translator_or_locale(caller_of(interaction))
                await send_notice(interaction, t(SLOW_DOWN_TEXT))
            return
        async with self._slots:
            await work()
