"""``/quiet HH:MM-HH:MM [time zone] | off | urgent <conditions>``: hold node alerts during the user's
night, except the conditions they call urgent (by default jailed and excluded from the epoch).

Holding and folding happen in the outbox (:mod:`bot.db.outbox`, :mod:`bot.quiet_hours.folder`); this
service keeps the user's window and urgent list (``user_quiet_hours``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.db import quiet_hours as quiet_db
from bot.db.quiet_hours import DEFAULT_URGENT, QuietChoice
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS
from bot.errors import InvalidInputError, UsageError
from bot.i18n.catalogs import Translator
from bot.render.message import Message, Span
from bot.services.authz import Authz
from bot.services.commands import usage
from bot.services.context import Caller
from bot.services.language import LanguageService
from bot.services.local_time import in_utc, parse_time, parse_zone

_WINDOW = re.compile(r"^(?P<start>[^-–]+)[-–](?P<end>[^-–]+)$")


@dataclass(frozen=True, slots=True)
class QuietResult:
    choice: QuietChoice | None
    message: Message


class QuietHoursService:
    def __init__(self, pool: Pool, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._authz = authz
        self._language = language

    async def show(self, caller: Caller) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        t = await self._language.translator(caller)
        return _render(t, await quiet_db.get_choice(self._pool, actor.me.id), None)

    async def turn_off(self, caller: Caller) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        async with self._pool.acquire() as conn, conn.transaction():
            had = await quiet_db.clear_choice(conn, actor.me.id)
            # what the window holds now goes out now, folded into one message
            await quiet_db.release_user(conn, actor.me.id, datetime.now(UTC))
        t = await self._language.translator(caller)
        return _render(t, None, t("Quiet hours off.") if had else t("Quiet hours were already off."))

    async def set(self, caller: Caller, window: str, zone: str | None) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        match = _WINDOW.match(window.strip())
        if match is None:
            raise InvalidInputError("Write the window as HH:MM-HH:MM, e.g. 23:00-07:00.")
        start, end = parse_time(match["start"]), parse_time(match["end"])
        if start == end:
            raise InvalidInputError("The window starts and ends at the same time: give two different times.")
        earlier = await quiet_db.get_choice(self._pool, actor.me.id)
        time_zone = await parse_zone(self._pool, zone) if zone else earlier.time_zone if earlier else "UTC"
        choice = QuietChoice(start, end, time_zone, earlier.urgent if earlier else DEFAULT_URGENT)
        await quiet_db.set_choice(self._pool, actor.me.id, choice)
        t = await self._language.translator(caller)
        return _render(t, choice, t("Quiet hours set."))

    async def set_urgent(self, caller: Caller, names: list[str]) -> QuietResult:
        """Which conditions still go at once inside the window (``none`` for nothing at all)."""
        actor = await self._authz.require_linked(caller)
        earlier = await quiet_db.get_choice(self._pool, actor.me.id)
        if earlier is None:
            raise InvalidInputError("Set the window first, e.g. /quiet 23:00-07:00.")
        wanted = [n.strip().lower() for n in ",".join(names).split(",") if n.strip()]
        urgent = () if wanted == ["none"] else tuple(dict.fromkeys(wanted))
        unknown = [n for n in urgent if CONDITIONS.get(n) is None]
        if unknown or not wanted:
            raise InvalidInputError(
                f"Unknown condition: {', '.join(unknown) or '(none given)'}. "
                f"Conditions: {', '.join(c.name for c in CONDITIONS)}, or none."
            )
        choice = replace(earlier, urgent=urgent)
        await quiet_db.set_choice(self._pool, actor.me.id, choice)
        t = await self._language.translator(caller)
        return _render(t, choice, t("Urgent list set."))

    async def command(self, caller: Caller, args: str) -> QuietResult:
        """``/quiet`` text: empty shows the window; ``off``; ``HH:MM-HH:MM [time zone]``;
        ``urgent <condition>[,<condition>…]``."""
        words = (args or "").split()
        if not words:
            return await self.show(caller)
        await self._authz.require_linked(caller)
        if words[0].lower() == "off" and len(words) == 1:
            return await self.turn_off(caller)
        if words[0].lower() == "urgent" and len(words) > 1:
            return await self.set_urgent(caller, words[1:])
        if len(words) <= 2 and any(ch in words[0] for ch in "-–"):
            return await self.set(caller, words[0], words[1] if len(words) == 2 else None)
        raise UsageError(usage("quiet"))


def _render(t: Translator, choice: QuietChoice | None, note: str | None) -> QuietResult:
    lines: list[tuple[Span, ...]] = []
    if note:
        lines.append((Span(text=note, style="bold"),))
    if choice is None:
        lines.append((Span(text=t("Every alert reaches you as it happens.")),))
        lines.append(
            (
                Span(text=t("Hold the non-urgent ones at night: ")),
                Span(text="/quiet 23:00-07:00", style="code"),
            )
        )
    else:
        now = datetime.now(UTC)
        window = t(
            "From {start} to {end}: node alerts are held and come as one message when the window ends.",
            start=in_utc(choice.start, choice.time_zone, now),
            end=in_utc(choice.end, choice.time_zone, now),
        )
        lines.append((Span(text=window),))
        urgent = ", ".join(t(c.texts.title) for n in choice.urgent if (c := CONDITIONS.get(n))) or t("none")
        lines.append((Span(text=t("Sent at once all the same: {conditions}.", conditions=urgent)),))
        lines.append(
            (Span(text=t("Change that: ")), Span(text="/quiet urgent jailed,excluded,offline", style="code"))
        )
        lines.append((Span(text=t("Change: ")), Span(text="/quiet HH:MM-HH:MM [time zone]", style="code")))
        lines.append((Span(text=t("Stop: ")), Span(text="/quiet off", style="code")))
    return QuietResult(choice, Message(title=t("Quiet hours"), lines=tuple(lines)))
