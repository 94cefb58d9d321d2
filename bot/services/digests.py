"""``/digest on|off|HH:MM [time zone]``: a summary of the user's nodes once a day at their local hour.

The digest itself is composed and enqueued by :mod:`bot.digests.scheduler`; this service keeps the
user's choice (``user_digests``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.db import digests as digests_db
from bot.db.digests import DigestChoice
from bot.db.types import Pool
from bot.i18n.catalogs import Translator
from bot.render.message import Message, Span
from bot.services.arguments import DigestOff, DigestOn
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.language import LanguageService
from bot.services.local_time import in_utc, parse_zone

#: ``/digest on`` with no earlier choice
DEFAULT_CHOICE = DigestChoice(time(8, 0), "UTC")


@dataclass(frozen=True, slots=True)
class DigestResult:
    choice: DigestChoice | None
    message: Message


def local_and_utc(choice: DigestChoice, now: datetime) -> str:
    return in_utc(choice.local_time, choice.time_zone, now)


class DigestsService:
    def __init__(self, pool: Pool, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._authz = authz
        self._language = language

    async def show(self, caller: Who) -> DigestResult:
        actor = await self._authz.require_linked(caller)
        choice = await digests_db.get_choice(self._pool, actor.me.id)
        return _render(await self._language.translator(caller), choice, None)

    async def turn_off(self, caller: Who) -> DigestResult:
        actor = await self._authz.require_linked(caller)
        had = await digests_db.clear_choice(self._pool, actor.me.id)
        t = await self._language.translator(caller)
        return _render(t, None, t("Daily digest off.") if had else t("The daily digest was already off."))

    async def set(self, caller: Who, at: time | None, zone: str | None) -> DigestResult:
        """Turn the digest on: at ``at`` (else the earlier time, else 08:00) in ``zone`` (else the earlier
        zone, else UTC)."""
        actor = await self._authz.require_linked(caller)
        earlier = await digests_db.get_choice(self._pool, actor.me.id) or DEFAULT_CHOICE
        choice = DigestChoice(
            local_time=earlier.local_time if at is None else at,
            time_zone=earlier.time_zone if zone is None else await parse_zone(self._pool, zone),
        )
        await digests_db.set_choice(self._pool, actor.me.id, choice)
        t = await self._language.translator(caller)
        return _render(t, choice, t("Daily digest at {time}.", time=local_and_utc(choice, datetime.now(UTC))))

    async def change(self, who: Who, change: DigestOn | DigestOff | None) -> DigestResult:
        """``/digest``: apply ``change`` (:func:`bot.services.arguments.digest`; ``None`` shows it)."""
        if isinstance(change, DigestOff):
            return await self.turn_off(who)
        if isinstance(change, DigestOn):
            return await self.set(who, change.at, change.zone)
        return await self.show(who)


def _render(t: Translator, choice: DigestChoice | None, note: str | None) -> DigestResult:
    lines: list[tuple[Span, ...]] = []
    if note:
        lines.append((Span(text=note, style="bold"),))
    if choice is None:
        lines.append((Span(text=t("You get no daily digest.")),))
        lines.append((Span(text=t("Turn it on: ")), Span(text="/digest 07:00 Europe/Moscow", style="code")))
    else:
        if not note:
            at = local_and_utc(choice, datetime.now(UTC))
            lines.append((Span(text=t("Daily digest at {time}.", time=at)),))
        each_day = t(
            "Each day: your nodes' state, the last epoch's earnings, the alerts of the day, "
            "and when the next PoC and the safe upgrade window are."
        )
        lines.append((Span(text=each_day),))
        lines.append((Span(text=t("Change: ")), Span(text="/digest HH:MM [time zone]", style="code")))
        lines.append((Span(text=t("Stop: ")), Span(text="/digest off", style="code")))
    return DigestResult(choice, Message(title=t("Daily digest"), lines=tuple(lines)))
