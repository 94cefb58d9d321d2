"""``/settings``: the user's currency, which alert conditions they receive, and their language, daily
digest and quiet hours (each with a button; ``/language``, ``/digest`` and ``/quiet`` set the details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from bot.db import alert_settings as settings_db
from bot.db import digests as digests_db
from bot.db import quiet_hours as quiet_db
from bot.db import users as users_db
from bot.db.alert_settings import AlertSettings
from bot.db.quiet_hours import DEFAULT_WINDOW
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS, ConditionTable
from bot.errors import InvalidInputError
from bot.i18n.catalogs import LANGUAGES
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.arguments import AlertSwitch, CurrencyChange
from bot.services.authz import Authz
from bot.services.context import Who, caller_of
from bot.services.language import LanguageService
from bot.services.local_time import in_utc
from bot.services.paging import button_grid
from bot.services.switches import switches


@dataclass(frozen=True, slots=True)
class SettingsResult:
    currency: str
    alerts: AlertSettings
    message: Message


@dataclass(frozen=True, slots=True)
class Delivery:
    """How and when the person hears from the bot, as /settings shows it."""

    language: str
    language_saved: bool
    digest: str | None
    quiet: str | None


class SettingsService:
    def __init__(
        self,
        pool: Pool,
        authz: Authz,
        conditions: ConditionTable = CONDITIONS,
        language: LanguageService | None = None,
    ) -> None:
        self._pool = pool
        self._authz = authz
        self._table = conditions
        self._language = language

    async def _delivery(self, who: Who, user_id: UUID) -> Delivery | None:
        if self._language is None:
            return None
        language, saved = await self._language.language_of(caller_of(who))
        now = datetime.now(UTC)
        digest = await digests_db.get_choice(self._pool, user_id)
        quiet = await quiet_db.get_choice(self._pool, user_id)
        return Delivery(
            language=language,
            language_saved=saved,
            digest=None if digest is None else in_utc(digest.local_time, digest.time_zone, now),
            quiet=None if quiet is None else f"{quiet.start:%H:%M}–{quiet.end:%H:%M} {quiet.time_zone}",
        )

    async def show(self, who: Who) -> SettingsResult:
        actor = await self._authz.require_linked(who)
        alerts = await settings_db.get_settings(self._pool, actor.me.id)
        return self._result(
            actor.me.currency_preference, alerts, delivery=await self._delivery(who, actor.me.id)
        )

    async def set_currency(self, who: Who, code: str) -> SettingsResult:
        """``code``: a currency code as :func:`bot.services.arguments.currency` returns it."""
        actor = await self._authz.require_linked(who)
        user = await users_db.set_currency(self._pool, actor.me.id, code)
        assert user is not None
        alerts = await settings_db.get_settings(self._pool, user.id)
        return self._result(user.currency_preference, alerts, f"Currency set to {user.currency_preference}.")

    async def set_alert(self, who: Who, kind: str, on: bool) -> SettingsResult:
        """``kind``: a switch's name (:func:`bot.services.arguments.alert_kind` lower-cased it); one this
        service's condition table does not have is refused."""
        actor = await self._authz.require_linked(who)
        k = next((sw for sw in switches(self._table) if sw.name == kind), None)
        if k is None:
            raise InvalidInputError(
                "Alert kinds are: " + ", ".join(sw.name for sw in switches(self._table)) + "."
            )
        alerts = await settings_db.set_kind(self._pool, actor.me.id, k.name, on)
        return self._result(
            actor.me.currency_preference, alerts, f"{k.label} alerts {'on' if on else 'off'}."
        )

    async def change(self, who: Who, change: CurrencyChange | AlertSwitch | None) -> SettingsResult:
        """``/settings``: apply ``change`` (``None``: change nothing) and show the settings."""
        if isinstance(change, CurrencyChange):
            return await self.set_currency(who, change.code)
        if isinstance(change, AlertSwitch):
            return await self.set_alert(who, change.kind, change.on)
        return await self.show(who)

    def _result(
        self,
        currency: str,
        alerts: AlertSettings,
        note: str | None = None,
        *,
        delivery: Delivery | None = None,
    ) -> SettingsResult:
        lines: list[tuple[Span, ...]] = []
        if note:
            lines.append((Span(text=note, style="bold"),))
        lines.append((Span(text="Currency: "), Span(text=currency, style="code")))
        lines.append((Span(text="Change it with /settings currency EUR"),))
        lines.append((Span(text="Alerts you receive:", style="bold"),))
        kinds = switches(self._table)
        on = {k.name: alerts.enabled(k.name, k.default_on) for k in kinds}
        for k in kinds:
            lines.append((Span(text=f"{'✅' if on[k.name] else '❌'} {k.label}"), Span(text=f" ({k.name})")))
        buttons = button_grid(
            [
                Button(
                    label=f"{'Turn off' if on[k.name] else 'Turn on'}: {k.label}"[:80],
                    action=actions.SETTING,
                    args=(k.name, "off" if on[k.name] else "on"),
                )
                for k in kinds
            ],
            per_row=4,  # up to 16 switches in four rows; the fifth (Discord's last) is delivery's
            max_rows=4,
        )
        if delivery is not None:
            lines.extend(_delivery_lines(delivery))
            buttons = (*buttons, _delivery_buttons(delivery))
        return SettingsResult(
            currency=currency,
            alerts=alerts,
            message=Message(title="Settings", lines=tuple(lines), buttons=buttons),
        )


def _delivery_lines(d: Delivery) -> list[tuple[Span, ...]]:
    how = "your choice, /language" if d.language_saved else "from your app, /language to choose"
    return [
        (Span(text="Language: ", style="bold"), Span(text=f"{LANGUAGES[d.language]} ({how})")),
        (
            Span(text="Daily digest: ", style="bold"),
            Span(text=d.digest or "off (/digest 07:00 Europe/Moscow)"),
        ),
        (Span(text="Quiet hours: ", style="bold"), Span(text=d.quiet or "off (/quiet 23:00-07:00)")),
    ]


def _delivery_buttons(d: Delivery) -> tuple[Button, ...]:
    codes = list(LANGUAGES)
    following = codes[(codes.index(d.language) + 1) % len(codes)]
    start, end = DEFAULT_WINDOW
    return (
        Button(label=f"🌐 {LANGUAGES[following]}", action=actions.LANGUAGE_SET, args=(following,)),
        Button(
            label="Daily digest: turn off" if d.digest else "Daily digest: turn on (08:00)",
            action=actions.DIGEST_SET,
            args=("off" if d.digest else "on",),
        ),
        Button(
            label="Quiet hours: turn off" if d.quiet else f"Quiet hours: {start:%H:%M}–{end:%H:%M}",
            action=actions.QUIET_SET,
            args=("off" if d.quiet else "on",),
        ),
    )
