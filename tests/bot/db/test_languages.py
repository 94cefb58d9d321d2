"""``languages_of``: the language the bot writes first in, for many people in one query: the saved
``/language`` choice, else the platform locale they last used, else English."""

from __future__ import annotations

from bot.db import languages
from bot.db.types import Pool


async def test_the_choice_wins_over_the_remembered_locale_which_wins_over_english(pool: Pool) -> None:
    await languages.remember_locale(pool, "telegram", "1", "ru")
    await languages.choose(pool, "telegram", "1", "zh")  # chose Chinese in a Russian app
    await languages.remember_locale(pool, "discord", "2", "zh-CN")  # never chose
    await languages.remember_locale(pool, "telegram", "3", "de")  # a language the bot does not speak
    people = [("telegram", "1"), ("discord", "2"), ("telegram", "3"), ("telegram", "4")]
    assert await languages.languages_of(pool, people) == {
        ("telegram", "1"): "zh",
        ("discord", "2"): "zh",
        ("telegram", "3"): "en",
        ("telegram", "4"): "en",
    }


async def test_the_same_id_on_the_other_platform_is_another_person(pool: Pool) -> None:
    await languages.remember_locale(pool, "telegram", "7", "ru")
    found = await languages.languages_of(pool, [("telegram", "7"), ("discord", "7")])
    assert found == {("telegram", "7"): "ru", ("discord", "7"): "en"}
