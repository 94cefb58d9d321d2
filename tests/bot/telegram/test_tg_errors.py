"""The one error handler speaks the sender's language: a refusal in Russian from Telegram's
``language_code``, a usage line kept as code under a translated word, an apology in the saved language."""

from __future__ import annotations

import pytest

from tests.bot.telegram.conftest import USER_TG, Tg


async def test_a_refused_link_is_answered_in_the_apps_language(tg: Tg) -> None:
    tg.fake.language_codes[USER_TG] = "ru"
    refused = await tg.reply(USER_TG, "/link ABCD-EFGH")
    assert refused.text == "Этот код привязки недействителен. Проверьте его или получите новый."


async def test_a_usage_line_stays_code_under_a_chinese_word(tg: Tg) -> None:
    await tg.user("ann@example.com", telegram=USER_TG)
    await tg.reply(USER_TG, "/language zh")
    bad = await tg.reply(USER_TG, "/digest 25:99")
    assert bad.text.startswith("「25:99」不是有效的时间：请写成 HH:MM，例如 07:00。\n用法：/digest")
    assert bad.html is not None and "用法：<code>/digest" in bad.html


async def test_an_unexpected_failure_is_apologised_for_in_the_saved_language(
    tg: Tg, monkeypatch: pytest.MonkeyPatch
) -> None:
    await tg.reply(USER_TG, "/language ru")

    async def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(tg.services.help, "help", broken)
    sorry = await tg.reply(USER_TG, "/help")
    assert sorry.text == "Извините, у нас что-то пошло не так. Попробуйте ещё раз через минуту."
