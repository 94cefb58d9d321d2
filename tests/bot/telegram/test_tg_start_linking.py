"""/start, /help, /link (code, deep link, password), /unlink, /whoami through the real aiogram client."""

from __future__ import annotations

from tests.bot.telegram.conftest import USER_TG, Tg


async def test_start_explains_and_help_shows_only_what_this_user_may_run(tg: Tg) -> None:
    [welcome] = await tg.say(USER_TG, "/start")
    assert "/link" in welcome.text
    help_ = await tg.reply(USER_TG, "/help")
    assert "/link" in help_.text and "/nodes" not in help_.text and "/broadcast" not in help_.text
    await tg.user("ann@example.com", telegram=USER_TG + 1)
    help_linked = await tg.reply(USER_TG + 1, "/help")
    assert "/nodes" in help_linked.text and "/broadcast" not in help_linked.text
