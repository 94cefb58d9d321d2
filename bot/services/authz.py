"""Authorisation in one place: who the caller is (anonymous, linked user, admin) and what they may do.

* **anonymous**: an identity with no linked active account; may run ``/start``, ``/help``, ``/link``,
  ``/whoami``.
* **linked**: an active portal user linked to this platform identity; may run the user commands, and
  sees only the nodes in ``user_nodes`` for them (ownership is enforced by the services querying
  through :class:`LinkedActor`; a node of someone else is "not found", exactly like a missing one).
* **admin**: a linked active user with ``role = 'admin'``, or a platform id in ``telegram.admin_ids``
  / ``discord.admin_ids`` (an admin without a portal account: audit rows carry no actor user id).

Every admin operation calls :meth:`Authz.require_admin`, which writes the refused attempt to the
audit log before raising; the services write the successful ones.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Config
from bot.db import audit as audit_db
from bot.db import users as users_db
from bot.db.audit import Outcome
from bot.db.outbox_claims import enable_target
from bot.db.types import Executor, Pool
from bot.errors import NotLinkedError
from bot.i18n.catalogs import N_
from bot.services.context import Actor, Caller, LinkedActor, Who
from bot.services.errors import AccountDeactivatedError, AdminOnlyError

log = logging.getLogger(__name__)

NOT_LINKED_TEXT = N_(
    "You have not linked your MineGNK account yet. Send /link CODE with the code from the portal "
    "(or /link EMAIL PASSWORD in a private chat)."
)
DEACTIVATED_TEXT = N_("Your MineGNK account is deactivated. Contact support to reactivate it.")
ADMIN_ONLY_TEXT = N_("That command is for MineGNK admins only.")


class Authz:
    def __init__(self, pool: Pool, config: Config) -> None:
        self._pool = pool
        self._admin_ids = {
            "telegram": {str(i) for i in config.telegram.admin_ids},
            "discord": {str(i) for i in config.discord.admin_ids},
        }

    def is_config_admin(self, caller: Caller) -> bool:
        return caller.platform_user_id in self._admin_ids[caller.platform]

    async def resolve(self, who: Who, db: Executor | None = None) -> Actor:
        """Who is calling, read from the database (a read only: resolving changes nothing).

        A deactivated account resolves as anonymous with ``deactivated``. An :class:`Actor` is returned
        as it is: a frontend resolves once per update and hands the actor to every service it calls.
        """
        if isinstance(who, Actor):
            return who
        user = await users_db.get_user_by_identity(db or self._pool, who.platform, who.platform_user_id)
        config_admin = self.is_config_admin(who)
        if user is not None and not user.is_active:
            return Actor(caller=who, user=None, is_admin=config_admin, deactivated=True)
        if user is None:
            return Actor(caller=who, user=None, is_admin=config_admin)
        return LinkedActor(caller=who, user=user, is_admin=config_admin or user.is_admin)

    async def wrote_privately(self, caller: Caller) -> bool:
        """The explicit step each frontend takes once for an update from a private chat: a person
        writing to the bot can be messaged again, so if delivery had disabled them (they blocked the
        bot, or closed their DMs) they are re-enabled, for both platforms, and their alerts resume.
        True when they had been disabled."""
        if caller.chat_kind != "private":
            return False
        enabled = await enable_target(self._pool, caller.platform, caller.platform_user_id)
        if enabled:
            log.info(
                "delivery re-enabled: the user wrote to the bot again",
                extra={"platform": caller.platform, "user": caller.platform_user_id},
            )
        return enabled

    async def require_linked(self, who: Who, db: Executor | None = None) -> LinkedActor:
        """The linked active user, else :class:`NotLinkedError` / :class:`AccountDeactivatedError`."""
        actor = await self.resolve(who, db)
        if isinstance(actor, LinkedActor):
            return actor
        if actor.deactivated:
            raise AccountDeactivatedError(DEACTIVATED_TEXT)
        raise NotLinkedError(NOT_LINKED_TEXT)

    async def require_admin(self, who: Who, action: str, target: str | None = None) -> Actor:
        """The admin actor, else audit the refusal and raise :class:`AdminOnlyError`."""
        actor = await self.resolve(who)
        caller = actor.caller
        if actor.is_admin:
            return actor
        await self.audit(actor, action, target, "refused", {"reason": "not an admin"})
        log.warning(
            "refused admin command %s from %s:%s",
            action,
            caller.platform,
            caller.platform_user_id,
            extra={"platform": caller.platform, "chat": caller.chat_id},
        )
        raise AdminOnlyError(ADMIN_ONLY_TEXT)

    async def audit(
        self,
        actor: Actor,
        action: str,
        target: str | None,
        outcome: Outcome,
        details: dict[str, Any] | None = None,
        db: Executor | None = None,
    ) -> None:
        await audit_db.record(
            db or self._pool,
            actor_user_id=None if actor.user is None else actor.user.id,
            platform=actor.caller.platform,
            platform_user_id=actor.caller.platform_user_id,
            chat_id=actor.caller.chat_id,
            action=action,
            target=target,
            outcome=outcome,
            details=details,
        )
