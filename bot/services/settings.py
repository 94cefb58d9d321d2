"""``/settings``: the user's currency and which alert kinds they receive."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.db import alert_settings as settings_db
from bot.db import users as users_db
from bot.db.alert_settings import AlertSettings
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS, ConditionTable
from bot.errors import InvalidInputError, UsageError
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.authz import Authz
from bot.services.commands import usage
from bot.services.context import Caller
from bot.services.paging import button_grid

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ON = {"on", "yes", "true", "1", "enable", "enabled"}
_OFF = {"off", "no", "false", "0", "disable", "disabled"}
#: switches that are no alert condition
_OTHER_SWITCHES = (
    ("recovery", "Recovered", True),
    ("reminders", "Reminders", True),
    ("requests", "Request updates", True),
)


@dataclass(frozen=True, slots=True)
class Switch:
    name: str
    label: str
    default_on: bool


def switches(table: ConditionTable = CONDITIONS) -> tuple[Switch, ...]:
    """Every alert switch of ``/settings``: the condition table's settings, then the others."""
    return tuple(Switch(s.name, s.label, s.default_on) for s in table.settings) + tuple(
        Switch(*o) for o in _OTHER_SWITCHES
    )


@dataclass(frozen=True, slots=True)
class SettingsResult:
    currency: str
    alerts: AlertSettings
    message: Message


def validate_currency(code: str) -> str:
    cleaned = (code or "").strip().upper()
    if not _CURRENCY.match(cleaned):
        raise InvalidInputError("A currency is a 3-letter code such as USD, EUR or GNK.")
    return cleaned


def parse_switch(value: bool | str) -> bool:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _ON:
        return True
    if lowered in _OFF:
        return False
    raise InvalidInputError("Say on or off.")


def parse_kind(kind: str, table: ConditionTable = CONDITIONS) -> Switch:
    lowered = (kind or "").strip().lower()
    for k in switches(table):
        if k.name == lowered:
            return k
    raise InvalidInputError("Alert kinds are: " + ", ".join(k.name for k in switches(table)) + ".")


class SettingsService:
    def __init__(self, pool: Pool, authz: Authz, conditions: ConditionTable = CONDITIONS) -> None:
        self._pool = pool
        self._authz = authz
        self._table = conditions

    async def show(self, caller: Caller) -> SettingsResult:
        actor = await self._authz.require_linked(caller)
        alerts = await settings_db.get_settings(self._pool, actor.me.id)
        return self._result(actor.me.currency_preference, alerts)

    async def set_currency(self, caller: Caller, code: str) -> SettingsResult:
        actor = await self._authz.require_linked(caller)
        user = await users_db.set_currency(self._pool, actor.me.id, validate_currency(code))
        assert user is not None
        alerts = await settings_db.get_settings(self._pool, user.id)
        return self._result(user.currency_preference, alerts, f"Currency set to {user.currency_preference}.")

    async def set_alert(self, caller: Caller, kind: str, enabled: bool | str) -> SettingsResult:
        actor = await self._authz.require_linked(caller)
        k, on = parse_kind(kind, self._table), parse_switch(enabled)
        alerts = await settings_db.set_kind(self._pool, actor.me.id, k.name, on)
        return self._result(
            actor.me.currency_preference, alerts, f"{k.label} alerts {'on' if on else 'off'}."
        )

    async def command(self, caller: Caller, args: str) -> SettingsResult:
        """``/settings`` text: empty shows; ``currency EUR``; ``<kind> on|off``."""
        words = (args or "").split()
        if not words:
            return await self.show(caller)
        await self._authz.require_linked(caller)
        if len(words) == 2 and words[0].lower() == "currency":
            return await self.set_currency(caller, words[1])
        if len(words) == 2:
            return await self.set_alert(caller, words[0], words[1])
        raise UsageError(usage("settings"))

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
