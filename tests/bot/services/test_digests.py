"""/digest: the user's hour and time zone are kept; bad input gets a clear answer and changes nothing."""

from __future__ import annotations

from datetime import time

import pytest

from bot.config import Config
from bot.db import digests as digests_db
from bot.db.types import Pool
from bot.errors import InvalidInputError, NotLinkedError, UsageError
from bot.services.container import Services
from bot.services.context import Caller
from bot.services.digests import DigestResult
from tests.bot.services.helpers import assert_renders, services
from tests.helpers import caller, make_user


async def _digest(svc: Services, who: Caller, text: str) -> DigestResult:
    """``/digest text`` as a frontend runs it: the arguments parsed, then the service."""
    args = await svc.arguments.text(await svc.authz.resolve(who), "digest", text)
    return await svc.digests.change(who, args.get("schedule"))


@pytest.fixture
def svc(pool: Pool, config: Config) -> Services:
    return services(pool, config)


async def test_a_time_and_zone_are_kept_with_the_zone_spelt_properly(svc: Services, pool: Pool) -> None:
    user = await make_user(pool, telegram="1001")
    result = await _digest(svc, caller("1001"), "7:00 europe/moscow")
    assert result.choice is not None
    assert (result.choice.local_time, result.choice.time_zone) == (time(7, 0), "Europe/Moscow")
    assert "07:00 Europe/Moscow (04:00 UTC)" in result.message.plain()
    assert_renders(result.message)
    stored = await digests_db.get_choice(pool, user.id)
    assert stored == result.choice


async def test_on_keeps_the_earlier_hour_and_off_stops_it(svc: Services, pool: Pool) -> None:
    user = await make_user(pool, telegram="1001")
    first = await _digest(svc, caller("1001"), "on")
    assert first.choice is not None and (first.choice.local_time, first.choice.time_zone) == (
        time(8, 0),
        "UTC",
    )
    await _digest(svc, caller("1001"), "21:30 Asia/Shanghai")
    off = await _digest(svc, caller("1001"), "off")
    assert off.choice is None and "off" in off.message.plain()
    assert await digests_db.get_choice(pool, user.id) is None
    again = await _digest(svc, caller("1001"), "on")
    assert again.choice is not None and again.choice.time_zone == "UTC"  # the choice went with "off"
    shown = await _digest(svc, caller("1001"), "")
    assert "08:00 UTC" in shown.message.plain()


@pytest.mark.parametrize(
    ("text", "error", "says"),
    [
        ("25:00", UsageError, "not a time of day"),
        ("07:61 UTC", UsageError, "not a time of day"),
        ("07:00 Mars/Olympus", InvalidInputError, "not a time zone"),
        ("07:00 posix/Europe/Moscow", InvalidInputError, "not a time zone"),
        ("sometimes", UsageError, "/digest"),
        ("07:00 UTC extra", UsageError, "/digest"),
    ],
)
async def test_bad_input_is_answered_and_changes_nothing(
    svc: Services, pool: Pool, text: str, error: type[Exception], says: str
) -> None:
    user = await make_user(pool, telegram="1001")
    await _digest(svc, caller("1001"), "06:15 Europe/Berlin")
    with pytest.raises(error, match=says):
        await _digest(svc, caller("1001"), text)
    stored = await digests_db.get_choice(pool, user.id)
    assert stored is not None and (stored.local_time, stored.time_zone) == (time(6, 15), "Europe/Berlin")


async def test_an_unlinked_chat_account_is_told_to_link_first(svc: Services) -> None:
    with pytest.raises(NotLinkedError):
        await _digest(svc, caller("4242"), "07:00")
