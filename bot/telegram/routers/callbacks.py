"""Inline buttons: pagination, node details, mute from an alert, settings toggles, the request queue.

Callback data is decoded with ``bot.render.telegram.decode_callback`` (the renderer encoded it); each
action calls one service operation. Every query is answered: here on success, by the error handler on
a refusal, and with "expired" for anything stale, forged or unknown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot, Router
from aiogram.types import CallbackQuery
from aiogram.types import Message as TgMessage

from bot.domain.numbers import parse_uint
from bot.render.message import Message
from bot.render.telegram import decode_callback
from bot.services import actions
from bot.services.container import Services
from bot.services.context import Caller
from bot.telegram.buttons import STALE_TEXT
from bot.telegram.context import callback_caller
from bot.telegram.menus import CommandMenus
from bot.telegram.replies import drop_keyboard, edit, send
from bot.telegram.routers.earnings import send_report

#: the alert engine's "details" button (args: node_id)
DETAILS = "details"


@dataclass(frozen=True, slots=True)
class Press:
    """One button press, as the handlers below see it."""

    bot: Bot
    services: Services
    caller: Caller
    query: CallbackQuery
    target: TgMessage | None
    args: tuple[str, ...]
    menus: CommandMenus

    def page(self, index: int = 0) -> int:
        value = parse_uint(self.args[index])
        if value is None:
            raise _Stale
        return value

    async def in_place(self, message: Message, toast: str | None = None) -> None:
        """Answer, then show ``message`` in place of the pressed one (pages, toggles)."""
        await self.query.answer(toast)
        if self.target is not None:
            await edit(self.bot, self.target, message)
        else:
            await send(self.bot, self.caller.chat_id, message)

    async def below(self, message: Message, toast: str | None = None) -> None:
        """Answer, then send ``message`` as a reply to the pressed one."""
        await self.query.answer(toast)
        reply_to = self.target.message_id if self.target is not None else None
        await send(self.bot, self.caller.chat_id, message, reply_to=reply_to)


class _Stale(Exception):
    """The button's data does not fit what its action expects."""


Handler = Callable[[Press], Awaitable[None]]


async def _nodes_page(p: Press) -> None:
    page = p.page()
    await p.in_place((await p.services.nodes.list_nodes(p.caller, page)).message)


async def _node(p: Press) -> None:
    await p.below((await p.services.nodes.detail(p.caller, p.args[0])).message)


async def _earnings(p: Press) -> None:
    await p.query.answer()
    await send_report(p.bot, p.services, p.caller, p.args[0])


async def _mute(p: Press) -> None:
    result = await p.services.mutes.mute(p.caller, p.args[0], p.args[1])
    await p.below(result.message, toast=_toast(result.message))


async def _unmute(p: Press) -> None:
    result = await p.services.mutes.unmute(p.caller, p.args[0])
    await p.below(result.message, toast=_toast(result.message))


async def _setting(p: Press) -> None:
    result = await p.services.settings.set_alert(p.caller, p.args[0], p.args[1])
    await p.in_place(result.message, toast="Saved")


async def _myrequests_page(p: Press) -> None:
    page = p.page()
    await p.in_place((await p.services.requests.mine(p.caller, page)).message)


async def _requests_page(p: Press) -> None:
    status, page = (None if p.args[0] == "all" else p.args[0]), p.page(1)
    await p.in_place((await p.services.requests.list_requests(p.caller, status, page)).message)


def _number(p: Press) -> int:
    return p.page(0)


async def _req_take(p: Press) -> None:
    number = _number(p)
    result = await p.services.requests.take(p.caller, number)
    await p.below(result.message, toast="Taken")


async def _req_decide(p: Press, status: str) -> None:
    number = _number(p)
    result = await p.services.requests.set_status(p.caller, number, status)
    if p.target is not None:
        await drop_keyboard(p.bot, p.target)
    await p.below(result.message, toast=status.capitalize())


async def _req_approve(p: Press) -> None:
    await _req_decide(p, "approved")


async def _req_reject(p: Press) -> None:
    await _req_decide(p, "rejected")


async def _link_confirm(p: Press) -> None:
    """The Confirm button of a deep link (``/start CODE``): only now is the code used."""
    result = await p.services.accounts.link_with_code(p.caller, p.args[0])
    await p.in_place(result.message, toast="Linked")
    await p.menus.refresh(p.bot, p.caller)


async def _link_cancel(p: Press) -> None:
    await p.in_place(p.services.accounts.link_cancelled(), toast="Cancelled")


#: action (bot.services.actions; args in bot/services/README.md) -> (number of args, handler)
HANDLERS: dict[str, tuple[int, Handler]] = {
    actions.NODES_PAGE: (1, _nodes_page),
    actions.NODE: (1, _node),
    DETAILS: (1, _node),
    actions.EARNINGS: (1, _earnings),
    actions.MUTE: (2, _mute),
    actions.UNMUTE: (1, _unmute),
    actions.SETTING: (2, _setting),
    actions.MYREQUESTS_PAGE: (1, _myrequests_page),
    actions.REQUESTS_PAGE: (2, _requests_page),
    actions.REQ_TAKE: (1, _req_take),
    actions.REQ_APPROVE: (1, _req_approve),
    actions.REQ_REJECT: (1, _req_reject),
    actions.LINK_CONFIRM: (1, _link_confirm),
    actions.LINK_CANCEL: (0, _link_cancel),
}


def _toast(message: Message) -> str:
    first = message.title or message.plain().split("\n", 1)[0]
    return first[:190]


def router() -> Router:
    r = Router(name="callbacks")

    @r.callback_query()
    async def pressed(query: CallbackQuery, bot: Bot, services: Services, menus: CommandMenus) -> None:
        decoded = decode_callback(query.data)
        entry = HANDLERS.get(decoded[0]) if decoded is not None else None
        if decoded is None or entry is None or len(decoded[1]) != entry[0]:
            await query.answer(STALE_TEXT)
            return
        target = query.message if isinstance(query.message, TgMessage) else None
        press = Press(
            bot=bot,
            services=services,
            caller=callback_caller(query),
            query=query,
            target=target,
            args=decoded[1],
            menus=menus,
        )
        try:
            await entry[1](press)
        except _Stale:
            await query.answer(STALE_TEXT)

    return r
