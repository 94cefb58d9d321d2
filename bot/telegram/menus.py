"""The command menus (``setMyCommands``): user commands for everyone, admin commands only in admins' chats;
each in English (no ``language_code``: every language without its own) and once per other language
(``language_code``), so a Russian or Chinese Telegram shows the descriptions in its language."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import Config
from bot.db import admins as admins_db
from bot.db.types import Pool
from bot.i18n.catalogs import DEFAULT_LANGUAGE, Catalogs, Translator
from bot.services.commands import CommandSpec
from bot.services.context import Caller
from bot.services.help import HelpService, commands_for

log = logging.getLogger(__name__)


def bot_commands(specs: tuple[CommandSpec, ...], t: Translator | None = None) -> list[BotCommand]:
    return [BotCommand(command=c.name, description=t(c.description) if t else c.description) for c in specs]


class CommandMenus:
    def __init__(self, pool: Pool, config: Config, help_service: HelpService, catalogs: Catalogs) -> None:
        self._pool = pool
        self._config = config
        self._help = help_service
        self._catalogs = catalogs

    def _languages(self) -> list[tuple[str | None, Translator]]:
        """``(language_code, translator)``: English as the default menu, then one per other language."""
        return [(None if t.language == DEFAULT_LANGUAGE else t.language, t) for t in self._catalogs]

    async def _set(
        self, bot: Bot, specs: tuple[CommandSpec, ...], scope: BotCommandScopeDefault | BotCommandScopeChat
    ) -> None:
        for code, t in self._languages():
            await bot.set_my_commands(bot_commands(specs, t), scope=scope, language_code=code)

    async def admin_chats(self) -> list[int]:
        """Admins' private chats (config ids and linked admin accounts) and the admin alert chats."""
        ids = {int(i) for i in await admins_db.admin_identities(self._pool, "telegram")}
        ids.update(self._config.telegram.admin_ids)
        ids.update(self._config.alerts.admin_telegram_chat_ids)
        return sorted(ids)

    async def install(self, bot: Bot) -> None:
        """The default menu (anyone + linked) and the full one in every admin chat."""
        await self._set(bot, commands_for("linked"), BotCommandScopeDefault())
        admin = commands_for("admin")
        for chat_id in await self.admin_chats():
            try:
                await self._set(bot, admin, BotCommandScopeChat(chat_id=chat_id))
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
            await self._set(bot, commands_for("admin"), scope)
        else:
            for code, _ in self._languages():
                with contextlib.suppress(TelegramAPIError):
                    await bot.delete_my_commands(scope=scope, language_code=code)
