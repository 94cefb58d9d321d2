"""What the platforms tell the bot about its chats, with nobody asking: the bot was added back to a
group or channel (or unblocked), removed from one, or a Telegram group became a supergroup with a new
id. Routes and the outbox follow, so a chat that comes back gets its alerts again and a migrated group
keeps receiving them."""

from __future__ import annotations

import logging

from bot.db import outbox_claims as claims_db
from bot.db import routes as routes_db
from bot.db.routes import Scope
from bot.db.types import Pool
from bot.domain.platforms import Platform

log = logging.getLogger(__name__)


class ChatsService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def bot_added(self, platform: Platform, chat_id: str) -> bool:
        """The bot is in the chat again (or the user unblocked it): send there again. True when the
        chat had been disabled."""
        reenabled = await claims_db.enable_target(self._pool, platform, chat_id)
        if reenabled:
            log.info("chat re-enabled: the bot is back in it", extra={"platform": platform, "chat": chat_id})
        return reenabled

    async def bot_removed(self, platform: Platform, chat_id: str, why: str) -> None:
        """The bot was removed (or blocked): its rows fail unsent instead of a refused call each."""
        await claims_db.disable_target(self._pool, platform, chat_id, why, 403)
        log.info("chat disabled: %s", why, extra={"platform": platform, "chat": chat_id})

    async def chat_moved(self, platform: Platform, old_chat_id: str, new_chat_id: str) -> Scope | None:
        """The chat has a new id: its route and its undelivered notifications go there."""
        async with self._pool.acquire() as conn, conn.transaction():
            scope = await routes_db.move_route(conn, platform, old_chat_id, new_chat_id)
            moved = await claims_db.retarget(conn, platform, old_chat_id, new_chat_id)
        log.info(
            "chat moved to %s: route %s, %d undelivered notifications follow",
            new_chat_id,
            scope or "none",
            moved,
            extra={"platform": platform, "chat": old_chat_id},
        )
        return scope
