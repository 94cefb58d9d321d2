"""``chat_languages``: the language a chat account chose with ``/language``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.types import Executor

GET_SQL = "SELECT language FROM chat_languages WHERE platform = $1 AND platform_user_id = $2"
SET_SQL = """
INSERT INTO chat_languages (platform, platform_user_id, language) VALUES ($1, $2, $3)
ON CONFLICT (platform, platform_user_id) DO UPDATE SET language = EXCLUDED.language, updated_at = now()
"""
CLEAR_SQL = "DELETE FROM chat_languages WHERE platform = $1 AND platform_user_id = $2"


async def chosen(db: Executor, platform: str, platform_user_id: str) -> str | None:
    value = await db.fetchval(GET_SQL, platform, platform_user_id)
    return None if value is None else str(value)


async def choose(db: Executor, platform: str, platform_user_id: str, language: str) -> None:
    await db.execute(SET_SQL, platform, platform_user_id, language)


async def forget(db: Executor, platform: str, platform_user_id: str) -> None:
    await db.execute(CLEAR_SQL, platform, platform_user_id)


CHOSEN_MANY_SQL = """
SELECT l.platform, l.platform_user_id, l.language
FROM chat_languages l
JOIN unnest($1::text[], $2::text[]) AS t (platform, platform_user_id)
     ON l.platform = t.platform AND l.platform_user_id = t.platform_user_id
"""


async def chosen_many(db: Executor, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The saved language of each ``(platform, platform_user_id)`` that has one (for messages the bot
    sends on its own: alerts, digests)."""
    rows = await db.fetch(CHOSEN_MANY_SQL, [p for p, _ in people], [u for _, u in people])
    return {(r["platform"], r["platform_user_id"]): r["language"] for r in rows}
