"""Hostile input on Discord: every command of the command table as the synced slash command, with
fuzzed option values (within what Discord itself lets through: declared lengths, ranges and choices),
fuzzed modal submissions, and forged button custom ids, through the real discord.py client and the
local Discord, as anonymous, linked and admin users.

Each interaction must be answered (a usage line or a refusal), with no trace text, accepted by the
local Discord (which enforces embed, content and component limits), and never show the victim's data
to anyone but an admin (nor the victim's secrets to anyone at all).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_config
from bot.db.pool import open_pool
from bot.discord.failures import APOLOGY
from bot.render.discord import CUSTOM_ID_PREFIX, CUSTOM_ID_SEPARATOR
from bot.services.commands import COMMANDS
from bot.services.container import Services
from tests.bot.discord.conftest import Harness
from tests.fakes.discord_api import FakeDiscord, FakeInteraction, FakeUser
from tests.fakes.discord_fixtures import _discord_section
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

MODAL = 9


@dataclass
class World:
    h: Harness
    fake: FakeDiscord
    victim: Victim
    users: dict[str, tuple[FakeUser, str | None]]
    errors: list[logging.LogRecord]


@pytest_asyncio.fixture(scope="module")
async def world(module_db_url: str) -> AsyncIterator[World]:
    fake = FakeDiscord(rate_limit=10_000)
    await fake.start()
    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        async with open_pool(module_db_url, min_size=1, max_size=10) as pool:
            base = load_config(
                None,
                database={"url": module_db_url, "migrate_on_start": False},
                http={"host": "127.0.0.1", "port": 0},
                accounts={"bcrypt_rounds": 4},
                limits={"actions_burst": 100_000},  # a fuzzer is no person: limits tested apart
            )
            config = base.model_copy(
                update={"discord": base.discord.model_copy(update=_discord_section(base, fake))}
            )
            anon, linked, admin, prey = (fake.add_user(n) for n in ("anon", "linked", "boss", "prey"))
            victim = await seed_victim(pool, telegram="777000111", discord=str(prey.id))
            await seed_caller(pool, USER_EMAIL, "discord", str(linked.id), admin=False)
            await seed_caller(pool, ADMIN_EMAIL, "discord", str(admin.id), admin=True)
            services = Services.build(pool, config)
            h = Harness(fake, pool, config, services)
            users = {"anonymous": (anon, None), "linked": (linked, USER_EMAIL), "admin": (admin, ADMIN_EMAIL)}
            with errors_logged() as errors:
                try:
                    await h.start()
                    yield World(h=h, fake=fake, victim=victim, users=users, errors=errors)
                finally:
                    await h.stop()
                    await services.aclose()
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
        await fake.stop()


def _fit(text: str, spec: dict[str, Any]) -> str:
    """What Discord lets through for a string option: within min/max length, never empty."""
    low, high = int(spec.get("min_length") or 1), int(spec.get("max_length") or 6000)
    text = text[:high]
    return text + "x" * (low - len(text)) if len(text) < low else text


def option_value(spec: dict[str, Any], victim: Victim) -> st.SearchStrategy[Any]:
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    kind = spec["type"]
    if kind == 4:  # integer: anywhere in the declared range, edges first
        low = int(spec.get("min_value", -(2**53)))
        high = int(spec.get("max_value", 2**53))
        return st.one_of(st.sampled_from((low, high, victim.request_number)), st.integers(low, high))
    if kind == 5:
        return st.booleans()
    return hostile_text(victim).map(lambda t: _fit(t, spec))


def _options(data: st.DataObject, command: dict[str, Any], victim: Victim) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in command.get("options") or []:
        if spec.get("required") or data.draw(st.booleans(), label=f"{command['name']}.{spec['name']}?"):
            out[spec["name"]] = data.draw(
                option_value(spec, victim), label=f"{command['name']}.{spec['name']}"
            )
    return out


def _check(w: World, ix: FakeInteraction, sent: str, *, admin: bool) -> None:
    texts = ix.texts()
    shown = "\n".join(texts)
    assert shown.strip(), f"no visible answer to {sent[:200]!r}"
    assert APOLOGY not in shown, f"an internal error answering {sent[:200]!r}"
    assert not problems(shown), f"trace text answering {sent[:200]!r}: {shown[:500]!r}"
    found = leaks(shown, sent, w.victim, admin=admin)
    assert not found, f"victim data {found} answering {sent[:200]!r}"


def _assert_clean(w: World) -> None:
    refused = [(r.method, r.path, r.json) for r in w.fake.requests if r.status == 400]
    assert not refused, f"Discord refused the bot: {str(refused[:2])[:1500]}"
    assert not w.errors, f"errors logged: {[r.getMessage() for r in w.errors[:3]]}"


async def _slash(fake: FakeDiscord, user: FakeUser, name: str, options: dict[str, Any]) -> FakeInteraction:
    """``fake.slash`` in a DM, with options passed as a dict (an option may be called ``name``)."""
    ix = fake._base_interaction(2, user, None, fake._command_data(name, None, options))
    await fake.dispatch("INTERACTION_CREATE", ix.payload, None)
    return ix


async def _answered(ix: FakeInteraction) -> tuple[int, dict[str, Any]]:
    kind, data = await ix.response(timeout=10)
    if kind != MODAL:
        await ix.reply(timeout=10)
    return kind, data


async def _fuzz_commands(w: World, audience: str, data: st.DataObject) -> None:
    user, email = w.users[audience]
    await relink(w.h.pool, email, "discord", str(user.id))
    await reset_victim(w.h.pool, w.victim)
    await w.h.pool.execute("DELETE FROM login_records")
    admin = audience == "admin"
    for spec in COMMANDS:
        command = w.fake._command(spec.name, None)  # every command of the table is synced
        options = _options(data, command, w.victim)
        sent = " ".join(str(v) for v in options.values())
        ix = await _slash(w.fake, user, spec.name, options)
        kind, modal = await _answered(ix)
        _check(w, ix, sent, admin=admin) if kind != MODAL else None
        if kind == MODAL:  # the form: submit it with hostile values too
            values = {
                item["custom_id"]: _fit(data.draw(hostile_text(w.victim), label="modal"), item)
                for row in modal.get("components") or []
                for item in ([row["component"]] if "component" in row else row.get("components") or [])
            }
            sub = await w.fake.submit_modal(user, modal, values)
            await sub.reply(timeout=10)
            _check(w, sub, sent + " " + " ".join(values.values()), admin=admin)
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


BUTTON_ACTIONS = action_names("details", "request_form", "gone")


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.data())
async def test_forged_and_stale_buttons_are_always_answered_gracefully(
    world: World, data: st.DataObject
) -> None:
    await reset_victim(world.h.pool, world.victim)
    for audience, (user, email) in world.users.items():
        await relink(world.h.pool, email, "discord", str(user.id))
        dm = world.fake.dm_channel(user)
        for _ in range(3):
            raw = data.draw(callback_data(world.victim, BUTTON_ACTIONS), label=audience)
            forged = data.draw(st.booleans(), label="ours")
            custom_id = (CUSTOM_ID_PREFIX + CUSTOM_ID_SEPARATOR + raw if forged else raw)[:100]
            component = {"type": 2, "style": 2, "custom_id": custom_id, "label": "old"}
            payload = {"content": "old", "components": [{"type": 1, "components": [component]}]}
            message = world.fake._public(world.fake._message(dm.id, payload, []))
            ix = await world.fake.click(user, message, custom_id)
            kind, _ = await _answered(ix)
            if kind != MODAL:
                _check(world, ix, custom_id, admin=audience == "admin")
    _assert_clean(world)
