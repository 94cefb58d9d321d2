"""Button clicks → service calls (the "Button actions" table of ``bot/services/README.md``).

Pages, settings toggles and the earnings period switch edit the clicked message in place; the other
actions (mute, details, request take/approve/reject) answer with a new ephemeral message to whoever
clicked. A button whose action or arguments we no longer understand is answered, never ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.discord.caller import caller_of
from bot.discord.failures import STALE_BUTTON, report_error
from bot.discord.gate import Gate
from bot.discord.metering import Meter
from bot.discord.replies import Reply, answer
from bot.domain.numbers import parse_uint
from bot.errors import InvalidInputError
from bot.services import actions as names
from bot.services.container import Services
from bot.services.context import Caller

log = logging.getLogger(__name__)

#: opens the /request form for a type (a modal must be the first response, so it is not deferred)
REQUEST_FORM = "request_form"
#: the alert engine's "details" button (same as the services' ``node`` action)
DETAILS = "details"

Handler = Callable[[Services, Caller, tuple[str, ...]], Awaitable[Reply]]
ModalOpener = Callable[[discord.Interaction[Any], str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Action:
    run: Handler
    arity: int
    in_place: bool = False


def _int(value: str) -> int:
    number = parse_uint(value)
    if number is None:
        raise InvalidInputError(STALE_BUTTON)
    return number


async def _nodes_page(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.nodes.list_nodes(c, _int(a[0]))).message)


async def _node(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.nodes.detail(c, a[0])).message)


async def _earnings(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    report = await s.earnings.report(c, a[0])
    files = (("earnings.png", report.chart_png),) if report.chart_png else ()
    return Reply(report.message, files)


async def _mute(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.mutes.mute(c, a[0], a[1])).message)


async def _unmute(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.mutes.unmute(c, a[0])).message)


async def _setting(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.settings.set_alert(c, a[0], a[1])).message)


async def _myrequests_page(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.requests.mine(c, _int(a[0]))).message)


async def _requests_page(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    status = None if a[0] == "all" else a[0]
    return Reply((await s.requests.list_requests(c, status, _int(a[1]))).message)


async def _req_take(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.requests.take(c, _int(a[0]))).message)


async def _req_approve(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.requests.set_status(c, _int(a[0]), "approved")).message)


async def _req_reject(s: Services, c: Caller, a: tuple[str, ...]) -> Reply:
    return Reply((await s.requests.set_status(c, _int(a[0]), "rejected")).message)


ACTIONS: dict[str, Action] = {
    names.NODES_PAGE: Action(_nodes_page, 1, in_place=True),
    names.NODE: Action(_node, 1),
    DETAILS: Action(_node, 1),
    names.EARNINGS: Action(_earnings, 1, in_place=True),
    names.MUTE: Action(_mute, 2),
    names.UNMUTE: Action(_unmute, 1),
    names.SETTING: Action(_setting, 2, in_place=True),
    names.MYREQUESTS_PAGE: Action(_myrequests_page, 1, in_place=True),
    names.REQUESTS_PAGE: Action(_requests_page, 2, in_place=True),
    names.REQ_TAKE: Action(_req_take, 1),
    names.REQ_APPROVE: Action(_req_approve, 1),
    names.REQ_REJECT: Action(_req_reject, 1),
}


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
        known = action in ACTIONS or action == REQUEST_FORM

        async def work() -> None:
            try:
                with self._meter.measure(f"button:{action if known else 'unknown'}"):
                    await self._dispatch(interaction, action, args)
            except Exception as exc:  # noqa: BLE001 - every failure is reported to the user and logged
                await report_error(interaction, exc)

        await self._gate.run(interaction, work)

    async def _dispatch(
        self, interaction: discord.Interaction[Any], action: str, args: tuple[str, ...]
    ) -> None:
        if action == REQUEST_FORM and len(args) == 1:
            await self._open_request_form(interaction, args[0])
            return
        spec = ACTIONS.get(action)
        if spec is None or len(args) != spec.arity:
            raise InvalidInputError(STALE_BUTTON)
        caller = caller_of(interaction)
        ephemeral_message = interaction.message is not None and interaction.message.flags.ephemeral
        # in-place edits only on our own replies (pages); on an alert or a request notice, answer apart
        in_place = spec.in_place and (ephemeral_message or caller.is_private)
        await answer(
            interaction, spec.run(self._services, caller, args), budget_s=self._budget_s, edit=in_place
        )
