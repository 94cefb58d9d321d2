"""``/nodes`` (paginated) and ``/node <name or identifier>``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of


def router() -> Router:
    r = Router(name="nodes")

    @r.message(Command("nodes"))
    async def nodes(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        result = await services.nodes.list_nodes(actor)
        await send(bot, message.chat.id, result.message)

    @r.message(Command("node"))
    async def node(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        args = await services.arguments.text(actor, "node", text_of(command))
        result = await services.nodes.detail(actor, args["node"])
        await send(bot, message.chat.id, result.message)

    return r
