"""Who administers from chat: the platform identities of active admin accounts."""

from __future__ import annotations

from bot.db.types import Executor
from bot.domain.platforms import Platform

ADMIN_IDENTITIES_SQL = """
SELECT CASE WHEN $1 = 'telegram' THEN telegram ELSE discord END AS identity
FROM users
WHERE role = 'admin' AND is_active
  AND CASE WHEN $1 = 'telegram' THEN telegram ELSE discord END IS NOT NULL
ORDER BY identity
"""


async def admin_identities(db: Executor, platform: Platform) -> list[str]:
    """The linked ``platform`` user ids of every active admin account."""
    rows = await db.fetch(ADMIN_IDENTITIES_SQL, platform)
    return [str(r["identity"]) for r in rows]
