"""Queries on ``users``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg

from bot.db.types import Executor
from bot.domain.emails import email_key
from bot.domain.numbers import parse_uint
from bot.domain.platforms import Platform
from bot.errors import ConflictError
from bot.i18n.catalogs import N_

Role = Literal["user", "admin"]

_USER_COLUMNS = (
    "id, email, name, role, telegram, discord, currency_preference, is_active, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    name: str | None
    role: Role
    telegram: str | None
    discord: str | None
    currency_preference: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def identity(self, platform: Platform) -> str | None:
        return self.telegram if platform == "telegram" else self.discord


INSERT_USER_SQL = f"""
INSERT INTO users (email, password_hash, name, role)
VALUES ($1, $2, $3, $4)
RETURNING {_USER_COLUMNS}
"""

GET_USER_BY_ID_SQL = f"SELECT {_USER_COLUMNS} FROM users WHERE id = $1"

# Emails are matched on minegnk_email_key (migration 0630): $1 is bot.domain.emails.email_key(typed).
GET_USER_BY_EMAIL_SQL = f"SELECT {_USER_COLUMNS} FROM users WHERE minegnk_email_key(email) = $1"

GET_USERS_BY_TELEGRAM_SQL = f"SELECT {_USER_COLUMNS} FROM users WHERE telegram = $1"
GET_USERS_BY_DISCORD_SQL = f"SELECT {_USER_COLUMNS} FROM users WHERE discord = $1"

GET_PASSWORD_HASH_SQL = "SELECT id, password_hash FROM users WHERE minegnk_email_key(email) = $1"

NEWEST_PASSWORD_HASH_SQL = "SELECT password_hash FROM users ORDER BY created_at DESC LIMIT 1"

SET_ROLE_SQL = f"UPDATE users SET role = $2 WHERE minegnk_email_key(email) = $1 RETURNING {_USER_COLUMNS}"

SET_ACTIVE_SQL = f"UPDATE users SET is_active = $2 WHERE id = $1 RETURNING {_USER_COLUMNS}"

SET_CURRENCY_SQL = f"UPDATE users SET currency_preference = $2 WHERE id = $1 RETURNING {_USER_COLUMNS}"

LINK_TELEGRAM_SQL = f"UPDATE users SET telegram = $2 WHERE id = $1 RETURNING {_USER_COLUMNS}"
LINK_DISCORD_SQL = f"UPDATE users SET discord = $2 WHERE id = $1 RETURNING {_USER_COLUMNS}"

UNLINK_TELEGRAM_SQL = f"UPDATE users SET telegram = NULL WHERE telegram = $1 RETURNING {_USER_COLUMNS}"
UNLINK_DISCORD_SQL = f"UPDATE users SET discord = NULL WHERE discord = $1 RETURNING {_USER_COLUMNS}"

_BY_PLATFORM = {"telegram": GET_USERS_BY_TELEGRAM_SQL, "discord": GET_USERS_BY_DISCORD_SQL}
_LINK = {"telegram": LINK_TELEGRAM_SQL, "discord": LINK_DISCORD_SQL}
_UNLINK = {"telegram": UNLINK_TELEGRAM_SQL, "discord": UNLINK_DISCORD_SQL}


def _user(row: asyncpg.Record | None) -> User | None:
    return None if row is None else User(**dict(row))


async def create_user(
    db: Executor, email: str, password_hash: str, *, name: str | None = None, role: Role = "user"
) -> User:
    """Insert a user; :class:`ConflictError` when the email (case-insensitively) exists."""
    try:
        row = await db.fetchrow(INSERT_USER_SQL, email.strip(), password_hash, name, role)
    except asyncpg.UniqueViolationError:
        raise ConflictError(
            N_("A user with the email {email} already exists."), email=email.strip()
        ) from None
    assert row is not None
    return User(**dict(row))


async def get_user(db: Executor, user_id: UUID) -> User | None:
    return _user(await db.fetchrow(GET_USER_BY_ID_SQL, user_id))


async def get_user_by_email(db: Executor, email: str) -> User | None:
    return _user(await db.fetchrow(GET_USER_BY_EMAIL_SQL, email_key(email)))


async def get_user_by_identity(db: Executor, platform: Platform, identity: str) -> User | None:
    return _user(await db.fetchrow(_BY_PLATFORM[platform], identity))


async def get_password_hash(db: Executor, email: str) -> tuple[UUID, str] | None:
    row = await db.fetchrow(GET_PASSWORD_HASH_SQL, email_key(email))
    return None if row is None else (row["id"], row["password_hash"])


async def newest_password_cost(db: Executor) -> int | None:
    """The bcrypt cost of the newest account's hash (``$2b$12$...`` -> 12), ``None`` when unknown."""
    stored: str | None = await db.fetchval(NEWEST_PASSWORD_HASH_SQL)
    parts = (stored or "").split("$")
    cost = parse_uint(parts[2]) if len(parts) > 3 and parts[1] in ("2a", "2b", "2y") else None
    return cost if cost is not None and 4 <= cost <= 31 else None


async def set_role(db: Executor, email: str, role: Role) -> User | None:
    return _user(await db.fetchrow(SET_ROLE_SQL, email_key(email), role))


async def set_active(db: Executor, user_id: UUID, active: bool) -> User | None:
    return _user(await db.fetchrow(SET_ACTIVE_SQL, user_id, active))


async def set_currency(db: Executor, user_id: UUID, currency: str) -> User | None:
    return _user(await db.fetchrow(SET_CURRENCY_SQL, user_id, currency))


async def link_identity(db: Executor, user_id: UUID, platform: Platform, identity: str) -> User:
    """Store the platform user id; :class:`ConflictError` when it is linked to another user."""
    try:
        row = await db.fetchrow(_LINK[platform], user_id, identity)
    except asyncpg.UniqueViolationError:
        raise ConflictError(
            N_("This {platform} account is already linked to another MineGNK account."),
            platform=platform.capitalize(),
        ) from None
    if row is None:
        raise ConflictError(N_("That MineGNK account no longer exists."))
    return User(**dict(row))


async def unlink_identity(db: Executor, platform: Platform, identity: str) -> User | None:
    return _user(await db.fetchrow(_UNLINK[platform], identity))
