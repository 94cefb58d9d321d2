"""What Telegram reports about the bot's chats: it was added back to a group or channel (or a user
unblocked it), removed from one, or a group became a supergroup (``migrate_to_chat_id``)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated
from aiogram.types import Message as TgMessage

from bot.services.container import Services

PRESENT = ("member", "administrator", "creator")
GONE = ("left", "kicked")


def router() -> Router:
    r = Router(name="membership")

    @r.my_chat_member()
    async def bot_membership(update: ChatMemberUpdated, services: Services) -> None:
        chat_id = str(update.chat.id)
        status = update.new_chat_member.status
        if status in PRESENT:
            await services.chats.bot_added("telegram", chat_id)
        elif status in GONE:
            await services.chats.bot_removed(
                "telegram", chat_id, f"the bot was {status} ({update.chat.type})"
            )

    @r.message(F.migrate_to_chat_id)
    async def migrated(message: TgMessage, services: Services) -> None:
        assert message.migrate_to_chat_id is not None
        await services.chats.chat_moved("telegram", str(message.chat.id), str(message.migrate_to_chat_id))

    return r
