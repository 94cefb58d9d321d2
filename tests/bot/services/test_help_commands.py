"""The command table fits both platforms, and /help lists exactly what the caller may run."""

from __future__ import annotations

import re

import pytest

from bot.config import Config, load_config
from bot.db.types import Pool
from bot.services.commands import COMMANDS
from tests.bot.services.helpers import assert_renders, services
from tests.helpers import caller, make_user

_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda c: c.name)
def test_each_command_fits_telegram_and_discord(spec: object) -> None:
    from bot.services.commands import CommandSpec

    assert isinstance(spec, CommandSpec)
    assert _NAME.match(spec.name) and 1 <= len(spec.description) <= 100
    assert spec.usage.startswith(f"/{spec.name}")
    assert len(spec.options) <= 25
    seen_optional = False
    for opt in spec.options:
        assert _NAME.match(opt.name) and 1 <= len(opt.description) <= 100
        assert not (opt.required and seen_optional), "Discord wants required options first"
        seen_optional |= not opt.required
        assert len(opt.choices) <= 25


def test_spec_commands_are_all_in_the_table() -> None:
    names = {c.name for c in COMMANDS}
    assert names == {
        "start",
        "help",
        "language",
        "link",
        "unlink",
        "whoami",
        "nodes",
        "node",
        "earnings",
        "mute",
        "unmute",
        "mutes",
        "settings",
        "digest",
        "quiet",
        "request",
        "myrequests",
        "assign",
        "unassign",
        "requests",
        "request_set",
        "user",
        "linkcode",
        "broadcast",
        "stats",
        "alerts_here",
        "alerts_off",
    }


async def test_help_lists_what_each_tier_may_run(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await make_user(pool, "boss@example.com", telegram="9", admin=True)
    anon = await svc.help.help(caller("100"))
    linked = await svc.help.help(caller("1"))
    admin = await svc.help.help(caller("9"))
    assert anon.tier == "anonymous" and {c.audience for c in anon.commands} == {"anyone"}
    assert linked.tier == "linked" and {c.audience for c in linked.commands} == {"anyone", "linked"}
    assert admin.tier == "admin" and len(admin.commands) == len(COMMANDS)
    assert "/broadcast" not in linked.message.plain() and "/broadcast" in admin.message.plain()
    assert "/link CODE" in anon.message.plain()
    for h in (anon, linked, admin):
        assert_renders(h.message)


async def test_a_configured_admin_without_an_account_sees_admin_commands(pool: Pool, config: Config) -> None:
    cfg = load_config(
        None,
        database={"url": config.database.url.get_secret_value(), "migrate_on_start": False},  # type: ignore[union-attr]
        telegram={"admin_ids": [777]},
    )
    result = await services(pool, cfg).help.help(caller("777"))
    assert result.tier == "admin"
    assert {c.audience for c in result.commands} == {"anyone", "admin"}
