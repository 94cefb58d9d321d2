"""``/link`` (a code, or email + password: that message is deleted), ``/unlink``, ``/whoami``."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.services import arguments
from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.menus import CommandMenus
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of

log = logging.getLogger(__name__)


async def delete_secret(bot: Bot, message: TgMessage) -> None:
    """Delete the message that held a password (in a group the bot may lack the right: logged)."""
    try:
        await bot.delete_message(message.chat.id, message.message_id)
    except TelegramAPIError as exc:
        log.warning(
            "could not delete a message holding a password: %s",
            exc,
            extra={"platform": "telegram", "chat": message.chat.id},
        )


def router() -> Router:
    r = Router(name="linking")

    @r.message(Command("link"))
    async def link(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        menus: CommandMenus,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        args = text_of(command)
        if len(args.split()) >= 2:  # it may hold a password: the message leaves the chat first
            await delete_secret(bot, message)
        how = arguments.link(args)
        if isinstance(how, arguments.LinkByPassword):
            result = await services.accounts.link_with_password(actor, how.email, how.password)
        else:
            result = await services.accounts.link_with_code(actor, how.code)
        await send(bot, answer_chat, result.message)
        await menus.refresh(bot, actor.caller)

    @r.message(Command("unlink"))
    async def unlink(
        message: TgMessage, bot: Bot, services: Services, menus: CommandMenus, actor: Actor, answer_chat: int
    ) -> None:
        result = await services.accounts.unlink(actor)
        await send(bot, answer_chat, result.message)
        await menus.refresh(bot, actor.caller)

    @r.message(Command("whoami"))
    async def whoami(
        message: TgMessage, bot: Bot, services: Services, actor: Actor, answer_chat: int
    ) -> None:
        result = await services.accounts.whoami(actor)
        await send(bot, answer_chat, result.message)

    return r
