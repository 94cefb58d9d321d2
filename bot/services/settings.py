"""``/settings``: the user's currency and which alert kinds they receive."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import alert_settings as settings_db
from bot.db import users as users_db
from bot.db.alert_settings import ALERT_KINDS, AlertKind, AlertSettings
from bot.db.types import Pool
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.arguments import AlertSwitch, CurrencyChange
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.paging import button_grid

_KIND_TEXT: dict[AlertKind, str] = {
    "jailed": "Jailed",
    "offline": "Offline",
    "unhealthy": "Unhealthy",
    "recovery": "Recovered",
    "reminders": "Reminders",
    "requests": "Request updates",
}


@dataclass(frozen=True, slots=True)
class SettingsResult:
    currency: str
    alerts: AlertSettings
    message: Message


class SettingsService:
    def __init__(self, pool: Pool, authz: Authz) -> None:
        self._pool = pool
        self._authz = authz

    async def show(self, who: Who) -> SettingsResult:
        actor = await self._authz.require_linked(who)
        alerts = await settings_db.get_settings(self._pool, actor.me.id)
        return _result(actor.me.currency_preference, alerts)

    async def set_currency(self, who: Who, code: str) -> SettingsResult:
        """``code``: a currency code as :func:`bot.services.arguments.currency` returns it."""
        actor = await self._authz.require_linked(who)
        user = await users_db.set_currency(self._pool, actor.me.id, code)
        assert user is not None
        alerts = await settings_db.get_settings(self._pool, user.id)
        return _result(user.currency_preference, alerts, f"Currency set to {user.currency_preference}.")

    async def set_alert(self, who: Who, k: AlertKind, on: bool) -> SettingsResult:
        actor = await self._authz.require_linked(who)
        alerts = await settings_db.set_kind(self._pool, actor.me.id, k, on)
        return _result(
            actor.me.currency_preference, alerts, f"{_KIND_TEXT[k]} alerts {'on' if on else 'off'}."
        )

    async def change(self, who: Who, change: CurrencyChange | AlertSwitch | None) -> SettingsResult:
        """``/settings``: apply ``change`` (``None``: change nothing) and show the settings."""
        if isinstance(change, CurrencyChange):
            return await self.set_currency(who, change.code)
        if isinstance(change, AlertSwitch):
            return await self.set_alert(who, change.kind, change.on)
        return await self.show(who)


def _result(currency: str, alerts: AlertSettings, note: str | None = None) -> SettingsResult:
    lines: list[tuple[Span, ...]] = []
    if note:
        lines.append((Span(text=note, style="bold"),))
    lines.append((Span(text="Currency: "), Span(text=currency, style="code")))
    lines.append((Span(text="Change it with /settings currency EUR"),))
    lines.append((Span(text="Alerts you receive:", style="bold"),))
    for k in ALERT_KINDS:
        lines.append((Span(text=f"{'✅' if alerts.enabled(k) else '❌'} {_KIND_TEXT[k]}"),))
    buttons = button_grid(
        [
            Button(
                label=f"{'Turn off' if alerts.enabled(k) else 'Turn on'}: {_KIND_TEXT[k]}",
                action=actions.SETTING,
                args=(k, "off" if alerts.enabled(k) else "on"),
            )
            for k in ALERT_KINDS
        ]
    )
    return SettingsResult(
        currency=currency,
        alerts=alerts,
        message=Message(title="Settings", lines=tuple(lines), buttons=buttons),
    )
