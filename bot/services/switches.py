"""The alert switches of ``/settings``: every setting of the condition table, then the switches that are
no alert condition. Read by the argument parsers, the settings service and Discord's choices."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.conditions import CONDITIONS, ConditionTable
from bot.i18n.catalogs import N_


@dataclass(frozen=True, slots=True)
class Switch:
    name: str
    #: a catalogue source string (shown as ``t(label)``; Discord localizes it as a choice name)
    label: str
    default_on: bool


#: switches that are no alert condition
_OTHER_SWITCHES = (
    Switch("recovery", N_("Recovered"), True),
    Switch("reminders", N_("Reminders"), True),
    Switch("requests", N_("Request updates"), True),
)


def switches(table: ConditionTable = CONDITIONS) -> tuple[Switch, ...]:
    """Every alert switch of ``/settings``: the condition table's settings, then the others."""
    return tuple(Switch(s.name, s.label, s.default_on) for s in table.settings) + _OTHER_SWITCHES
