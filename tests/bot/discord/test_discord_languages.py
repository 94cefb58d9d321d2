"""Languages on Discord: command descriptions are localized for Russian and Chinese clients; /language
sets the answer language."""

from __future__ import annotations

from tests.bot.discord.conftest import Harness, text


async def test_command_descriptions_are_localized(running: Harness) -> None:
    synced = {c["name"]: c for scope in running.fake.commands.values() for c in scope}
    help_ = synced["help"]
    assert help_["description"] == "The commands you can use"
    assert help_["description_localizations"]["ru"] == "Доступные вам команды"
    assert help_["description_localizations"]["zh-CN"] == "你可以使用的命令"
    assert "zh-TW" not in help_["description_localizations"]


async def test_language_sets_the_answer_language(running: Harness) -> None:
    alice = running.user("alice")
    reply = text(await (await running.fake.slash(alice, "language", language="ru")).reply())
    assert "Теперь я отвечаю по-русски" in reply
    shown = text(await (await running.fake.slash(alice, "help")).reply())
    assert "Доступные вам команды" in shown
