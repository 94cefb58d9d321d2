"""Shared set-up for service tests: users, identities and callers on a real database."""

from __future__ import annotations

from uuid import UUID

from bot.config import Config
from bot.db import users as users_db
from bot.db.types import Pool
from bot.domain.identifiers import bech32_encode
from bot.render import discord as discord_render
from bot.render import telegram as telegram_render
from bot.render.message import Message
from bot.services.container import Services
from bot.services.context import Caller, ChatKind, Platform
from bot.services.provisioning import add_user, assign_node

WALLET = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"
WALLET2 = "gonka1d8ulnhaa8fz9tmdjvnp3vglfm2gegv8jgwf4ha"


def caller(
    uid: str = "1001", *, platform: Platform = "telegram", chat: str | None = None, kind: ChatKind = "private"
) -> Caller:
    return Caller(platform=platform, platform_user_id=uid, chat_id=chat or uid, chat_kind=kind)


async def make_user(
    pool: Pool,
    email: str,
    *,
    password: str = "pw-secret",
    admin: bool = False,
    telegram: str | None = None,
    discord: str | None = None,
) -> users_db.User:
    user = await add_user(pool, email, password, admin=admin, rounds=4)
    if telegram:
        user = await users_db.link_identity(pool, user.id, "telegram", telegram)
    if discord:
        user = await users_db.link_identity(pool, user.id, "discord", discord)
    return user


def services(pool: Pool, config: Config) -> Services:
    return Services.build(pool, config)


async def give_node(
    pool: Pool, email: str, identifier: str, name: str | None = None, *, status: str | None = None
) -> UUID:
    """Assign a node to the user (creating it) and optionally give it a cached status."""
    _, assignment = await assign_node(pool, email, identifier, display_name=name)
    if status is not None:
        await pool.execute(
            "INSERT INTO node_stats_cache (node_id, status, earnings_day, uptime_percent, source)"
            " VALUES ($1, $2, 1.5, 99.5, 'hyperfusion')"
            " ON CONFLICT (node_id) DO UPDATE SET status = EXCLUDED.status",
            assignment.node.id,
            status,
        )
    return assignment.node.id


def wallet(n: int) -> str:
    """A valid, distinct gonka1… address for test node ``n``."""
    return bech32_encode("gonka", n.to_bytes(20, "big"))


def assert_renders(message: Message) -> None:
    """The message renders on both platforms within limits and no button is dropped."""
    chunks = telegram_render.render(message)
    assert chunks and all(telegram_render.utf16_len(c.text) <= telegram_render.TEXT_LIMIT for c in chunks)
    payloads = discord_render.render(message)
    assert payloads
    rows = [r for r in message.buttons if r]
    assert len(rows) <= discord_render.ROWS_LIMIT
    assert all(len(r) <= discord_render.BUTTONS_PER_ROW for r in rows)
    sent_rows = sum(len(p.components) for p in payloads)
    assert sent_rows == len(rows)
