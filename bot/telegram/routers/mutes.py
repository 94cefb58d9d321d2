"""``/mute <node|all> <duration|resolved>``, ``/unmute <node|all>``, ``/mutes``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.telegram.context import message_caller
from bot.telegram.replies import send
from bot.telegram.routers.args import required, text_of


def router() -> Router:
    r = Router(name="mutes")

    @r.message(Command("mute"))
    async def mute(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        result = await services.mutes.mute_command(message_caller(message), text_of(command))
        await send(bot, message.chat.id, result.message)

    @r.message(Command("unmute"))
    async def unmute(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        caller = message_caller(message)
        [target] = await required(services, caller, command, "unmute")
        result = await services.mutes.unmute(caller, target)
        await send(bot, message.chat.id, result.message)

    @r.message(Command("mutes"))
    async def mutes(message: TgMessage, bot: Bot, services: Services) -> None:
        result = await services.mutes.list_mutes(message_caller(message))
        await send(bot, message.chat.id, result.message)

    return r
