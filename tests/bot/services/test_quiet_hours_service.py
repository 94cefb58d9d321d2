"""/quiet: the window, its zone and the urgent list are kept; bad input is answered and changes nothing."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import Config
from bot.db import quiet_hours as quiet_db
from bot.db.types import Pool
from bot.errors import InvalidInputError, NotLinkedError, UsageError
from bot.services.container import Services
from bot.services.context import Caller
from bot.services.quiet_hours import QuietResult
from tests.bot.services.helpers import assert_renders, services
from tests.helpers import caller, make_user


async def _quiet(svc: Services, who: Caller, text: str) -> QuietResult:
    """``/quiet text`` as a frontend runs it: the arguments parsed (a malformed window or an unknown
    condition is a usage error), then the service."""
    args = await svc.arguments.text(await svc.authz.resolve(who), "quiet", text)
    return await svc.quiet_hours.change(who, args.get("window"))


@pytest.fixture
def svc(pool: Pool, config: Config) -> Services:
    return services(pool, config)


async def test_a_night_window_is_kept_with_jailed_and_excluded_urgent(svc: Services, pool: Pool) -> None:
    user = await make_user(pool, telegram="1001")
    result = await _quiet(svc, caller("1001"), "23:00-07:00 asia/shanghai")
    stored = await quiet_db.get_choice(pool, user.id)
    assert stored == result.choice
    assert stored is not None and (stored.start, stored.end, stored.time_zone) == (
        time(23, 0),
        time(7, 0),
        "Asia/Shanghai",
    )
    assert stored.urgent == ("jailed", "excluded")
    shown = result.message.plain()
    assert "23:00 Asia/Shanghai (15:00 UTC)" in shown and "Jailed, Excluded from the epoch" in shown
    assert_renders(result.message)


async def test_the_urgent_list_is_chosen_from_the_conditions(svc: Services, pool: Pool) -> None:
    user = await make_user(pool, telegram="1001")
    with pytest.raises(InvalidInputError, match="window first"):
        await _quiet(svc, caller("1001"), "urgent offline")
    await _quiet(svc, caller("1001"), "22:30-06:30")
    await _quiet(svc, caller("1001"), "urgent jailed, offline")
    stored = await quiet_db.get_choice(pool, user.id)
    assert stored is not None and stored.urgent == ("jailed", "offline") and stored.time_zone == "UTC"
    with pytest.raises(UsageError, match="Unknown condition: sunburn"):
        await _quiet(svc, caller("1001"), "urgent sunburn")
    await _quiet(svc, caller("1001"), "urgent none")
    stored = await quiet_db.get_choice(pool, user.id)
    assert stored is not None and stored.urgent == ()


@pytest.mark.parametrize(
    ("text", "error", "says"),
    [
        ("23:00-23:00", UsageError, "same time"),
        ("23:00-25:00", UsageError, "not a time of day"),
        ("23:00-07:00 Moon/Base", InvalidInputError, "not a time zone"),
        ("tonight", UsageError, "/quiet"),
    ],
)
async def test_bad_input_is_answered_and_changes_nothing(
    svc: Services, pool: Pool, text: str, error: type[Exception], says: str
) -> None:
    user = await make_user(pool, telegram="1001")
    await _quiet(svc, caller("1001"), "22:00-06:00 Europe/Berlin")
    before = await quiet_db.get_choice(pool, user.id)
    with pytest.raises(error, match=says):
        await _quiet(svc, caller("1001"), text)
    assert await quiet_db.get_choice(pool, user.id) == before


async def test_off_stops_it_and_an_unlinked_caller_is_told_to_link(svc: Services, pool: Pool) -> None:
    user = await make_user(pool, telegram="1001")
    await _quiet(svc, caller("1001"), "23:00-07:00")
    assert (await _quiet(svc, caller("1001"), "off")).choice is None
    assert await quiet_db.get_choice(pool, user.id) is None
    with pytest.raises(NotLinkedError):
        await _quiet(svc, caller("4242"), "23:00-07:00")
