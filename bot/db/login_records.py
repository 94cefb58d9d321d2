"""Queries on ``login_records``: every link attempt; failures drive the brute-force limits.

An attempt is inserted *before* it is checked (reason ``pending``, counted as a failure) and finished
afterwards. Limits count the other attempts in the window, in-flight ones included, so concurrent
attempts cannot all slip under the limit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from bot.db.types import Executor
from bot.domain.emails import email_key

Method = Literal["code", "password"]

#: refusals because of the limit itself are recorded but do not extend the lockout
RATE_LIMITED = "rate_limited"
PENDING = "pending"
#: a valid deep-link code shown for confirmation: recorded, not a failure (the code was right)
CONFIRM_ASKED = "confirm_asked"

INSERT_LOGIN_RECORD_SQL = """
INSERT INTO login_records (platform, platform_user_id, chat_id, email, user_id, method, success, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
"""

FINISH_LOGIN_RECORD_SQL = """
UPDATE login_records SET success = $2, reason = $3, user_id = coalesce($4, user_id) WHERE id = $1
"""

#: the failures the limits count: not refusals of the limit itself, nor a valid code shown for confirmation
_COUNTED = f"NOT success AND coalesce(reason, '') NOT IN ('{RATE_LIMITED}', '{CONFIRM_ASKED}')"

# The max-th most recent other counted failure in the window: when it leaves, one more try is allowed.
CHAT_BLOCKING_FAILURE_SQL = f"""
SELECT created_at FROM login_records
WHERE platform = $1 AND chat_id = $2 AND {_COUNTED}
  AND created_at > now() - make_interval(secs => $3) AND id <> $5
ORDER BY created_at DESC OFFSET $4 - 1 LIMIT 1
"""

# The same per person (platform identity), whatever chat they try from (migration 0630's index).
IDENTITY_BLOCKING_FAILURE_SQL = f"""
SELECT created_at FROM login_records
WHERE platform = $1 AND platform_user_id = $2 AND {_COUNTED}
  AND created_at > now() - make_interval(secs => $3) AND id <> $5
ORDER BY created_at DESC OFFSET $4 - 1 LIMIT 1
"""

# ``email`` holds bot.domain.emails.email_key of what was typed: one counter per account however spelled.
EMAIL_BLOCKING_FAILURE_SQL = f"""
SELECT created_at FROM login_records
WHERE email = $1 AND {_COUNTED}
  AND created_at > now() - make_interval(secs => $2) AND id <> $4
ORDER BY created_at DESC OFFSET $3 - 1 LIMIT 1
"""

NOW_SQL = "SELECT now()"


@dataclass(frozen=True, slots=True)
class Attempt:
    platform: str
    platform_user_id: str | None
    chat_id: str | None
    method: Method
    success: bool
    reason: str | None = None
    email: str | None = None
    user_id: UUID | None = None


async def record_attempt(db: Executor, a: Attempt) -> int:
    """Insert an attempt (``reason='pending'`` for one still being checked); returns its id."""
    value: int = await db.fetchval(
        INSERT_LOGIN_RECORD_SQL,
        a.platform,
        a.platform_user_id,
        a.chat_id,
        None if a.email is None else email_key(a.email)[:255],
        a.user_id,
        a.method,
        a.success,
        a.reason,
    )
    return value


async def finish_attempt(
    db: Executor, attempt_id: int, success: bool, reason: str | None, user_id: UUID | None = None
) -> None:
    await db.execute(FINISH_LOGIN_RECORD_SQL, attempt_id, success, reason, user_id)


async def chat_blocked_until(
    db: Executor, platform: str, chat_id: str, max_failures: int, window_s: float, *, exclude_id: int = 0
) -> datetime | None:
    """When the chat may try again, or ``None`` when it has fewer than ``max_failures`` in the window."""
    at = await db.fetchval(
        CHAT_BLOCKING_FAILURE_SQL, platform, chat_id, float(window_s), max_failures, exclude_id
    )
    return None if at is None else at + timedelta(seconds=window_s)


async def identity_blocked_until(
    db: Executor,
    platform: str,
    platform_user_id: str,
    max_failures: int,
    window_s: float,
    *,
    exclude_id: int = 0,
) -> datetime | None:
    """When this person may try again from any chat (``None`` below ``max_failures`` in the window)."""
    at = await db.fetchval(
        IDENTITY_BLOCKING_FAILURE_SQL, platform, platform_user_id, float(window_s), max_failures, exclude_id
    )
    return None if at is None else at + timedelta(seconds=window_s)


async def email_blocked_until(
    db: Executor, email: str, max_failures: int, window_s: float, *, exclude_id: int = 0
) -> datetime | None:
    at = await db.fetchval(
        EMAIL_BLOCKING_FAILURE_SQL, email_key(email)[:255], float(window_s), max_failures, exclude_id
    )
    return None if at is None else at + timedelta(seconds=window_s)


async def db_now(db: Executor) -> datetime:
    value: datetime = await db.fetchval(NOW_SQL)
    return value
