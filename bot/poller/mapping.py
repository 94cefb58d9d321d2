"""Map every watched node against this cycle's snapshots, locally (no request per node)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from bot.db.stats import WatchedNode
from bot.domain.node_stats import (
    UNREADABLE,
    NodeStats,
    NodeTarget,
    SourceSnapshot,
    SourceVerdict,
    Thresholds,
    Verdict,
    decide,
    merge,
    node_stats,
    resolve_target,
    unknown_reason,
)
from bot.domain.status import NodeStatus, Observation


@dataclass(slots=True)
class Mapped:
    stats: list[NodeStats] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    changed: list[UUID] = field(default_factory=list)
    #: (source, reason) → nodes that source could not judge this cycle
    unknown: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: source → watched nodes it omitted although another source listed them
    disagreements: Counter[str] = field(default_factory=Counter)
    #: the total weight of the first snapshot's participants (None: no snapshot or no weights)
    network_weight: int | None = None


_UNRESOLVED = Verdict(NodeStatus.UNKNOWN, "identifier not resolvable")


def _target(node: WatchedNode, snap: SourceSnapshot) -> NodeTarget | None:
    if node.identifier_type == "wallet":
        return None  # fast path: the identifier is the address
    return resolve_target(node.identifier, node.identifier_type, snap)


def _unreadable(snap: SourceSnapshot, address: str | None, listed: bool) -> bool:
    """The source had a row for this node that failed validation (or may have had: a skipped row
    without a readable address makes every absence from that source unbelievable this cycle)."""
    skipped = snap.skipped
    if address is None or address in skipped.addresses:
        return True
    return not listed and skipped.unidentified > 0


def map_nodes(
    watched: Sequence[WatchedNode],
    snapshots: Sequence[SourceSnapshot],
    failed: Sequence[str],
    thresholds: Thresholds,
    now: datetime,
) -> Mapped:
    """One :class:`NodeStats` and :class:`Observation` per watched node; ``snapshots`` by priority."""
    out = Mapped()
    epoch_id = next((s.epoch_id for s in snapshots if s.epoch_id is not None), None)
    if snapshots:
        weights = [
            p.weight for p in snapshots[0].participants.values() if p.weight is not None and p.weight > 0
        ]
        out.network_weight = sum(weights) if weights else None
    unknown_status = NodeStatus.UNKNOWN
    for node in watched:
        # (snapshot, address, ml node) per source
        resolved: list[tuple[SourceSnapshot, str | None, str | None]] = []
        for snap in snapshots:
            t = _target(node, snap)
            resolved.append((snap, node.identifier, None) if t is None else (snap, t.address, t.ml_node))
        health = node.health_failures
        for snap, address, _ in resolved:
            if snap.reports_health and address is not None:
                view = snap.participants.get(address)
                if view is not None and view.node_healthy is not None:
                    health = health + 1 if view.node_healthy is False else 0
                    break
        verdicts: list[SourceVerdict] = []
        for snap, address, ml_node in resolved:
            if address is None and node.identifier_type != "validator":
                verdicts.append(SourceVerdict(snap.source, _UNRESOLVED, None))
                continue
            view = snap.participants.get(address) if address is not None else None
            if snap.skipped.hides_participants and _unreadable(snap, address, view is not None):
                verdicts.append(SourceVerdict(snap.source, UNREADABLE, None))
                continue
            verdict = decide(
                view,
                reports_health=snap.reports_health,
                health_failures=health,
                thresholds=thresholds,
                ml_node=ml_node,
            )
            verdicts.append(SourceVerdict(snap.source, verdict, view))
        winner = merge(verdicts)
        if winner is None or len(verdicts) > 1:
            listed = any(v.view is not None and v.view.in_epoch for v in verdicts)
            for v in verdicts:
                if v.verdict.status is unknown_status:
                    out.unknown[(v.source, v.verdict.reason or "unknown")] += 1
                elif v.view is None and listed:
                    out.disagreements[v.source] += 1
        snap_of_winner = next((s for s, _, _ in resolved if winner and s.source == winner.source), None)
        stats = node_stats(
            node.id,
            winner,
            fallback_reason="" if winner else unknown_reason(verdicts, failed),
            fetched_at=snap_of_winner.fetched_at if snap_of_winner else now,
            epoch_id=snap_of_winner.epoch_id if snap_of_winner else epoch_id,
            health_failures=health,
        )
        out.stats.append(stats)
        out.observations.append(
            Observation(
                node_id=node.id,
                status=stats.status,
                reason=stats.status_reason,
                source=stats.source,
                observed_at=now,
                epoch_id=stats.epoch_id,
                jailed_until=stats.jailed_until,
                ready_to_unjail=stats.ready_to_unjail,
                confirmation_poc_ratio=stats.view.confirmation_poc_ratio if stats.view else None,
                invalid_llr=stats.view.invalid_llr if stats.view else None,
                inactive_llr=stats.view.inactive_llr if stats.view else None,
                excluded_reason=stats.view.excluded_reason if stats.view else None,
                chain_status=stats.view.chain_status if stats.view else None,
                models=stats.view.models if stats.view else (),
                weight=stats.view.weight if stats.view else None,
            )
        )
        if stats.status is not unknown_status and stats.status is not node.cached_status:
            out.changed.append(node.id)
    return out
