"""A user whom delivery disabled (blocked the bot, closed DMs) gets alerts again once they write to it:
an explicit step each frontend takes for a private update (``Authz.wrote_privately``); resolving who
is calling (``Authz.resolve``) only reads."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.db.outbox_claims import disable_target
from bot.db.types import Pool
from tests.bot.services.helpers import services
from tests.helpers import caller, make_user


@pytest.mark.parametrize("platform", ["telegram", "discord"])
async def test_writing_in_a_private_chat_re_enables_delivery(
    pool: Pool, config: Config, platform: str
) -> None:
    await make_user(pool, "op@example.com", **{platform: "555"})
    await disable_target(pool, platform, "555", "Forbidden: bot was blocked by the user", 403)
    assert await services(pool, config).authz.wrote_privately(caller("555", platform=platform))  # type: ignore[arg-type]
    row = await pool.fetchrow("SELECT disabled_at, reason FROM delivery_targets WHERE target_id = '555'")
    assert row is not None
    assert row["disabled_at"] is None and row["reason"] is None


async def test_resolving_the_caller_changes_nothing(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="557")
    await disable_target(pool, "telegram", "557", "Forbidden: bot was blocked by the user", 403)
    actor = await services(pool, config).authz.resolve(caller("557"))
    assert actor.user is not None
    assert await pool.fetchval("SELECT disabled_at FROM delivery_targets WHERE target_id = '557'") is not None


async def test_a_group_message_does_not_re_enable_a_blocked_user(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="556")
    await disable_target(pool, "telegram", "556", "Forbidden: bot was blocked by the user", 403)
    assert not await services(pool, config).authz.wrote_privately(caller("556", chat="-100", kind="group"))
    assert await pool.fetchval("SELECT disabled_at FROM delivery_targets WHERE target_id = '556'") is not None
