"""``/earnings [7d|30d|90d]``: the chart as a photo with the totals as its caption."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send_answer
from bot.telegram.routers.args import text_of


def router() -> Router:
    r = Router(name="earnings")

    @r.message(Command("earnings"))
    async def earnings(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "earnings", text_of(command))
        report = await services.earnings.report(actor, args.get("period", "7d"))
        files = (("earnings.png", report.chart_png),) if report.chart_png else ()
        await send_answer(bot, message.chat.id, report.message, files)

    return r
