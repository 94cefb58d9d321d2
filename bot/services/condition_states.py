"""Each alert condition's state for one node, as ``/node`` shows it: the table's detectors run on
the node's cached row, the network's last state and the node's stored probe findings (the same pure
functions the alert engine runs on each cycle's observation and probe step).

The probe findings (conditions e-h) are what the poll leader's probe step last stored for the node
(:func:`bot.db.probes.load_findings`); findings of a step older than
``trackers.probes.findings_max_age_s``, or none at all, read as unknown, never as ok."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from bot.config import Config
from bot.db import probes as probes_db
from bot.db.stats_read import CachedNodeStats
from bot.db.types import Executor
from bot.domain.conditions import REASON, ConditionTable, NodeFacts, Options, Reading, State
from bot.domain.network import NetworkState
from bot.domain.probes import FACTS_KEY, ProbeFacts
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


@dataclass(frozen=True, slots=True)
class ProbeReading:
    """How ``/node`` reads the stored probe findings (``trackers.probes``)."""

    enabled: bool
    max_age: timedelta
    warn_epochs: int
    collateral_margin: Decimal

    @classmethod
    def from_config(cls, config: Config) -> ProbeReading:
        p = config.trackers.probes
        return cls(
            p.enabled,
            timedelta(seconds=p.findings_max_age_s),
            p.model_penalty_warn_epochs,
            p.collateral_warn_margin,
        )


async def probe_facts(db: Executor, node_id: UUID, how: ProbeReading, now: datetime) -> ProbeFacts | None:
    """The node's stored probe findings as the probe conditions read them; None (every probe condition
    unknown) when probes are off, nothing is stored for the node, or the step that stored it is older
    than ``how.max_age``."""
    if not how.enabled:
        return None
    found = await probes_db.load_findings(db, node_id)
    if found is None or now - found.run_at > how.max_age:
        return None
    return ProbeFacts(found.node, found.network, how.warn_epochs, how.collateral_margin)


def condition_readings(
    table: ConditionTable,
    stats: CachedNodeStats,
    network: NetworkState | None,
    options: Options,
    probes: ProbeFacts | None = None,
) -> list[tuple[str, Reading]]:
    """``(title, reading)`` per condition, in table order."""
    extra = {FACTS_KEY: probes} if probes is not None else {}
    facts = NodeFacts(observation_of(stats, stats.fetched_at), network, options, extra)
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
