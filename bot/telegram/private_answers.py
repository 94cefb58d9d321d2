"""Answers that hold a code, an email or request details go to the caller's private chat (SPEC §6).

Which commands those are is :attr:`bot.services.commands.CommandSpec.private_only` (Discord reads the
same flag to answer ephemerally). Typed in a group, such a command is answered in the sender's private
chat and the group is told so; when the bot cannot write to them privately (they never opened a chat
with it) the group is told that instead, and nothing private is shown there.

Handlers of those commands send to ``answer_chat`` (workflow data set by :class:`PrivateAnswers`),
and their conversation state (the ``/request`` form) lives in the private chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import Message as TgMessage
from aiogram.types import TelegramObject

from bot.errors import UserError
from bot.i18n.catalogs import N_, Translator
from bot.services.commands import BY_NAME
from bot.services.container import Services
from bot.telegram.context import message_caller
from bot.telegram.replies import send_text

log = logging.getLogger(__name__)

ANSWERED_PRIVATELY = N_("I answered you in a private chat.")
CANNOT_DM = N_(
    "I can't message you privately yet. Open a private chat with me{bot}, press Start, "
    "then send the command again."
)


def command_of(message: TgMessage) -> str | None:
    """``/linkcode@bot a@b.c`` -> ``linkcode``; ``None`` for anything that is not a command."""
    text = message.text or ""
    if not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


def is_redirected(message: TgMessage) -> bool:
    """A private-only command typed outside a private chat, by a person (its answer goes privately)."""
    spec = BY_NAME.get(command_of(message) or "")
    return (
        spec is not None
        and spec.private_only
        and message.chat.type != "private"
        and message.from_user is not None
    )


def answer_chat(message: TgMessage) -> int:
    """Where the answer to ``message`` goes: the sender's private chat for a redirected command."""
    if is_redirected(message):
        assert message.from_user is not None
        return message.from_user.id
    return message.chat.id


async def tell_origin(bot: Bot, message: TgMessage, *, delivered: bool, t: Translator | None = None) -> None:
    """Tell the group where the answer went (or that it could not be sent privately), in the
    sender's language (``t``; English without one)."""
    if delivered:
        text = t(ANSWERED_PRIVATELY) if t else ANSWERED_PRIVATELY
    else:
        me = await bot.me()
        mention = f" (@{me.username})" if me.username else ""
        text = t(CANNOT_DM, bot=mention) if t else CANNOT_DM.format(bot=mention)
    try:
        await send_text(bot, message.chat.id, text)
    except TelegramAPIError as exc:
        log.warning(
            "could not tell the group where its answer went: %s",
            exc,
            extra={"platform": "telegram", "chat": message.chat.id},
        )


class PrivateAnswers(BaseMiddleware):
    """Sets ``answer_chat`` for every message; for a redirected command also the private chat's FSM
    state, and after the handler tells the group (a refusal is told by the error handler)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, TgMessage) or not is_redirected(event):
            if isinstance(event, TgMessage):
                data["answer_chat"] = event.chat.id
            return await handler(event, data)
        bot: Bot = data["bot"]
        services: Services = data["services"]
        t = await services.language.translator(message_caller(event))
        private = answer_chat(event)
        data["answer_chat"] = private
        storage: BaseStorage | None = data.get("fsm_storage")
        if storage is not None:
            key = StorageKey(bot_id=bot.id, chat_id=private, user_id=private)
            data["state"] = FSMContext(storage=storage, key=key)
            data["raw_state"] = await data["state"].get_state()
        try:
            result = await handler(event, data)
        except TelegramForbiddenError:
            log.info(
                "cannot answer %s privately: the user has no private chat with the bot",
                command_of(event),
                extra={"platform": "telegram", "chat": event.chat.id},
            )
            await tell_origin(bot, event, delivered=False, t=t)
            return None
        except UserError:
            raise  # answered privately by the error handler, which tells the group
        await tell_origin(bot, event, delivered=True, t=t)
        return result
