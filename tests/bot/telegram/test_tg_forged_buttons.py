"""Forged button data (issue 15 item 8): it never becomes a metric label of its own, and a payload that
only looks numeric (``²``: ``isdigit()`` is true, ``int()`` fails) is a stale button, not an error."""

from __future__ import annotations

import logging

import pytest

from bot.render.message import Button, Message
from bot.telegram.replies import send
from tests.bot.telegram.conftest import USER_TG, Tg

FORGED = [f"forged_action_{i}:1" for i in range(5)]
LOOKS_NUMERIC = ["nodes_page:²", "myrequests_page:٣", "requests_page:all:¹²", "req_take:²", "nodes_page:-1"]


async def test_forged_buttons_are_stale_unlabelled_and_log_no_error(
    tg: Tg, caplog: pytest.LogCaptureFixture
) -> None:
    await send(
        tg.component.bot,
        USER_TG,
        Message(title="old", buttons=((Button(label="Old", action="nodes_page", args=("0",)),),)),
    )
    msg = tg.fake.last_to(USER_TG)
    with caplog.at_level(logging.ERROR):
        for data in FORGED + LOOKS_NUMERIC:
            query = tg.fake.press(USER_TG, msg, data)
            await tg.fake.wait_until(lambda q=query: q not in tg.fake.unanswered_callbacks())
            assert "no longer active" in tg.answer_of(query).get("text", ""), data
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    metrics = tg.metrics.render().decode()
    assert "forged_action" not in metrics
    # a stale button is a refusal (user_error), like any other: never an error
    assert 'command="button:unknown",outcome="user_error",platform="telegram"} 5.0' in metrics
