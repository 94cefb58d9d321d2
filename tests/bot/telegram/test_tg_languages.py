"""Languages on Telegram: the menus are registered per language; a Russian app gets Russian answers
without asking, and /language switches to Chinese (and back to the app's language with auto)."""

from __future__ import annotations

from tests.bot.telegram.conftest import USER_TG, Tg


async def test_menus_are_registered_in_each_language(tg: Tg) -> None:
    menus = tg.fake.commands
    english = {c["command"]: c["description"] for c in menus["default"]}
    russian = {c["command"]: c["description"] for c in menus["default|ru"]}
    chinese = {c["command"]: c["description"] for c in menus["default|zh"]}
    assert english.keys() == russian.keys() == chinese.keys()
    assert english["help"] == "The commands you can use"
    assert russian["help"] == "Доступные вам команды"
    assert chinese["help"] == "你可以使用的命令"


async def test_a_russian_app_is_answered_in_russian_and_language_switches_to_chinese(tg: Tg) -> None:
    tg.fake.language_codes[USER_TG] = "ru"
    help_ru = await tg.reply(USER_TG, "/help")
    assert "Команды MineGNK Bot" in help_ru.text and "Доступные вам команды" in help_ru.text
    switched = await tg.reply(USER_TG, "/language zh")
    assert "从现在起我用中文回复你" in switched.text
    help_zh = await tg.reply(USER_TG, "/help")
    assert "MineGNK Bot 命令" in help_zh.text and "你可以使用的命令" in help_zh.text
    back = await tg.reply(USER_TG, "/language auto")
    assert "Снова говорю на языке вашего приложения" in back.text
    bad = await tg.reply(USER_TG, "/language klingon")
    assert "Русский (ru)" in bad.text
