"""Button clicks: the Discord adapter of the one action table (:mod:`bot.services.actions`).

A click is run by :func:`actions.press` and its :class:`~bot.services.actions.Outcome` shown: the
clicked message edited in place, or a new ephemeral message to whoever clicked; a spent message loses
its buttons. A stale or forged button and every refusal go to the one error path
(:func:`bot.discord.failures.report_error`). The ``request_form`` button opens the ``/request`` modal
(a Discord form; Telegram asks the same questions in its chat).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.discord.caller import actor_of
from bot.discord.failures import report_error
from bot.discord.gate import Gate
from bot.discord.metering import Meter
from bot.discord.replies import Reply, answer
from bot.services import actions
from bot.services.container import Services

log = logging.getLogger(__name__)

#: opens the /request form for a type (a modal must be the first response, so it is not deferred)
OPEN_REQUEST_FORM = "request_form"

ModalOpener = Callable[[discord.Interaction[Any], str], Awaitable[None]]


class ActionRouter:
    """``client.actions``: what :class:`bot.discord.views.ActionButton` hands every click to."""

    def __init__(
        self,
        services: Services,
        meter: Meter,
        *,
        budget_s: float,
        open_request_form: ModalOpener,
        gate: Gate,
    ) -> None:
        self._gate = gate
        self._services = services
        self._meter = meter
        self._budget_s = budget_s
        self._open_request_form = open_request_form

    async def handle_action(
        self, interaction: discord.Interaction[Any], action: str, args: tuple[str, ...]
    ) -> None:
        label = OPEN_REQUEST_FORM if action == OPEN_REQUEST_FORM else actions.metric_name(action)

        async def work() -> None:
            try:
                with self._meter.measure(f"button:{label}"):
                    await self._dispatch(interaction, action, args)
            except Exception as exc:  # noqa: BLE001 - every failure is reported to the user and logged
                await report_error(interaction, exc)

        await self._gate.run(interaction, work)

    async def _dispatch(
        self, interaction: discord.Interaction[Any], action: str, args: tuple[str, ...]
    ) -> None:
        if action == OPEN_REQUEST_FORM and len(args) == 1:
            await self._open_request_form(interaction, args[0])
            return
        spec, _ = actions.decode(action, args)  # a stale button is refused before anything is deferred
        message = interaction.message
        seen_only_by_presser = interaction.guild_id is None or (
            message is not None and message.flags.ephemeral
        )
        outcome: actions.Outcome | None = None

        async def run() -> Reply:
            nonlocal outcome
            actor = await actor_of(self._services, interaction)
            outcome = await actions.press(
                self._services, actor, action, args, seen_only_by_presser=seen_only_by_presser
            )
            return Reply(outcome.message, outcome.files, public=outcome.public)

        await answer(
            interaction, run(), budget_s=self._budget_s, edit=actions.replaces(spec, seen_only_by_presser)
        )
        if outcome is not None and outcome.spends and message is not None:
            with contextlib.suppress(discord.HTTPException):
                await message.edit(view=None)
