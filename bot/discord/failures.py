"""The one error path of the Discord frontend (``tree.on_error`` and every button and modal).

A :class:`bot.errors.UserError` is answered with its message in the user's language
(:func:`bot.services.errors.refusal`), ephemerally; anything else gets a short apology and a logged
traceback. The interaction is always answered: by the response when none was
sent yet, else by an ephemeral follow-up.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.discord.caller import caller_of
from bot.discord.replies import Reply, deliver, plain, to_outgoing
from bot.errors import UserError
from bot.i18n.catalogs import ENGLISH, N_, Translator
from bot.render.message import Message
from bot.services.errors import refusal
from bot.services.language import LanguageService

log = logging.getLogger(__name__)

APOLOGY = N_("Sorry, something went wrong on our side. It has been logged; please try again in a minute.")
OUT_OF_DATE = N_("This command has just been updated. Please try again in a minute.")


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, (app_commands.CommandInvokeError, app_commands.TransformerError)):
        cause = error.__cause__ if isinstance(error, app_commands.TransformerError) else error.original
        if cause is None:
            break
        error = cause
    return error


def describe(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    return str(data.get("custom_id") or data.get("name") or interaction.type.name)


def user_text(error: BaseException, t: Translator = ENGLISH) -> Message | None:
    """What to tell the user in ``t``'s language, or None when it is our fault (log it and apologise)."""
    if isinstance(error, UserError):
        return refusal(error, t)
    if isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
        return plain(t(OUT_OF_DATE))
    if isinstance(error, app_commands.TransformerError):
        return plain(t("“{value}” is not a valid value for that option.", value=error.value))
    if isinstance(error, app_commands.CheckFailure):
        return plain(t("You may not use this command here."))
    return None


async def report_error(
    interaction: discord.Interaction[Any], error: BaseException, language: LanguageService | None = None
) -> None:
    """Tell the user what went wrong, in their language (``language``: their saved choice, else
    Discord's locale; without it, English)."""
    cause = unwrap(error)
    t = ENGLISH if language is None else await language.translator_or_locale(caller_of(interaction))
    reply = user_text(cause, t)
    where = describe(interaction)
    extra = {"platform": "discord", "chat": str(interaction.channel_id), "user": str(interaction.user.id)}
    if reply is None:
        log.error("%s failed for user %s", where, interaction.user.id, exc_info=cause, extra=extra)
        reply = plain(t(APOLOGY))
    else:
        log.info("%s refused: %s", where, type(cause).__name__, extra=extra)
    await send_notice(interaction, reply)


async def send_notice(interaction: discord.Interaction[Any], text: str | Message) -> None:
    """An ephemeral notice as the response, or as a follow-up when the response was already sent."""
    notice = plain(text) if isinstance(text, str) else text
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
            return
        if interaction.response.is_done():
            for part in to_outgoing(notice):
                await interaction.followup.send(embeds=part.embeds, ephemeral=True)
        else:
            await deliver(interaction, Reply(notice))
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError, RuntimeError):
        # RuntimeError: the client's HTTP session closed under us (shutdown)
        log.exception("could not answer interaction %s", interaction.id, extra={"platform": "discord"})
