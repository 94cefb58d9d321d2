"""``/settings``: the user's currency and which alert kinds they receive."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import alert_settings as settings_db
from bot.db import users as users_db
from bot.db.alert_settings import AlertSettings
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS, ConditionTable
from bot.errors import InvalidInputError
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.arguments import AlertSwitch, CurrencyChange
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.paging import button_grid
from bot.services.switches import switches


@dataclass(frozen=True, slots=True)
class SettingsResult:
    currency: str
    alerts: AlertSettings
    message: Message


class SettingsService:
    def __init__(self, pool: Pool, authz: Authz, conditions: ConditionTable = CONDITIONS) -> None:
        self._pool = pool
        self._authz = authz
        self._table = conditions

    async def show(self, who: Who) -> SettingsResult:
        actor = await self._authz.require_linked(who)
        alerts = await settings_db.get_settings(self._pool, actor.me.id)
        return self._result(actor.me.currency_preference, alerts)

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

    def _result(self, currency: str, alerts: AlertSettings, note: str | None = None) -> SettingsResult:
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
            per_row=3,  # up to 15 switches within Discord's five rows
        )
        return SettingsResult(
            currency=currency,
            alerts=alerts,
            message=Message(title="Settings", lines=tuple(lines), buttons=buttons),
        )
