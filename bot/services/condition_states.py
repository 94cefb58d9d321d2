"""Each alert condition's state for one node, as ``/node`` shows it: the table's detectors run on
the node's cached row and the network's last state (the same pure functions the alert engine runs
on each cycle's observation)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.db.stats_read import CachedNodeStats
from bot.domain.conditions import REASON, ConditionTable, NodeFacts, Options, Reading, State
from bot.domain.network import NetworkState
from bot.domain.status import NodeStatus, Observation
from bot.i18n.catalogs import ENGLISH, N_, Translator
from bot.render.message import Span

_BADGE = {State.OK: "✅", State.WARNING: "🟡", State.FAILING: "🔴", State.UNKNOWN: "⚪"}
#: each state's word in ``/node``
_STATE_WORDS = {
    State.OK: N_("ok"),
    State.WARNING: N_("warning"),
    State.FAILING: N_("failing"),
    State.UNKNOWN: N_("unknown"),
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def observation_of(stats: CachedNodeStats, at: datetime) -> Observation:
    """The cached row as the observation detectors read (fields the cache lacks are unknown)."""
    d = stats.details
    try:
        status = NodeStatus(stats.status or NodeStatus.UNKNOWN.value)
    except ValueError:
        status = NodeStatus.UNKNOWN
    return Observation(
        node_id=stats.node_id,
        status=status,
        reason=stats.status_reason,
        source=stats.source,
        observed_at=at,
        epoch_id=stats.epoch_id,
        jailed_until=stats.jailed_until,
        ready_to_unjail=stats.ready_to_unjail,
        confirmation_poc_ratio=_decimal(d.get("confirmation_poc_ratio")),
        invalid_llr=_decimal(d.get("invalid_llr")),
        inactive_llr=_decimal(d.get("inactive_llr")),
        excluded_reason=d.get("excluded_reason") if isinstance(d.get("excluded_reason"), str) else None,
        chain_status=d.get("chain_status") if isinstance(d.get("chain_status"), str) else None,
    )


def condition_readings(
    table: ConditionTable, stats: CachedNodeStats, network: NetworkState | None, options: Options
) -> list[tuple[str, Reading]]:
    """``(title, reading)`` per condition, in table order."""
    facts = NodeFacts(observation_of(stats, stats.fetched_at), network, options)
    readings = table.read(facts)
    return [(c.texts.title, readings[c.name]) for c in table]


def condition_lines(readings: list[tuple[str, Reading]], t: Translator = ENGLISH) -> list[tuple[Span, ...]]:
    """``✅ Jailed: ok`` … with the numbers behind each state, in the reader's language."""
    lines: list[tuple[Span, ...]] = [(Span(text=t("Alert conditions"), style="bold"),)]
    for title, r in readings:
        numbers = " · ".join(
            f"{t.text(label)} {t.text(value)}" for label, value in r.numbers if label != REASON
        )
        state = t("{title}: {state}", title=t(title), state=t(_STATE_WORDS[r.state]))
        text = f"{_BADGE[r.state]} {state}" + (f" · {numbers}" if numbers else "")
        lines.append((Span(text=text[:300]),))
    return lines
