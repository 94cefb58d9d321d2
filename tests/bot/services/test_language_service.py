"""The platform locale of each update is remembered for the messages the bot writes first, with a
write only when it changed (a normal update costs none)."""

from __future__ import annotations

from bot.db import languages
from bot.db.types import Pool
from bot.i18n.catalogs import Catalogs
from bot.services.context import Caller
from bot.services.language import LanguageService


def update_from(locale: str | None, uid: str = "501") -> Caller:
    return Caller(platform="telegram", platform_user_id=uid, chat_id=uid, locale=locale)


async def row_version(pool: Pool) -> tuple[str, str] | None:
    row = await pool.fetchrow("SELECT locale, xmin::text AS version FROM chat_locales")
    return None if row is None else (row["locale"], row["version"])


async def test_the_locale_is_written_once_and_again_only_when_it_changes(pool: Pool) -> None:
    service = LanguageService(pool, Catalogs())
    await service.remember(update_from("ru"))
    first = await row_version(pool)
    assert first is not None and first[0] == "ru"
    for _ in range(3):
        await service.remember(update_from("ru"))
    # another replica (no memory of it) sees the same locale: still no new row version
    await LanguageService(pool, Catalogs()).remember(update_from("ru"))
    assert await row_version(pool) == first
    await service.remember(update_from(None))  # an update without a locale forgets nothing
    assert await row_version(pool) == first
    await service.remember(update_from("zh-hans"))
    changed = await row_version(pool)
    assert changed is not None and changed[0] == "zh-hans" and changed[1] != first[1]
    assert await languages.languages_of(pool, [("telegram", "501")]) == {("telegram", "501"): "zh"}
