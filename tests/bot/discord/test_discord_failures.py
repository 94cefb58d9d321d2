"""The one error path speaks the user's language: a refusal in the language saved with /language."""

from __future__ import annotations

from tests.bot.discord.conftest import Harness, text


async def test_a_refusal_is_answered_in_the_saved_language(running: Harness) -> None:
    alice = running.user("alice")
    await (await running.fake.slash(alice, "language", language="zh")).reply()
    refused = text(await (await running.fake.slash(alice, "unlink")).reply())
    assert "该账户未绑定 MineGNK，无需解绑。" in refused
