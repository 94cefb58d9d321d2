"""``chat_languages``: the language a chat account chose with ``/language``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.types import Executor
from bot.i18n.catalogs import DEFAULT_LANGUAGE, language_of

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


# --- chat_locales: the platform locale each chat account last used --------------------------------

REMEMBER_LOCALE_SQL = """
INSERT INTO chat_locales (platform, platform_user_id, locale) VALUES ($1, $2, $3)
ON CONFLICT (platform, platform_user_id) DO UPDATE SET locale = EXCLUDED.locale, updated_at = now()
WHERE chat_locales.locale IS DISTINCT FROM EXCLUDED.locale
"""


async def remember_locale(db: Executor, platform: str, platform_user_id: str, locale: str) -> None:
    """Store the platform locale the person last used (no row version when it is the same)."""
    await db.execute(REMEMBER_LOCALE_SQL, platform, platform_user_id, locale)


LANGUAGES_OF_SQL = """
SELECT t.platform, t.platform_user_id, l.language, c.locale
FROM unnest($1::text[], $2::text[]) AS t (platform, platform_user_id)
LEFT JOIN chat_languages l ON l.platform = t.platform AND l.platform_user_id = t.platform_user_id
LEFT JOIN chat_locales c ON c.platform = t.platform AND c.platform_user_id = t.platform_user_id
WHERE l.language IS NOT NULL OR c.locale IS NOT NULL
"""


async def choices_and_locales(
    db: Executor, people: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """``(saved language, remembered platform locale)`` of each ``(platform, platform_user_id)`` that
    has either, in one query."""
    rows = await db.fetch(LANGUAGES_OF_SQL, [p for p, _ in people], [u for _, u in people])
    return {(r["platform"], r["platform_user_id"]): (r["language"], r["locale"]) for r in rows}


async def languages_of(db: Executor, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The language to write first to each ``(platform, platform_user_id)``: their ``/language`` choice,
    else the platform locale they last used, else English. Every person asked is in the answer."""
    found = await choices_and_locales(db, people) if people else {}
    out: dict[tuple[str, str], str] = {}
    for person in people:
        saved, locale = found.get(person, (None, None))
        out[person] = saved or language_of(locale) or DEFAULT_LANGUAGE
    return out
