"""Who is calling: the platform identity and chat a command came from, and what it resolves to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.db.users import User
from bot.domain.platforms import Platform

ChatKind = Literal["private", "group", "channel"]


@dataclass(frozen=True, slots=True)
class Caller:
    """One command's origin as the frontend saw it. Ids are strings (Telegram ints, Discord snowflakes).

    ``chat_id`` is where the answer goes: the private chat / DM channel, or the group / channel.
    """

    platform: Platform
    platform_user_id: str
    chat_id: str
    chat_kind: ChatKind = "private"
    #: the platform's locale for this person (Telegram ``language_code``, Discord ``interaction.locale``)
    locale: str | None = None

    @property
    def is_private(self) -> bool:
        return self.chat_kind == "private"


@dataclass(frozen=True, slots=True)
class Actor:
    """A :class:`Caller` resolved against the database (see :meth:`bot.services.authz.Authz.resolve`).

    ``user`` is the active portal user linked to this platform identity (``None`` when anonymous);
    ``is_admin`` is true for an active linked user with ``role = 'admin'`` or for a platform id listed
    in ``telegram.admin_ids`` / ``discord.admin_ids``.
    """

    caller: Caller
    user: User | None
    is_admin: bool
    #: the identity is linked to a deactivated account (treated as anonymous, told why)
    deactivated: bool = False


@dataclass(frozen=True, slots=True)
class LinkedActor(Actor):
    """An :class:`Actor` whose ``user`` is known to be set (what :meth:`Authz.require_linked` returns)."""

    @property
    def me(self) -> User:
        assert self.user is not None
        return self.user


#: what a service operation takes: the frontend's :class:`Caller`, or the :class:`Actor` it already
#: resolved for this update (then nothing is looked up again)
Who = Caller | Actor


def caller_of(who: Who) -> Caller:
    return who.caller if isinstance(who, Actor) else who
