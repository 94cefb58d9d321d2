"""Who is calling, as the services see it (:class:`bot.services.context.Caller`), from an interaction."""

from __future__ import annotations

from typing import Any

import discord

from bot.services.container import Services
from bot.services.context import Actor, Caller


def caller_of(interaction: discord.Interaction[Any], *, private: bool = False) -> Caller:
    """The caller of an interaction.

    DMs are ``private`` chats (``chat_id`` = the DM channel); guild channels are ``channel`` chats.
    ``private=True`` is for answers only the caller can see wherever they were asked (the link modal):
    the "chat" is then the user's own DM identity, so attempt limits are per person, not per channel.
    """
    user_id = str(interaction.user.id)
    if private:
        return Caller(
            platform="discord",
            platform_user_id=user_id,
            chat_id=f"u{user_id}",
            chat_kind="private",
            locale=str(interaction.locale),
        )
    channel = interaction.channel
    channel_id = str(interaction.channel_id or (channel.id if channel is not None else user_id))
    in_dm = interaction.guild_id is None or isinstance(channel, discord.DMChannel)
    return Caller(
        platform="discord",
        platform_user_id=user_id,
        chat_id=channel_id,
        chat_kind="private" if in_dm else "channel",
        locale=str(interaction.locale),
    )


async def actor_of(
    services: Services, interaction: discord.Interaction[Any], *, private: bool = False
) -> Actor:
    """Who is calling, resolved once for the interaction (:meth:`Authz.resolve`, a read); in a DM the
        explicit step :meth:`Authz.wrote_privately` comes first (delivery to them resumes), and the locale is
    kept for the messages the bot writes first (:meth:`LanguageService.remember`)."""
    caller = caller_of(interaction, private=private)
    await services.authz.wrote_privately(caller)
    await services.language.remember(caller)
    return await services.authz.resolve(caller)
