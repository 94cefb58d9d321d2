"""The command menus (``setMyCommands``): user commands for everyone, admin commands only in admins' chats."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import Config
from bot.db import admins as admins_db
from bot.db.types import Pool
from bot.services.commands import CommandSpec
from bot.services.context import Caller
from bot.services.help import HelpService, commands_for

log = logging.getLogger(__name__)


def bot_commands(specs: tuple[CommandSpec, ...]) -> list[BotCommand]:
    return [BotCommand(command=c.name, description=c.description) for c in specs]


class CommandMenus:
    def __init__(self, pool: Pool, config: Config, help_service: HelpService) -> None:
        self._pool = pool
        self._config = config
        self._help = help_service

    async def admin_chats(self) -> list[int]:
        """Admins' private chats (config ids and linked admin accounts) and the admin alert chats."""
        ids = {int(i) for i in await admins_db.admin_identities(self._pool, "telegram")}
        ids.update(self._config.telegram.admin_ids)
        ids.update(self._config.alerts.admin_telegram_chat_ids)
        return sorted(ids)

    async def install(self, bot: Bot) -> None:
        """The default menu (anyone + linked) and the full one in every admin chat."""
        await bot.set_my_commands(bot_commands(commands_for("linked")), scope=BotCommandScopeDefault())
        admin = bot_commands(commands_for("admin"))
        for chat_id in await self.admin_chats():
            try:
                await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=chat_id))
            except TelegramAPIError as exc:  # a chat the bot cannot reach keeps the default menu
                log.warning(
                    "no admin menu for chat %s: %s",
                    chat_id,
                    exc,
                    extra={"platform": "telegram", "chat": chat_id},
                )

    async def refresh(self, bot: Bot, caller: Caller) -> None:
        """After a link or unlink: this private chat gets the admin menu, or falls back to the default."""
        if not caller.is_private:
            return
        tier = (await self._help.help(caller)).tier
        scope = BotCommandScopeChat(chat_id=int(caller.chat_id))
        if tier == "admin":
            await bot.set_my_commands(bot_commands(commands_for("admin")), scope=scope)
        else:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_my_commands(scope=scope)
