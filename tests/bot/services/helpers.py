"""Shared set-up for service tests: users, identities and callers on a real database."""

from __future__ import annotations

from bot.config import Config
from bot.db import users as users_db
from bot.db.types import Pool
from bot.services.container import Services
from bot.services.context import Caller, ChatKind, Platform
from bot.services.provisioning import add_user

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
