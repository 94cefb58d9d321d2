"""Every action of the one button table (``bot/services/actions.py``), pressed on both platforms: the
real aiogram client against the fake Bot API and the real discord.py client against the fake Discord,
over one world each. Both answer every action the same way (the same text; a new message under a button
in a shared chat), and answer a stale or forged button the same way: the one stale text, no ERROR."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.render.message import Button, Message
from bot.services import actions
from bot.services.authz import Authz
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.provisioning import issue_link_code
from bot.telegram.replies import send
from tests.bot.discord.conftest import Harness, text
from tests.bot.telegram.conftest import running, telegram_config
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import give_node, make_user, wallet

GROUP = -100555


@dataclass(frozen=True)
class World:
    node: UUID
    requests: tuple[int, int, int]
    code: str


#: who presses (user, admin or newcomer), the arguments, and a text the answer must show
Case = tuple[str, Callable[[World], tuple[str, ...]], str]

CASES: dict[str, Case] = {
    actions.NODES_PAGE: ("user", lambda w: ("0",), "Your nodes"),
    actions.NODE: ("user", lambda w: (str(w.node),), "Identifier"),
    actions.DETAILS: ("user", lambda w: (str(w.node),), "Identifier"),
    actions.EARNINGS: ("user", lambda w: ("30d",), "Earnings, last 30 days"),
    actions.MUTE: ("user", lambda w: (str(w.node), "1h"), "muted for"),
    actions.UNMUTE: ("user", lambda w: (str(w.node),), "no longer muted"),
    actions.SETTING: ("user", lambda w: ("offline", "off"), "Offline alerts off"),
    actions.LANGUAGE_SET: ("user", lambda w: ("en",), "English (your choice"),
    actions.DIGEST_SET: ("user", lambda w: ("on",), "08:00 UTC"),
    actions.QUIET_SET: ("user", lambda w: ("on",), "23:00–07:00 UTC"),
    actions.MYREQUESTS_PAGE: ("user", lambda w: ("0",), "Your requests"),
    actions.REQUESTS_PAGE: ("admin", lambda w: ("open", "0"), "Open requests"),
    actions.STATS_PAGE: ("admin", lambda w: ("0",), "Failing nodes (1)"),
    actions.REQ_TAKE: ("admin", lambda w: (str(w.requests[0]),), "in progress"),
    actions.REQ_APPROVE: ("admin", lambda w: (str(w.requests[1]),), "approved"),
    actions.REQ_REJECT: ("admin", lambda w: (str(w.requests[2]),), "rejected"),
    actions.LINK_CANCEL: ("newcomer", lambda w: (), "Nothing was linked"),
    actions.LINK_CONFIRM: ("newcomer", lambda w: (w.code,), "newcomer@example.com"),
}

#: forged or stale presses: an unknown action, a wrong number of arguments, arguments that do not parse
STALE = [
    ("vanished", ("1",)),
    (actions.NODE, ()),
    (actions.NODES_PAGE, ("²",)),
    (actions.MUTE, ("not-a-uuid", "1h")),
    (actions.MUTE, ("all", "forever")),
    (actions.SETTING, ("everything", "on")),
    (actions.REQ_TAKE, ("٣",)),
    (actions.EARNINGS, ("1y",)),
]


def test_the_cases_cover_every_action_of_the_table() -> None:
    assert set(CASES) == set(actions.ACTIONS)


class Lookups:
    """Counts :meth:`Authz.resolve` calls that read the database (given a ``Caller``, not an ``Actor``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = Authz.resolve

        async def counting(authz: Authz, who: Any, db: Any = None) -> Any:
            if not isinstance(who, Actor):
                self.count += 1
            return await original(authz, who, db)

        monkeypatch.setattr(Authz, "resolve", counting)

    def take(self) -> int:
        n, self.count = self.count, 0
        return n


async def _world(pool: Pool, services: Services, ids: dict[str, str], platform: str) -> World:
    await make_user(pool, "user@example.com", **{platform: ids["user"]})
    await make_user(pool, "boss@example.com", admin=True, **{platform: ids["admin"]})
    await make_user(pool, "newcomer@example.com")
    node = await give_node(pool, "user@example.com", wallet(1), "rig", status="offline")
    user = await services.authz.resolve(_caller(platform, ids["user"]))
    numbers = tuple(
        [
            (
                await services.requests.create(user, {"type": "support", "comments": f"help {i}"})
            ).request.number
            for i in range(3)
        ]
    )
    code = (await issue_link_code(pool, "newcomer@example.com", 900)).code
    return World(node=node, requests=numbers, code=code.replace("-", ""))  # type: ignore[arg-type]


def _caller(platform: str, uid: str) -> Any:
    from tests.helpers import caller

    return caller(uid, platform=platform)  # type: ignore[arg-type]


async def test_every_action_on_telegram(
    telegram_api: FakeTelegram,
    pool: Pool,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = {"user": "700001", "admin": "900001", "newcomer": "700002"}
    config = telegram_config(db_url, telegram_api, admin_ids=[])
    async with running(telegram_api, pool, config) as tg:
        world = await _world(pool, tg.services, ids, "telegram")
        answers: dict[str, str] = {}
        with caplog.at_level(logging.ERROR):
            for name, (who, args, _) in CASES.items():
                answers[name] = await _press_telegram(
                    tg.fake, tg.component.bot, int(ids[who]), name, args(world)
                )
            stale = [await _press_telegram(tg.fake, tg.component.bot, 700001, a, s) for a, s in STALE]
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    _check(answers, stale)


async def _press_telegram(fake: FakeTelegram, bot: Any, user: int, action: str, args: tuple[str, ...]) -> str:
    """Press ``action`` in the group; the answer is the new message below it (or the query's alert)."""
    await send(
        bot, GROUP, Message(title="buttons", buttons=((Button(label="b", action="node", args=("x",)),),))
    )
    pressed = fake.last_to(GROUP)
    before = len(fake.sent_to(GROUP))
    query = fake.press(user, pressed, ":".join((action, *args)))
    await fake.wait_until(lambda: query not in fake.unanswered_callbacks(), what=f"answer to {action}")
    answer = next(
        c.params for c in fake.calls_of("answerCallbackQuery") if c.params["callback_query_id"] == query
    )
    if answer.get("show_alert"):
        return str(answer.get("text"))
    await fake.wait_until(lambda: len(fake.sent_to(GROUP)) > before, what=f"the answer to {action}")
    assert pressed.edits == 0 or action in (
        actions.REQ_APPROVE,
        actions.REQ_REJECT,
    )  # a shared chat: never edited
    new = fake.sent_to(GROUP)[before]
    return new.shown


async def test_every_action_on_discord(
    discord_api: FakeDiscord,
    pool: Pool,
    discord_config: Config,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = Services.build(pool, discord_config)
    h = Harness(discord_api, pool, discord_config, services)
    try:
        await h.start()
        people = {"user": h.user("user"), "admin": h.user("boss", admin=True), "newcomer": h.user("newcomer")}
        ids = {k: str(u.id) for k, u in people.items()}
        world = await _world(pool, services, ids, "discord")
        answers: dict[str, str] = {}
        lookups = Lookups(monkeypatch)
        with caplog.at_level(logging.ERROR):
            for name, (who, args, _) in CASES.items():
                answers[name] = await _press_discord(h, people[who], name, args(world))
                assert lookups.take() == 1, name  # the presser is resolved once per interaction
            stale = [await _press_discord(h, people["user"], a, s) for a, s in STALE]
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        await h.stop()
        await services.aclose()
    _check(answers, stale)


async def _press_discord(h: Harness, user: Any, action: str, args: tuple[str, ...]) -> str:
    """Click ``action`` on a bot message in a guild channel; the answer is the ephemeral reply."""
    channel = h.fake.guild.channel("general")
    custom_id = ":".join(("mgnk", action, *args))
    message = {
        "id": str(h.fake.snowflake()),
        "channel_id": str(channel.id),
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 2, "label": "b", "custom_id": custom_id}]}
        ],
        "content": "buttons",
        "embeds": [],
        "attachments": [],
        "author": h.fake.bot_user.to_dict(),
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }
    h.fake.messages.setdefault(channel.id, []).append(message)
    click = await h.fake.click(user, message, custom_id)
    reply = await click.reply()
    assert click.ephemeral  # a shared channel: answered to the presser alone, the message unchanged
    return text(reply)


def _check(answers: dict[str, str], stale: list[str]) -> None:
    for name, (_, _, expected) in CASES.items():
        assert expected.lower() in answers[name].lower(), (name, answers[name])
    assert stale == [actions.STALE_TEXT] * len(STALE)
