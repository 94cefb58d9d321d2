"""Queries on ``link_codes``: one-time codes stored as SHA-256 hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class LinkCode:
    id: UUID
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


_COLUMNS = "id, user_id, created_at, expires_at, used_at"

INSERT_LINK_CODE_SQL = f"""
INSERT INTO link_codes (user_id, code_hash, created_by, expires_at)
VALUES ($1, $2, $3, now() + make_interval(secs => $4))
RETURNING {_COLUMNS}
"""

GET_LINK_CODE_SQL = f"SELECT {_COLUMNS} FROM link_codes WHERE code_hash = $1"

# Marks the code used only if it is still unused and unexpired; returns nothing otherwise.
CONSUME_LINK_CODE_SQL = f"""
UPDATE link_codes SET used_at = now(), used_platform = $2, used_identity = $3
WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING {_COLUMNS}
"""


async def insert_link_code(
    db: Executor, user_id: UUID, code_hash: str, ttl_s: float, created_by: UUID | None = None
) -> LinkCode:
    row = await db.fetchrow(INSERT_LINK_CODE_SQL, user_id, code_hash, created_by, float(ttl_s))
    assert row is not None
    return LinkCode(**dict(row))


async def get_link_code(db: Executor, code_hash: str) -> LinkCode | None:
    row = await db.fetchrow(GET_LINK_CODE_SQL, code_hash)
    return None if row is None else LinkCode(**dict(row))


async def consume_link_code(db: Executor, code_hash: str, platform: str, identity: str) -> LinkCode | None:
    row = await db.fetchrow(CONSUME_LINK_CODE_SQL, code_hash, platform, identity)
    return None if row is None else LinkCode(**dict(row))
