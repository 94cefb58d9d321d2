"""``/start`` (with a deep-link code) and ``/help``."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.menus import CommandMenus
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of


def router() -> Router:
    r = Router(name="start")

    @r.message(Command("start"))
    async def start(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        menus: CommandMenus,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        result = await services.accounts.start(actor, text_of(command) or None)
        await send(bot, answer_chat, result.message)
        if result.link is not None:
            await menus.refresh(bot, actor.caller)

    @r.message(Command("help"))
    async def help_(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        result = await services.help.help(actor)
        await send(bot, message.chat.id, result.message)

    return r
