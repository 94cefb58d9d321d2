"""Discord's forms speak the caller's language: after /language ru the /request picker and modal (title,
labels, placeholders) and the /link modal are Russian; and every form fits Discord's modal limits in
every language without being cut."""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord.forms import _TYPE_TITLES, LABEL_LIMIT, MODAL_TITLE_LIMIT, PLACEHOLDER_LIMIT
from bot.i18n.catalogs import LANGUAGES, Catalogs
from bot.services.requests import RequestsService
from tests.bot.discord.conftest import Harness, text
from tests.helpers import make_user


def inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    return [row["components"][0] for row in modal["components"]]


async def test_a_russian_user_gets_the_request_form_in_russian(running: Harness) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com", discord=str(alice.id))
    await (await running.fake.slash(alice, "language", language="ru")).reply()

    picker = await running.fake.slash(alice, "request")
    shown = await picker.reply()
    assert "Новая заявка" in text(shown) and "Что вам нужно?" in text(shown)
    assert picker.original is not None
    buttons = picker.original["components"][0]["components"]
    labels = [b["label"] for b in buttons]
    assert labels == ["Заявка на новую ноду", "Обратиться в поддержку", "Другая заявка"]

    modal = await (await running.fake.click(alice, picker.original, buttons[0]["custom_id"])).modal()
    assert modal["title"] == "Заявка на новую ноду"
    fields = inputs(modal)
    assert [f["label"] for f in fields] == ["Тип GPU", "Количество", "Регион", "Бюджет", "Комментарий"]
    assert fields[0]["placeholder"] == "Какой тип GPU? (например, H100, H200, A100)"
    assert fields[3]["placeholder"] == "Ваш бюджет?"
    sub = await running.fake.submit_modal(
        alice, modal, {"gpu_type": "H100", "quantity": "2", "region": "Europe", "comments": ""}
    )
    await sub.reply()
    assert await running.pool.fetchval("SELECT gpu_type FROM support_requests") == "H100"


async def test_a_russian_user_gets_the_link_form_in_russian(running: Harness) -> None:
    bob = running.user("bob")
    await (await running.fake.slash(bob, "language", language="ru")).reply()
    modal = await (await running.fake.slash(bob, "link")).modal()
    assert modal["title"] == "Привязка аккаунта MineGNK"
    assert [f["label"] for f in inputs(modal)] == ["Эл. почта", "Пароль"]
    assert inputs(modal)[1]["placeholder"] == "Ваш пароль от портала"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_form_fits_discords_modal_limits_uncut(language: str) -> None:
    t = Catalogs().translator(language)
    for msgid in (*_TYPE_TITLES.values(), "Link your MineGNK account"):
        assert len(t(msgid)) <= MODAL_TITLE_LIMIT, (language, msgid)
    for msgid in ("Email", "Password"):
        assert len(t(msgid)) <= LABEL_LIMIT, (language, msgid)
    for kind in _TYPE_TITLES:
        for step in RequestsService.steps(kind):
            assert len(t(step.label)) <= LABEL_LIMIT, (language, step.label)
            assert len(t(step.prompt)) <= PLACEHOLDER_LIMIT, (language, step.prompt)
