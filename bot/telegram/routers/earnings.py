"""``/earnings [7d|30d|90d]``: the chart as a photo with the totals as its caption."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Caller
from bot.telegram.context import message_caller
from bot.telegram.replies import send, send_photo
from bot.telegram.routers.args import text_of


async def send_report(bot: Bot, services: Services, caller: Caller, period: str | None) -> None:
    """The report for ``caller`` into their chat (also used by the period buttons)."""
    report = await services.earnings.report(caller, period)
    if report.chart_png is not None:
        await send_photo(bot, caller.chat_id, report.chart_png, report.message, filename="earnings.png")
    else:
        await send(bot, caller.chat_id, report.message)


def router() -> Router:
    r = Router(name="earnings")

    @r.message(Command("earnings"))
    async def earnings(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        await send_report(bot, services, message_caller(message), text_of(command) or None)

    return r
