"""The one error path and the 3-second rule: slow work is deferred, a bug gets an apology and a logged
traceback, and no interaction is left unanswered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.config import Config
from bot.render.discord import render
from bot.render.message import Message
from bot.services.help import HelpResult
from tests.bot.discord.conftest import Harness, text
from tests.helpers import give_node, make_user, wallet


def with_discord(config: Config, **changes: object) -> Config:
    return config.model_copy(update={"discord": config.discord.model_copy(update=changes)})


async def test_slow_work_is_deferred_then_answered(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await harness.start(with_discord(harness.config, ack_budget_s=0.05))
    original = harness.services.help.help

    async def slow_help(caller: Any) -> HelpResult:
        await asyncio.sleep(0.3)
        return await original(caller)

    monkeypatch.setattr(harness.services.help, "help", slow_help)
    user = harness.user("alice")
    ix = await harness.fake.slash(user, "help", harness.fake.guild.channel("general"))
    kind, data = await ix.response()
    assert kind == 5  # deferred ("thinking"), ephemeral
    assert data.get("flags") == 64
    assert "link" in text(await ix.reply())


async def test_slow_page_button_is_a_deferred_update(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.start(with_discord(harness.config, ack_budget_s=0.05))
    alice = harness.user("alice")
    await make_user(harness.pool, "alice@example.com", discord=str(alice.id))
    for i in range(12):
        await give_node(harness.pool, "alice@example.com", wallet(100 + i), f"rig-{i:02d}")
    first = await harness.fake.slash(alice, "nodes", harness.fake.guild.channel("general"))
    page = await first.reply()
    assert first.original is not None
    nav = [
        b
        for row in page["components"]
        for b in row["components"]
        if b["custom_id"].startswith("mgnk:nodes_page")
    ]
    assert nav
    original = harness.services.nodes.list_nodes

    async def slow_list(caller: Any, page: int = 0) -> Any:
        await asyncio.sleep(0.3)
        return await original(caller, page)

    monkeypatch.setattr(harness.services.nodes, "list_nodes", slow_list)
    click = await harness.fake.click(alice, first.original, nav[-1]["custom_id"])
    kind, _ = await click.response()
    assert kind == 6  # deferred update of the clicked message
    edited = await click.reply()
    assert "Page 2" in text(edited)


async def test_an_unexpected_error_gets_an_apology_and_a_logged_trace(
    running: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(caller: Any) -> HelpResult:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(running.services.help, "help", broken)
    user = running.user("alice")
    ix = await running.fake.slash(user, "help", running.fake.guild.channel("general"))
    reply = text(await ix.reply())
    assert ix.ephemeral
    assert "Sorry, something went wrong" in reply
    assert "database on fire" not in reply
    failures = [r for r in caplog.records if r.name == "bot.discord.failures" and r.levelno == logging.ERROR]
    assert failures and failures[0].exc_info is not None
    assert "database on fire" in caplog.text


async def test_an_error_after_deferring_is_answered_as_a_followup(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.start(with_discord(harness.config, ack_budget_s=0.05))

    async def slow_refusal(caller: Any) -> HelpResult:
        await asyncio.sleep(0.2)
        from bot.errors import InvalidInputError

        raise InvalidInputError("Not today.")

    monkeypatch.setattr(harness.services.help, "help", slow_refusal)
    user = harness.user("alice")
    ix = await harness.fake.slash(user, "help")
    assert (await ix.response())[0] == 5
    assert "Not today." in text(await ix.followup())


async def test_a_reply_too_big_for_one_message_is_split_within_limits(
    running: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Message.text("\n".join(f"line {i} " + "x" * 90 for i in range(150)), title="Long")

    async def long_help(caller: Any) -> HelpResult:
        return HelpResult(tier="anonymous", commands=(), message=long)

    monkeypatch.setattr(running.services.help, "help", long_help)
    user = running.user("alice")
    ix = await running.fake.slash(user, "help")
    parts = render(long)
    assert len(parts) > 1
    await ix.reply()
    await ix.followup(len(parts) - 2)
    shown = "\n".join(ix.texts())
    assert "line 0 " in shown and "line 149 " in shown
    assert all(
        r.status == 200 for r in running.fake.requests if "/webhooks/" in r.path or "/callback" in r.path
    )


async def test_commands_buttons_and_forms_are_metered(running: Harness) -> None:
    user = running.user("alice")
    await (await running.fake.slash(user, "help")).reply()
    await (await running.fake.slash(user, "nodes")).reply()  # not linked: a user error
    modal = await (await running.fake.slash(user, "link")).modal()
    values = {"email": "nobody@example.com", "password": "x"}
    await (await running.fake.submit_modal(user, modal, values)).reply()
    page = running.metrics.render().decode()
    assert 'minegnk_commands_total{command="help",outcome="ok",platform="discord"} 1.0' in page
    assert 'minegnk_commands_total{command="nodes",outcome="user_error",platform="discord"} 1.0' in page
    assert 'minegnk_commands_total{command="form:link",outcome="user_error",platform="discord"} 1.0' in page
