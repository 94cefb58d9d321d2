"""Times of day and time zones as users write them (``/digest``, ``/quiet``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.db import time_zones
from bot.db.types import Executor
from bot.errors import InvalidInputError
from bot.i18n.catalogs import N_

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
#: what the user meant as a time, valid or not (a bad one gets the time's own error, not the usage)
TIME_LIKE = re.compile(r"^\d{1,2}[:.h]\d")


def parse_time(text: str) -> time:
    """``07:00``, ``7:00``, ``19.30`` or ``7h05`` → a local time of day."""
    match = _TIME.match(text.strip())
    if match is None:
        raise InvalidInputError(
            N_("“{text}” is not a time of day: write it as HH:MM, e.g. 07:00."), text=text[:20]
        )
    return time(int(match.group(1)), int(match.group(2)))


async def parse_zone(db: Executor, text: str) -> str:
    """An IANA time zone name, matched without regard to case (``europe/moscow``)."""
    name = await time_zones.canonical_zone(db, text.strip())
    if name is None:
        raise InvalidInputError(
            N_("“{zone}” is not a time zone I know: use a name such as Europe/Moscow, Asia/Shanghai or UTC."),
            zone=text[:40],
        )
    return name


def zone_info(name: str | None) -> ZoneInfo | None:
    """The zone by its IANA name; None when none is given or this Python's tz database lacks one that
    PostgreSQL knows (the caller falls back to UTC)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def in_utc(at: time, zone_name: str, now: datetime) -> str:
    """``07:00 Europe/Moscow (04:00 UTC)``: the UTC time of today's occurrence, for orientation."""
    text = f"{at:%H:%M} {zone_name}"
    zone = zone_info(zone_name)
    if zone is None:
        return text
    local = datetime.combine(now.astimezone(zone).date(), at, tzinfo=zone)
    return text if zone_name == "UTC" else f"{text} ({local.astimezone(UTC):%H:%M} UTC)"
