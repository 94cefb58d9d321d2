"""Pruning queries: finished rows older than their retention period, deleted in small batches.

Each statement deletes at most ``$2`` rows picked by index (a primary-key-bounded subquery), so no
statement holds many locks or runs long, and writers are never blocked for long. The outbox keeps
every row that is not finished: the status is checked again on the row being deleted, so a row that
changed meanwhile is left alone.
"""

from __future__ import annotations

from bot.db.types import Conn, Executor

PRUNE_NOTIFICATIONS_SQL = """
DELETE FROM notifications n
WHERE n.id IN (
    SELECT id FROM notifications
    WHERE status IN ('delivered', 'failed', 'suppressed')
      AND created_at < now() - $1::float8 * interval '1 day'
    ORDER BY created_at
    LIMIT $2)
  AND n.status IN ('delivered', 'failed', 'suppressed')
"""

PRUNE_LOGIN_RECORDS_SQL = """
DELETE FROM login_records
WHERE id IN (
    SELECT id FROM login_records WHERE created_at < now() - $1::float8 * interval '1 day'
    ORDER BY created_at LIMIT $2)
"""

PRUNE_LINK_CODES_SQL = """
DELETE FROM link_codes c
WHERE c.id IN (
    SELECT id FROM link_codes WHERE coalesce(used_at, expires_at) < now() - $1::float8 * interval '1 day'
    ORDER BY coalesce(used_at, expires_at) LIMIT $2)
  AND coalesce(c.used_at, c.expires_at) < now() - $1::float8 * interval '1 day'
"""

PRUNE_AUDIT_SQL = """
DELETE FROM admin_audit_log
WHERE id IN (
    SELECT id FROM admin_audit_log WHERE created_at < now() - $1::float8 * interval '1 day'
    ORDER BY created_at LIMIT $2)
"""

TRY_LOCK_SQL = "SELECT pg_try_advisory_lock($1)"
UNLOCK_SQL = "SELECT pg_advisory_unlock($1)"

#: table -> its pruning statement
PRUNE_SQL = {
    "notifications": PRUNE_NOTIFICATIONS_SQL,
    "login_records": PRUNE_LOGIN_RECORDS_SQL,
    "link_codes": PRUNE_LINK_CODES_SQL,
    "admin_audit_log": PRUNE_AUDIT_SQL,
}


async def prune_batch(db: Executor, table: str, older_than_days: float, limit: int) -> int:
    """Delete up to ``limit`` expired rows of ``table``; returns how many were deleted."""
    status = await db.execute(PRUNE_SQL[table], float(older_than_days), limit)
    return int(status.split()[-1])


async def try_lock(conn: Conn, key: int) -> bool:
    return bool(await conn.fetchval(TRY_LOCK_SQL, key))


async def unlock(conn: Conn, key: int) -> None:
    await conn.fetchval(UNLOCK_SQL, key)
