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
from bot.i18n.catalogs import LANGUAGES, N_, Translator
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
        language: LanguageService,
        conditions: ConditionTable = CONDITIONS,
    ) -> None:
        self._pool = pool
        self._authz = authz
        self._table = conditions
        self._language = language

    async def _delivery(self, who: Who, user_id: UUID) -> Delivery:
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
        t = await self._language.translator(actor)
        return self._result(
            t, actor.me.currency_preference, alerts, delivery=await self._delivery(actor, actor.me.id)
        )

    async def set_currency(self, who: Who, code: str) -> SettingsResult:
        """``code``: a currency code as :func:`bot.services.arguments.currency` returns it."""
        actor = await self._authz.require_linked(who)
        user = await users_db.set_currency(self._pool, actor.me.id, code)
        assert user is not None
        alerts = await settings_db.get_settings(self._pool, user.id)
        t = await self._language.translator(actor)
        note = t("Currency set to {currency}.", currency=user.currency_preference)
        delivery = await self._delivery(actor, user.id)
        return self._result(t, user.currency_preference, alerts, note, delivery=delivery)

    async def set_alert(self, who: Who, kind: str, on: bool) -> SettingsResult:
        """``kind``: a switch's name (:func:`bot.services.arguments.alert_kind` lower-cased it); one this
        service's condition table does not have is refused."""
        actor = await self._authz.require_linked(who)
        k = next((sw for sw in switches(self._table) if sw.name == kind), None)
        if k is None:
            raise InvalidInputError(
                N_("Alert kinds are: {kinds}."), kinds=", ".join(sw.name for sw in switches(self._table))
            )
        alerts = await settings_db.set_kind(self._pool, actor.me.id, k.name, on)
        t = await self._language.translator(actor)
        note = t("{kind} alerts on.", kind=t(k.label)) if on else t("{kind} alerts off.", kind=t(k.label))
        delivery = await self._delivery(actor, actor.me.id)
        return self._result(t, actor.me.currency_preference, alerts, note, delivery=delivery)

    async def change(self, who: Who, change: CurrencyChange | AlertSwitch | None) -> SettingsResult:
        """``/settings``: apply ``change`` (``None``: change nothing) and show the settings."""
        if isinstance(change, CurrencyChange):
            return await self.set_currency(who, change.code)
        if isinstance(change, AlertSwitch):
            return await self.set_alert(who, change.kind, change.on)
        return await self.show(who)

    def _result(
        self,
        t: Translator,
        currency: str,
        alerts: AlertSettings,
        note: str | None = None,
        *,
        delivery: Delivery,
    ) -> SettingsResult:
        lines: list[tuple[Span, ...]] = []
        if note:
            lines.append((Span(text=note, style="bold"),))
        lines.append((Span(text=t("Currency: ")), Span(text=currency, style="code")))
        lines.append((Span(text=t("Change it with ")), Span(text="/settings currency EUR", style="code")))
        lines.append((Span(text=t("Alerts you receive:"), style="bold"),))
        kinds = switches(self._table)
        on = {k.name: alerts.enabled(k.name, k.default_on) for k in kinds}
        for k in kinds:
            lines.append(
                (Span(text=f"{'✅' if on[k.name] else '❌'} {t(k.label)}"), Span(text=f" ({k.name})"))
            )
        buttons = button_grid(
            [
                Button(
                    label=(
                        t("Turn off: {kind}", kind=t(k.label))
                        if on[k.name]
                        else t("Turn on: {kind}", kind=t(k.label))
                    )[:80],
                    action=actions.SETTING,
                    args=(k.name, "off" if on[k.name] else "on"),
                )
                for k in kinds
            ],
            per_row=4,  # up to 16 switches in four rows; the fifth (Discord's last) is delivery's
            max_rows=4,
        )
        lines.extend(_delivery_lines(t, delivery))
        buttons = (*buttons, _delivery_buttons(t, delivery))
        return SettingsResult(
            currency=currency,
            alerts=alerts,
            message=Message(title=t("Settings"), lines=tuple(lines), buttons=buttons),
        )


def _delivery_lines(t: Translator, d: Delivery) -> list[tuple[Span, ...]]:
    how = t("your choice, /language") if d.language_saved else t("from your app, /language to choose")
    off = t("off")
    return [
        (Span(text=t("Language: "), style="bold"), Span(text=f"{LANGUAGES[d.language]} ({how})")),
        (
            Span(text=t("Daily digest: "), style="bold"),
            Span(text=d.digest or f"{off} (/digest 07:00 Europe/Moscow)"),
        ),
        (Span(text=t("Quiet hours: "), style="bold"), Span(text=d.quiet or f"{off} (/quiet 23:00-07:00)")),
    ]


def _delivery_buttons(t: Translator, d: Delivery) -> tuple[Button, ...]:
    codes = list(LANGUAGES)
    following = codes[(codes.index(d.language) + 1) % len(codes)]
    start, end = DEFAULT_WINDOW
    return (
        Button(label=f"🌐 {LANGUAGES[following]}", action=actions.LANGUAGE_SET, args=(following,)),
        Button(
            label=t("Daily digest: turn off") if d.digest else t("Daily digest: turn on (08:00)"),
            action=actions.DIGEST_SET,
            args=("off" if d.digest else "on",),
        ),
        Button(
            label=(
                t("Quiet hours: turn off")
                if d.quiet
                else t("Quiet hours: {window}", window=f"{start:%H:%M}–{end:%H:%M}")
            ),
            action=actions.QUIET_SET,
            args=("off" if d.quiet else "on",),
        ),
    )
