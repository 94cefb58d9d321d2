"""``/quiet HH:MM-HH:MM [time zone] | off | urgent <conditions>``: hold node alerts during the user's
night, except the conditions they call urgent (by default jailed and excluded from the epoch).

Holding and folding happen in the outbox (:mod:`bot.db.outbox`, :mod:`bot.quiet_hours.folder`); this
service keeps the user's window and urgent list (``user_quiet_hours``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from bot.db import quiet_hours as quiet_db
from bot.db.quiet_hours import DEFAULT_URGENT, QuietChoice
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS
from bot.errors import InvalidInputError
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Message, Span
from bot.services.arguments import QuietOff, QuietUrgent, QuietWindow
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.language import LanguageService
from bot.services.local_time import in_utc, parse_zone


@dataclass(frozen=True, slots=True)
class QuietResult:
    choice: QuietChoice | None
    message: Message


class QuietHoursService:
    def __init__(self, pool: Pool, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._authz = authz
        self._language = language

    async def show(self, caller: Who) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        t = await self._language.translator(caller)
        return _render(t, await quiet_db.get_choice(self._pool, actor.me.id), None)

    async def turn_off(self, caller: Who) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        async with self._pool.acquire() as conn, conn.transaction():
            had = await quiet_db.clear_choice(conn, actor.me.id)
            # what the window holds now goes out now, folded into one message
            await quiet_db.release_user(conn, actor.me.id, datetime.now(UTC))
        t = await self._language.translator(caller)
        return _render(t, None, t("Quiet hours off.") if had else t("Quiet hours were already off."))

    async def set(self, caller: Who, start: time, end: time, zone: str | None) -> QuietResult:
        actor = await self._authz.require_linked(caller)
        earlier = await quiet_db.get_choice(self._pool, actor.me.id)
        time_zone = await parse_zone(self._pool, zone) if zone else earlier.time_zone if earlier else "UTC"
        choice = QuietChoice(start, end, time_zone, earlier.urgent if earlier else DEFAULT_URGENT)
        await quiet_db.set_choice(self._pool, actor.me.id, choice)
        t = await self._language.translator(caller)
        return _render(t, choice, t("Quiet hours set."))

    async def set_urgent(self, caller: Who, urgent: tuple[str, ...]) -> QuietResult:
        """Which conditions (names of the condition table) still go at once inside the window."""
        actor = await self._authz.require_linked(caller)
        earlier = await quiet_db.get_choice(self._pool, actor.me.id)
        if earlier is None:
            raise InvalidInputError(N_("Set the window first, e.g. /quiet 23:00-07:00."))
        choice = replace(earlier, urgent=urgent)
        await quiet_db.set_choice(self._pool, actor.me.id, choice)
        t = await self._language.translator(caller)
        return _render(t, choice, t("Urgent list set."))

    async def change(self, who: Who, change: QuietOff | QuietWindow | QuietUrgent | None) -> QuietResult:
        """``/quiet``: apply ``change`` (:func:`bot.services.arguments.quiet`; ``None`` shows it)."""
        if isinstance(change, QuietOff):
            return await self.turn_off(who)
        if isinstance(change, QuietWindow):
            return await self.set(who, change.start, change.end, change.zone)
        if isinstance(change, QuietUrgent):
            return await self.set_urgent(who, change.conditions)
        return await self.show(who)


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
