"""A Russian or Chinese Discord shows the commands' options in its language: option descriptions and
the fixed choices (the /settings alert switches) are localized when the tree is synced."""

from __future__ import annotations

from typing import Any

from tests.bot.discord.conftest import Harness


def synced(h: Harness) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for scope in h.fake.commands.values() for c in scope}


async def test_option_descriptions_are_localized(running: Harness) -> None:
    [node] = synced(running)["node"]["options"]
    assert node["description"] == "Node name or identifier"
    assert node["description_localizations"]["ru"] == "Имя или идентификатор ноды"
    assert node["description_localizations"]["zh-CN"] == "节点名称或标识符"


async def test_the_settings_alert_choices_are_localized(running: Harness) -> None:
    options = {o["name"]: o for o in synced(running)["settings"]["options"]}
    choices = {c["value"]: c for c in options["alert"]["choices"]}
    assert choices["jailed"]["name"] == "Jailed"
    assert choices["jailed"]["name_localizations"]["ru"] == "В джейле"
    assert choices["requests"]["name_localizations"]["zh-CN"] == "申请进展"
    assert all(len(n) <= 100 for c in choices.values() for n in c["name_localizations"].values())
