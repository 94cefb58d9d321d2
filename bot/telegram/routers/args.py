"""Argument helpers shared by the routers: the text after a command, and usage refusals."""

from __future__ import annotations

from aiogram.filters import CommandObject

from bot.errors import UsageError
from bot.services.commands import BY_NAME, usage
from bot.services.container import Services
from bot.services.context import Caller


def text_of(command: CommandObject) -> str:
    return (command.args or "").strip()


async def required(
    services: Services, caller: Caller, command: CommandObject, name: str, count: int = 1
) -> list[str]:
    """The first ``count`` words (the last one takes the rest), or the command's usage.

    Who may run it is checked first, so an outsider hears "not linked" / "admins only" (audited),
    never the usage of an admin command.
    """
    words = text_of(command).split(maxsplit=count - 1) if count else []
    if len(words) < count:
        if BY_NAME[name].audience == "admin":
            await services.authz.require_admin(caller, name)
        elif BY_NAME[name].audience == "linked":
            await services.authz.require_linked(caller)
        raise UsageError(usage(name))
    return words
