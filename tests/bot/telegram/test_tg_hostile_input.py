"""Hostile input on Telegram: every command of the command table with fuzzed arguments, and forged
button presses, through the real aiogram bot and the fake Bot API, as anonymous, linked and admin callers.

Each reply must be an answer (a usage line or a refusal), with no trace text, accepted by the fake
(which validates HTML entities, 4096 characters and 64-byte callback data the way Telegram does), and
never show the victim's data to anyone but an admin (nor the victim's secrets to anyone at all).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.db.pool import open_pool
from bot.render.message import Button, Message
from bot.services.commands import COMMANDS
from bot.telegram.errors import APOLOGY
from bot.telegram.replies import send
from tests.bot.telegram.conftest import Tg, running, telegram_config
from tests.fakes.telegram_api import FakeMessage, FakeTelegram
from tests.hostile_strategies import (
    ADMIN_EMAIL,
    FUZZ,
    USER_EMAIL,
    Victim,
    action_names,
    callback_data,
    errors_logged,
    hostile_text,
    leaks,
    problems,
    relink,
    reset_victim,
    seed_caller,
    seed_victim,
)

ANON, LINKED, ADMIN, VICTIM = 610001, 610002, 610003, 777000111
AUDIENCES = {"anonymous": (ANON, None), "linked": (LINKED, USER_EMAIL), "admin": (ADMIN, ADMIN_EMAIL)}
#: Telegram's own behaviour: an edit that changes nothing is refused, and the bot ignores that refusal
_BENIGN = ("message is not modified",)


class RecordingTelegram(FakeTelegram):
    """The fake Bot API, also keeping every refusal's description (to tell a benign 400 from a bug)."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals: list[tuple[str, int, str]] = []

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if response.status >= 400 and response.status != 429:
            body = json.loads(response.body)  # type: ignore[arg-type]
            self.refusals.append((request.match_info["method"], response.status, body["description"]))
        return response

    def bad_refusals(self) -> list[tuple[str, int, str]]:
        return [r for r in self.refusals if not any(b in r[2] for b in _BENIGN)]


@dataclass
class World:
    tg: Tg
    fake: RecordingTelegram
    victim: Victim
    errors: list[logging.LogRecord]


@pytest_asyncio.fixture(scope="module")
async def world(module_db_url: str) -> AsyncIterator[World]:
    fake = RecordingTelegram()
    await fake.start()
    try:
        async with open_pool(module_db_url, min_size=1, max_size=10) as pool:
            victim = await seed_victim(pool, telegram=str(VICTIM), discord="888000222")
            await seed_caller(pool, USER_EMAIL, "telegram", str(LINKED), admin=False)
            await seed_caller(pool, ADMIN_EMAIL, "telegram", str(ADMIN), admin=True)
            config = telegram_config(module_db_url, fake, admin_ids=[])
            with errors_logged() as errors:
                async with running(fake, pool, config) as tg:
                    yield World(tg=tg, fake=fake, victim=victim, errors=errors)
    finally:
        await fake.stop()


async def _quiet(fake: FakeTelegram, settle_s: float = 0.15) -> None:
    """Wait until the bot has stopped calling the API for ``settle_s`` (late replies land)."""
    while True:
        count = len(fake.calls)
        await asyncio.sleep(settle_s)
        if len(fake.calls) == count:
            return


def _shown(msg: FakeMessage) -> str:
    buttons = " ".join(
        f"{b.get('text', '')} {b.get('callback_data', '')} {b.get('url', '')}" for b in msg.buttons
    )
    return f"{msg.shown}\n{msg.html or ''}\n{buttons}"


def _check(w: World, replies: list[FakeMessage], sent: str, *, admin: bool) -> None:
    for msg in replies:
        shown = _shown(msg)
        assert msg.shown.strip(), f"an empty reply to {sent[:200]!r}"
        assert msg.shown != APOLOGY, f"an internal error answering {sent[:200]!r}"
        assert not problems(shown), f"trace text answering {sent[:200]!r}: {shown[:500]!r}"
        assert not leaks(shown, sent, w.victim, admin=admin), (
            f"victim data {leaks(shown, sent, w.victim, admin=admin)} answering {sent[:200]!r}"
        )


def _assert_clean(w: World) -> None:
    assert not w.fake.bad_refusals(), f"the Bot API refused the bot: {w.fake.bad_refusals()[:3]}"
    assert not w.errors, f"errors logged: {[r.getMessage() for r in w.errors[:3]]}"
    assert w.fake.unanswered_callbacks() == []


async def _fuzz_commands(w: World, audience: str, data: st.DataObject) -> None:
    user_id, email = AUDIENCES[audience]
    await relink(w.tg.pool, email, "telegram", str(user_id))
    await reset_victim(w.tg.pool, w.victim)
    await w.tg.pool.execute("DELETE FROM login_records")  # rate limits would make every /link alike
    start = len(w.fake.sent_to(user_id, include_deleted=True))
    typed: list[str] = []
    for spec in COMMANDS:
        args = data.draw(hostile_text(w.victim), label=spec.name)
        text = f"/{spec.name} {args}" if args.strip() else f"/{spec.name}"
        typed.append(text)
        replies = await w.tg.say(user_id, text)
        _check(w, replies, text, admin=audience == "admin")
        if spec.name == "request":
            await w.tg.say(user_id, "/cancel")  # an open form must not take the next command's text
    await _quiet(w.fake)
    late = w.fake.sent_to(user_id, include_deleted=True)[start:]
    _check(w, late, "\n".join(typed), admin=audience == "admin")
    _assert_clean(w)


# fuzzing through the whole bot: minutes, so a step of its own (`scripts/test.sh -m slow`)
pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
async def test_fuzzed_commands_anonymous_get_an_answer_and_nothing_else(
    world: World, data: st.DataObject
) -> None:
    await _fuzz_commands(world, "anonymous", data)


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
async def test_fuzzed_commands_linked_get_an_answer_and_no_other_users_data(
    world: World, data: st.DataObject
) -> None:
    await _fuzz_commands(world, "linked", data)


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
async def test_fuzzed_commands_admin_get_an_answer_and_no_secrets(world: World, data: st.DataObject) -> None:
    await _fuzz_commands(world, "admin", data)


BUTTON_ACTIONS = action_names("details", "rq", "gone")


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
async def test_forged_and_stale_buttons_are_always_answered_gracefully(
    world: World, data: st.DataObject
) -> None:
    await reset_victim(world.tg.pool, world.victim)
    for audience, (user_id, email) in AUDIENCES.items():
        await relink(world.tg.pool, email, "telegram", str(user_id))
        [sent] = await send(
            world.tg.component.bot,
            user_id,
            Message(title="old", buttons=((Button(label="Old", action="gone", args=("1",)),),)),
        )
        msg = world.fake.messages[(user_id, sent.message_id)]
        start = len(world.fake.sent_to(user_id, include_deleted=True))
        pressed: list[str] = []
        for _ in range(4):
            raw = data.draw(
                callback_data(world.victim, BUTTON_ACTIONS).filter(lambda d: 1 <= len(d.encode()) <= 64),
                label=audience,
            )
            pressed.append(raw)
            query = world.fake.press(user_id, msg, raw)
            await world.fake.wait_until(
                lambda q=query: q not in world.fake.unanswered_callbacks(), what=f"an answer to {raw!r}"
            )
            answer = world.tg.answer_of(query).get("text") or ""
            assert answer != APOLOGY[:199] and not problems(answer), f"{raw!r} answered {answer!r}"
            assert not leaks(answer, raw, world.victim, admin=audience == "admin")
        await _quiet(world.fake)
        _check(world, world.fake.sent_to(user_id)[start:], "\n".join(pressed), admin=audience == "admin")
    _assert_clean(world)
