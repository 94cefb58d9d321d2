"""Creating users, roles, link codes and node assignments.

Used by the CLI and by the admin service; the admin service adds authorisation and the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from bot.db import audit as audit_db
from bot.db import link_codes as link_codes_db
from bot.db import nodes as nodes_db
from bot.db import users as users_db
from bot.db.types import Pool
from bot.domain.identifiers import IdentifierType, parse_identifier
from bot.domain.secrets import hash_link_code, hash_password, new_link_code
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n.catalogs import N_

_EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[^@\s<>.]{2,63}$")
MAX_DISPLAY_NAME = 100


def validate_email(email: str) -> str:
    cleaned = (email or "").strip()
    if not _EMAIL.match(cleaned) or len(cleaned) > 255:
        raise InvalidInputError(N_("That is not a valid email address."))
    return cleaned


def validate_display_name(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned:
        return None
    if len(cleaned) > MAX_DISPLAY_NAME or any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInputError(
            N_("The node name must be at most {count} printable characters."), count=MAX_DISPLAY_NAME
        )
    return cleaned


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    user: users_db.User
    expires_at: datetime


async def add_user(
    pool: Pool, email: str, password: str, *, admin: bool = False, name: str | None = None, rounds: int = 12
) -> users_db.User:
    email = validate_email(email)
    password_hash = await hash_password(password, rounds)
    return await users_db.create_user(
        pool, email, password_hash, name=name, role="admin" if admin else "user"
    )


async def set_role(pool: Pool, email: str, role: users_db.Role) -> users_db.User:
    user = await users_db.set_role(pool, validate_email(email), role)
    if user is None:
        raise NotFoundError(N_("No user with the email {email}."), email=email.strip())
    return user


async def set_active(pool: Pool, email: str, active: bool) -> users_db.User:
    """Deactivate (no commands, no alerts, no linking) or re-activate an account; idempotent."""
    user = await require_user(pool, email)
    updated = await users_db.set_active(pool, user.id, active)
    if updated is None:  # deleted meanwhile
        raise NotFoundError(N_("No user with the email {email}."), email=email.strip())
    return updated


async def audit_cli(
    pool: Pool,
    operator: str,
    action: str,
    target: str,
    outcome: audit_db.Outcome,
    details: dict[str, Any] | None = None,
) -> None:
    """An operator's CLI action in the audit log (``platform = 'cli'``, the OS user as the actor)."""
    await audit_db.record(
        pool,
        actor_user_id=None,
        platform="cli",
        platform_user_id=operator[:100],
        chat_id=None,
        action=action,
        target=target,
        outcome=outcome,
        details=details,
    )


async def require_user(pool: Pool, email: str) -> users_db.User:
    user = await users_db.get_user_by_email(pool, validate_email(email))
    if user is None:
        raise NotFoundError(N_("No user with the email {email}."), email=email.strip())
    return user


async def issue_link_code(pool: Pool, email: str, ttl_s: float, created_by: UUID | None = None) -> IssuedCode:
    """A new single-use code for the user; only its hash is stored."""
    user = await require_user(pool, email)
    if not user.is_active:
        raise InvalidInputError(
            N_("The account {email} is deactivated; activate it before linking."), email=user.email
        )
    code = new_link_code()
    row = await link_codes_db.insert_link_code(pool, user.id, hash_link_code(code), ttl_s, created_by)
    return IssuedCode(code=code, user=user, expires_at=row.expires_at)


async def assign_node(
    pool: Pool,
    email: str,
    identifier: str,
    *,
    identifier_type: IdentifierType | None = None,
    display_name: str | None = None,
    assigned_by: UUID | None = None,
) -> tuple[users_db.User, nodes_db.Assignment]:
    """Link a node to a user, creating the node when new; idempotent."""
    ident = parse_identifier(identifier, identifier_type)
    name = validate_display_name(display_name)
    user = await require_user(pool, email)
    async with pool.acquire() as conn, conn.transaction():
        node, created = await nodes_db.upsert_node(conn, ident.value, ident.type, display_name=name)
        linked = await nodes_db.assign_node(conn, user.id, node.id, assigned_by)
    return user, nodes_db.Assignment(node=node, node_created=created, assignment_created=linked)
