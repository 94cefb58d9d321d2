"""Anything no other router took: an unknown command in a private chat is pointed at ``/help``."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import Message as TgMessage

from bot.i18n.catalogs import N_
from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send_text

UNKNOWN_COMMAND = N_("I don't know that command. Send /help to see what you can do.")
NOT_A_COMMAND = N_("I answer commands. Send /help to see them.")


def router() -> Router:
    r = Router(name="fallback")

    @r.message(F.chat.type == "private", F.text.startswith("/"))
    async def unknown_command(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        t = await services.language.translator(actor)
        await send_text(bot, message.chat.id, t(UNKNOWN_COMMAND))

    @r.message(F.chat.type == "private")
    async def not_a_command(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        t = await services.language.translator(actor)
        await send_text(bot, message.chat.id, t(NOT_A_COMMAND))

    return r
