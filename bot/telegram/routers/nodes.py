"""``/nodes`` (paginated) and ``/node <name or identifier>``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.telegram.context import message_caller
from bot.telegram.replies import send
from bot.telegram.routers.args import required


def router() -> Router:
    r = Router(name="nodes")

    @r.message(Command("nodes"))
    async def nodes(message: TgMessage, bot: Bot, services: Services) -> None:
        result = await services.nodes.list_nodes(message_caller(message))
        await send(bot, message.chat.id, result.message)

    @r.message(Command("node"))
    async def node(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        caller = message_caller(message)
        [ref] = await required(services, caller, command, "node")
        result = await services.nodes.detail(caller, ref)
        await send(bot, message.chat.id, result.message)

    return r
