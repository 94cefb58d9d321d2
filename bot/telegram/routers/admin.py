"""Admin commands: ``/assign /unassign /requests /request_set /user /linkcode /broadcast /stats
/alerts_here /alerts_off``. Who may run them is the services' decision (refusals are audited there).
Commands whose answer holds a code, an email or request details send it to ``answer_chat`` (the
sender's private chat when typed in a group: :mod:`bot.telegram.private_answers`)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.render.message import Message, Span
from bot.services.container import Services
from bot.telegram.context import message_caller
from bot.telegram.replies import send
from bot.telegram.routers.args import required, text_of


def deep_link(bot_username: str | None, code: str) -> Message:
    """The ``t.me`` link that links in one tap (Telegram's ``/start <code>``)."""
    payload = code.replace("-", "")
    url = f"https://t.me/{bot_username}?start={payload}"
    return Message(lines=((Span(text="Or open: "), Span(text=url, style="link", url=url)),))


def router() -> Router:
    r = Router(name="admin")

    @r.message(Command("assign"))
    async def assign(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        result = await services.admin.assign_command(message_caller(message), text_of(command))
        await send(bot, answer_chat, result.message)

    @r.message(Command("unassign"))
    async def unassign(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        caller = message_caller(message)
        email, identifier = await required(services, caller, command, "unassign", 2)
        result = await services.admin.unassign(caller, email, identifier.strip())
        await send(bot, answer_chat, result.message)

    @r.message(Command("requests"))
    async def requests(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        result = await services.requests.list_requests(message_caller(message), text_of(command) or None)
        await send(bot, answer_chat, result.message)

    @r.message(Command("request_set"))
    async def request_set(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        result = await services.requests.set_status_command(message_caller(message), text_of(command))
        await send(bot, answer_chat, result.message)

    @r.message(Command("user"))
    async def user(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        caller = message_caller(message)
        [email] = await required(services, caller, command, "user")
        result = await services.admin.user_info(caller, email)
        await send(bot, answer_chat, result.message)

    @r.message(Command("linkcode"))
    async def linkcode(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, answer_chat: int
    ) -> None:
        caller = message_caller(message)
        [email] = await required(services, caller, command, "linkcode")
        result = await services.admin.link_code(caller, email)
        me = await bot.me()
        await send(bot, answer_chat, result.message)
        await send(bot, answer_chat, deep_link(me.username, result.code))

    @r.message(Command("broadcast"))
    async def broadcast(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        caller = message_caller(message)
        [text] = await required(services, caller, command, "broadcast")
        result = await services.admin.broadcast(caller, text)
        await send(bot, message.chat.id, result.message)

    @r.message(Command("stats"))
    async def stats(message: TgMessage, bot: Bot, services: Services) -> None:
        result = await services.admin.stats(message_caller(message))
        await send(bot, message.chat.id, result.message)

    @r.message(Command("alerts_here"))
    async def alerts_here(message: TgMessage, command: CommandObject, bot: Bot, services: Services) -> None:
        result = await services.admin.alerts_here(message_caller(message), text_of(command) or "all")
        await send(bot, message.chat.id, result.message)

    @r.message(Command("alerts_off"))
    async def alerts_off(message: TgMessage, bot: Bot, services: Services) -> None:
        result = await services.admin.alerts_off(message_caller(message))
        await send(bot, message.chat.id, result.message)

    return r
