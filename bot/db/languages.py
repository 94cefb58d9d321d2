"""``chat_languages``: the language a chat account chose with ``/language``."""

from __future__ import annotations

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
