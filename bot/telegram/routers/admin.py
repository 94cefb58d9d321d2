"""Admin commands: ``/assign /unassign /requests /request_set /user /linkcode /broadcast /stats
/alerts_here /alerts_off``. Who may run them is the services' decision (refusals are audited there).
Commands whose answer holds a code, an email or request details send it to ``answer_chat`` (the
sender's private chat when typed in a group: :mod:`bot.telegram.private_answers`)."""

from __future__ import annotations

import re

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message as TgMessage

from bot.errors import NotFoundError
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Message, Span
from bot.services.admin import ChatLookup
from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.replies import send
from bot.telegram.routers.args import text_of


def deep_link(bot_username: str | None, code: str, t: Translator) -> Message:
    """The ``t.me`` link that links in one tap (Telegram's ``/start <code>``)."""
    payload = code.replace("-", "")
    url = f"https://t.me/{bot_username}?start={payload}"
    return Message(lines=((Span(text=t("Or open:") + " "), Span(text=url, style="link", url=url)),))


_CHAT_ID = re.compile(r"-\d{1,20}")
_CHAT_NAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


def chat_reference(args: str) -> tuple[str | None, str | None]:
    """``/alerts_here [@channel | -100…] [scope]``: the chat named (if any) and the rest."""
    head, _, rest = args.strip().partition(" ")
    if _CHAT_ID.fullmatch(head) or _CHAT_NAME.fullmatch(head):
        return head, rest.strip() or None
    return None, args.strip() or None


def chat_lookup(bot: Bot, user_id: int) -> ChatLookup:
    """Asks Telegram for the chat named and the caller's role in it (getChat, getChatMember)."""

    async def lookup(target: str) -> tuple[str, str, bool]:
        try:
            chat = await bot.get_chat(target if target.startswith("@") else int(target))
            member = await bot.get_chat_member(chat.id, user_id)
        except (TelegramBadRequest, TelegramForbiddenError):
            raise NotFoundError(
                N_("I cannot see {target}. Add me to it (to a channel as an administrator), then try again."),
                target=target,
            ) from None
        return str(chat.id), chat.title or target, member.status in ("creator", "administrator")

    return lookup


def router() -> Router:
    r = Router(name="admin")

    @r.message(Command("assign"))
    async def assign(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "assign", text_of(command))
        result = await services.admin.assign(actor, a["email"], a["identifier"], a.get("type"), a.get("name"))
        await send(bot, answer_chat, result.message)

    @r.message(Command("unassign"))
    async def unassign(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "unassign", text_of(command))
        result = await services.admin.unassign(actor, a["email"], a["identifier"])
        await send(bot, answer_chat, result.message)

    @r.message(Command("requests"))
    async def requests(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "requests", text_of(command))
        result = await services.requests.list_requests(actor, a.get("status", "open"))
        await send(bot, answer_chat, result.message)

    @r.message(Command("request_set"))
    async def request_set(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "request_set", text_of(command))
        result = await services.requests.set_status(actor, a["number"], a["status"], a.get("notes"))
        await send(bot, answer_chat, result.message)

    @r.message(Command("user"))
    async def user(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "user", text_of(command))
        result = await services.admin.user_info(actor, a["email"])
        await send(bot, answer_chat, result.message)

    @r.message(Command("linkcode"))
    async def linkcode(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        a = await services.arguments.text(actor, "linkcode", text_of(command))
        result = await services.admin.link_code(actor, a["email"])
        me = await bot.me()
        await send(bot, answer_chat, result.message)
        await send(
            bot, answer_chat, deep_link(me.username, result.code, await services.language.translator(actor))
        )

    @r.message(Command("broadcast"))
    async def broadcast(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        a = await services.arguments.text(actor, "broadcast", text_of(command))
        result = await services.admin.broadcast(actor, a["text"])
        await send(bot, message.chat.id, result.message)

    @r.message(Command("stats"))
    async def stats(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        result = await services.admin.stats(actor)
        await send(bot, message.chat.id, result.message)

    @r.message(Command("alerts_here"))
    async def alerts_here(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        target, rest = chat_reference(text_of(command))
        a = await services.arguments.text(actor, "alerts_here", rest or "")
        if target is None:
            result = await services.admin.alerts_here(actor, a.get("scope", "all"))
        else:  # a channel (or group) named from here: Telegram says whether the caller administers it
            user_id = message.from_user.id if message.from_user is not None else message.chat.id
            result = await services.admin.alerts_to(
                actor, target, a.get("scope", "all"), chat_lookup(bot, user_id)
            )
        await send(bot, message.chat.id, result.message)

    @r.message(Command("alerts_off"))
    async def alerts_off(
        message: TgMessage, command: CommandObject, bot: Bot, services: Services, actor: Actor
    ) -> None:
        target, _ = chat_reference(text_of(command))
        chat_id = None
        if target is not None:
            user_id = message.from_user.id if message.from_user is not None else message.chat.id
            chat_id, _title, _admin = await chat_lookup(bot, user_id)(target)
        result = await services.admin.alerts_off(actor, chat_id)
        await send(bot, message.chat.id, result.message)

    @r.channel_post(Command("alerts_here", "alerts_off"))
    async def in_a_channel(message: TgMessage, bot: Bot, services: Services) -> None:
        # a channel post has no sender: who is asking is unknown, so the admin names the channel from
        # a private chat, where Telegram can say whether they administer it. A channel speaks English.
        t = services.language.catalogs.translator(None)
        me = await bot.me()
        chat = (message.chat.username and f"@{message.chat.username}") or str(message.chat.id)
        text = t(
            "Channel posts do not say who wrote them. To route alerts here, an admin of the bot who "
            "administers this channel sends @{bot} in a private chat: /alerts_here {chat} "
            "(or /alerts_off {chat}).",
            bot=me.username,
            chat=chat,
        )
        await send(bot, message.chat.id, Message.text(text, title=t("Alerts in a channel")))

    return r
