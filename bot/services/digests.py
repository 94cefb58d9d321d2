"""``/digest on|off|HH:MM [time zone]``: a summary of the user's nodes once a day at their local hour.

The digest itself is composed and enqueued by :mod:`bot.digests.scheduler`; this service keeps the
user's choice (``user_digests``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.db import digests as digests_db
from bot.db.digests import DigestChoice
from bot.db.types import Pool
from bot.errors import InvalidInputError, UsageError
from bot.render.message import Message, Span
from bot.services.authz import Authz
from bot.services.commands import usage
from bot.services.context import Caller

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
#: what the user meant as a time, valid or not (a bad one gets the time's own error, not the usage)
_TIME_LIKE = re.compile(r"^\d{1,2}[:.h]\d")
#: ``/digest on`` with no earlier choice
DEFAULT_CHOICE = DigestChoice(time(8, 0), "UTC")


@dataclass(frozen=True, slots=True)
class DigestResult:
    choice: DigestChoice | None
    message: Message


def parse_time(text: str) -> time:
    """``07:00``, ``7:00``, ``19.30`` or ``7h05`` → a local time of day."""
    match = _TIME.match(text.strip())
    if match is None:
        raise InvalidInputError(f"“{text[:20]}” is not a time of day: write it as HH:MM, e.g. 07:00.")
    return time(int(match.group(1)), int(match.group(2)))


def local_and_utc(choice: DigestChoice, now: datetime) -> str:
    """``07:00 Europe/Moscow (04:00 UTC)``: the UTC hour of today's occurrence, for orientation."""
    text = f"{choice.local_time:%H:%M} {choice.time_zone}"
    try:
        zone = ZoneInfo(choice.time_zone)
    except (ZoneInfoNotFoundError, ValueError):  # PostgreSQL knows it, this Python's tz database not
        return text
    local = datetime.combine(now.astimezone(zone).date(), choice.local_time, tzinfo=zone)
    return text if choice.time_zone == "UTC" else f"{text} ({local.astimezone(UTC):%H:%M} UTC)"


class DigestsService:
    def __init__(self, pool: Pool, authz: Authz) -> None:
        self._pool = pool
        self._authz = authz

    async def zone(self, text: str) -> str:
        """An IANA time zone name, matched without regard to case (``europe/moscow``)."""
        name = await digests_db.canonical_zone(self._pool, text.strip())
        if name is None:
            raise InvalidInputError(
                f"“{text[:40]}” is not a time zone I know: "
                "use a name such as Europe/Moscow, Asia/Shanghai or UTC."
            )
        return name

    async def show(self, caller: Caller) -> DigestResult:
        actor = await self._authz.require_linked(caller)
        choice = await digests_db.get_choice(self._pool, actor.me.id)
        return _render(choice, None)

    async def turn_off(self, caller: Caller) -> DigestResult:
        actor = await self._authz.require_linked(caller)
        had = await digests_db.clear_choice(self._pool, actor.me.id)
        return _render(None, "Daily digest off." if had else "The daily digest was already off.")

    async def set(self, caller: Caller, at: time | None, zone: str | None) -> DigestResult:
        """Turn the digest on: at ``at`` (else the earlier time, else 08:00) in ``zone`` (else the earlier
        zone, else UTC)."""
        actor = await self._authz.require_linked(caller)
        earlier = await digests_db.get_choice(self._pool, actor.me.id) or DEFAULT_CHOICE
        choice = DigestChoice(
            local_time=earlier.local_time if at is None else at,
            time_zone=earlier.time_zone if zone is None else await self.zone(zone),
        )
        await digests_db.set_choice(self._pool, actor.me.id, choice)
        return _render(choice, f"Daily digest at {local_and_utc(choice, datetime.now(UTC))}.")

    async def command(self, caller: Caller, args: str) -> DigestResult:
        """``/digest`` text: empty shows the choice; ``on``; ``off``; ``HH:MM [time zone]``."""
        words = (args or "").split()
        if not words:
            return await self.show(caller)
        await self._authz.require_linked(caller)
        head = words[0].lower()
        if head == "off" and len(words) == 1:
            return await self.turn_off(caller)
        if head == "on" and len(words) <= 2:
            return await self.set(caller, None, words[1] if len(words) == 2 else None)
        if len(words) <= 2 and _TIME_LIKE.match(words[0]):
            return await self.set(caller, parse_time(words[0]), words[1] if len(words) == 2 else None)
        raise UsageError(usage("digest"))


def _render(choice: DigestChoice | None, note: str | None) -> DigestResult:
    lines: list[tuple[Span, ...]] = []
    if note:
        lines.append((Span(text=note, style="bold"),))
    if choice is None:
        lines.append((Span(text="You get no daily digest."),))
        lines.append((Span(text="Turn it on: "), Span(text="/digest 07:00 Europe/Moscow", style="code")))
    else:
        if not note:
            lines.append((Span(text=f"Daily digest at {local_and_utc(choice, datetime.now(UTC))}."),))
        lines.append(
            (
                Span(
                    text="Each day: your nodes' state, the last epoch's earnings, the alerts of the day, "
                    "and when the next PoC and the safe upgrade window are."
                ),
            )
        )
        lines.append((Span(text="Change: "), Span(text="/digest HH:MM [time zone]", style="code")))
        lines.append((Span(text="Stop: "), Span(text="/digest off", style="code")))
    return DigestResult(choice, Message(title="Daily digest", lines=tuple(lines)))
