"""Time zone names as PostgreSQL knows them (the due and quiet-window queries compute in them)."""

from __future__ import annotations

from bot.db.types import Executor

#: PostgreSQL's own list decides which zone names the due query can use (its spelling, any case given)
ZONE_SQL = """
SELECT name FROM pg_timezone_names
WHERE lower(name) = lower($1) AND name NOT LIKE 'posix/%' AND name NOT LIKE 'Etc/GMT%'
ORDER BY name = $1 DESC, name LIMIT 1
"""


async def canonical_zone(db: Executor, name: str) -> str | None:
    """The zone's name as PostgreSQL spells it, or None when it knows no such zone."""
    found = await db.fetchval(ZONE_SQL, name)
    return None if found is None else str(found)
