"""Who gets a service notification: admin channels (routes + config) and a user's linked platforms."""

from __future__ import annotations

from bot.config import Config
from bot.db import routes as routes_db
from bot.db.outbox import NewNotification
from bot.db.types import Executor
from bot.db.users import User
from bot.domain.platforms import Platform, Target
from bot.render.message import Message


async def admin_channels(db: Executor, config: Config, scopes: list[str]) -> list[Target]:
    """Routes whose scope is in ``scopes`` plus the configured admin chats, each once."""
    seen: dict[tuple[str, str], Target] = {}
    for chat in config.alerts.admin_telegram_chat_ids:
        seen[("telegram", str(chat))] = Target("telegram", "channel", str(chat))
    for chan in config.alerts.admin_discord_channel_ids:
        seen[("discord", str(chan))] = Target("discord", "channel", str(chan))
    for route in await routes_db.list_routes(db, scopes):
        platform: Platform = "telegram" if route.platform == "telegram" else "discord"
        seen.setdefault((route.platform, route.chat_id), Target(platform, "channel", route.chat_id))
    return list(seen.values())


def user_targets(user: User, *, skip: tuple[str, str] | None = None) -> list[Target]:
    """Each platform the user linked (none when deactivated); ``skip`` one ``(platform, id)``."""
    if not user.is_active:
        return []
    out: list[Target] = []
    if user.telegram and skip != ("telegram", user.telegram):
        out.append(Target("telegram", "user", user.telegram))
    if user.discord and skip != ("discord", user.discord):
        out.append(Target("discord", "user", user.discord))
    return out


def notifications(
    targets: list[Target], kind: str, message: Message, dedup_prefix: str
) -> list[NewNotification]:
    return [
        NewNotification(
            platform=t.platform,
            target_kind=t.kind,
            target_id=t.target_id,
            kind=kind,
            message=message,
            dedup_key=f"{dedup_prefix}:{t.platform}:{t.kind}:{t.target_id}"[:255],
        )
        for t in targets
    ]
