"""Incidents: one cause hitting many watched nodes in one cycle (issue 14, item 3).

Among a cycle's new problems (ALERT events), nodes that share a cause are one incident. A cause is,
most specific first: one exclusion reason, or one model group (the nodes serving the same model with
the same problem), either with at least ``alerts.incident_min_nodes`` nodes or more than
``alerts.incident_weight_share`` of the network's weight; or the same condition on more than that
share of the network's weight. Two nodes at least, and each node belongs to one incident at most
(the most specific, then largest, cause that still qualifies takes it).

Each owner then gets one message naming the incident and listing their affected nodes; admin
channels one summary with counts instead of a message listing every node (``bot.alerts.compose``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from bot.alerts.events import EventKind, NodeEvent
from bot.config import Config
from bot.domain.status import CycleReport, Observation
from bot.i18n.catalogs import L_, LazyText


@dataclass(frozen=True, slots=True)
class Incident:
    #: stable identity within the cycle (``model:<model>:<condition>``, ``excluded:<reason>``, ...)
    key: str
    #: the incident named for people: "Excluded from the epoch: nodes serving Qwen/QwQ-32B: 200 nodes",
    #: translated for each reader (``str()`` is English, for logs)
    title: LazyText
    #: every watched node it hit this cycle
    node_ids: tuple[UUID, ...]
    #: the share of the network's weight it hit (None: weights unknown)
    weight_share: Decimal | None
    #: condition title (a catalogue source string) -> nodes
    by_condition: tuple[tuple[str, int], ...]


def _weight(obs: Observation | None) -> int:
    return obs.weight if obs is not None and obs.weight is not None and obs.weight > 0 else 0


def find_incidents(config: Config, report: CycleReport, events: Sequence[NodeEvent]) -> dict[UUID, Incident]:
    """The incident each of this cycle's new problems belongs to (by the event's incident id)."""
    alerts = [e for e in events if e.kind is EventKind.ALERT and e.condition is not None]
    min_nodes = config.alerts.incident_min_nodes
    if len(alerts) < 2:
        return {}
    observations = {o.node_id: o for o in report.observations}
    total = report.network_weight or 0
    share_needed = config.alerts.incident_weight_share

    # candidate causes: key -> (title, events)
    causes: dict[str, tuple[LazyText, list[NodeEvent]]] = {}
    for e in alerts:
        assert e.condition is not None
        cond = e.condition
        obs = observations.get(e.node_id)
        title = L_(cond.texts.title)
        if cond.name == "excluded" and obs is not None and obs.excluded_reason:
            key = f"excluded:{obs.excluded_reason}"
            named = L_("{title} ({reason})", title=title, reason=obs.excluded_reason)
            causes.setdefault(key, (named, []))[1].append(e)
        for model in obs.models if obs is not None else ():
            key = f"model:{model}:{cond.name}"
            named = L_("{title}: nodes serving {model}", title=title, model=model)
            causes.setdefault(key, (named, []))[1].append(e)
        key = f"condition:{cond.name}"
        causes.setdefault(key, (L_("{title} across the network", title=title), []))[1].append(e)

    def share(evs: Sequence[NodeEvent]) -> Decimal | None:
        if total <= 0:
            return None
        return Decimal(sum(_weight(observations.get(e.node_id)) for e in evs)) / Decimal(total)

    def qualifies(key: str, evs: Sequence[NodeEvent]) -> bool:
        if len(evs) < 2:
            return False
        if len(evs) >= min_nodes and not key.startswith("condition:"):
            return True
        s = share(evs)
        return s is not None and s > share_needed

    taken: set[UUID] = set()
    out: dict[UUID, Incident] = {}
    # the most specific cause first (an exclusion reason, then a model group), larger first
    order = {"excluded": 0, "model": 1, "condition": 2}
    for key, (title, evs) in sorted(
        causes.items(), key=lambda kv: (order[kv[0].split(":", 1)[0]], -len(kv[1][1]), kv[0])
    ):
        free = [e for e in evs if e.incident_id not in taken]
        if not qualifies(key, free):
            continue
        counts: dict[str, int] = {}
        for e in free:
            assert e.condition is not None
            counts[e.condition.texts.title] = counts.get(e.condition.texts.title, 0) + 1
        incident = Incident(
            key=key,
            title=L_("{cause}: {count} nodes", cause=title, count=len(free)),
            node_ids=tuple(dict.fromkeys(e.node_id for e in free)),
            weight_share=share(free),
            by_condition=tuple(sorted(counts.items())),
        )
        for e in free:
            taken.add(e.incident_id)
            out[e.incident_id] = incident
    return out


def incident_of(incidents: Mapping[UUID, Incident], event: NodeEvent) -> Incident | None:
    return incidents.get(event.incident_id) if event.kind is EventKind.ALERT else None
