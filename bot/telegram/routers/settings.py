"""``/settings``: currency and which alerts to receive (toggle buttons come with the message);
``/digest``: the daily summary's hour; ``/quiet``: the night's window; ``/language``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of


def router() -> Router:
    r = Router(name="settings")

    @r.message(Command("settings"))
    async def settings(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "settings", text_of(command))
        result = await services.settings.change(actor, args["change"])
        await send(bot, message.chat.id, result.message)

    @r.message(Command("digest"))
    async def digest(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "digest", text_of(command))
        result = await services.digests.change(actor, args.get("schedule"))
        await send(bot, message.chat.id, result.message)

    @r.message(Command("language"))
    async def language(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "language", text_of(command))
        result = await services.language.command(actor, args.get("language"))
        await send(bot, message.chat.id, result.message)

    @r.message(Command("quiet"))
    async def quiet(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "quiet", text_of(command))
        result = await services.quiet_hours.change(actor, args.get("window"))
        await send(bot, message.chat.id, result.message)

    return r
