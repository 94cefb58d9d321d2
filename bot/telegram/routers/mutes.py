"""``/mute <node|all> <duration|resolved>``, ``/unmute <node|all>``, ``/mutes``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of


def router() -> Router:
    r = Router(name="mutes")

    @r.message(Command("mute"))
    async def mute(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "mute", text_of(command))
        result = await services.mutes.mute(actor, args["node"], args["duration"])
        await send(bot, message.chat.id, result.message)

    @r.message(Command("unmute"))
    async def unmute(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "unmute", text_of(command))
        result = await services.mutes.unmute(actor, args["node"])
        await send(bot, message.chat.id, result.message)

    @r.message(Command("mutes"))
    async def mutes(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        result = await services.mutes.list_mutes(actor)
        await send(bot, message.chat.id, result.message)

    return r
