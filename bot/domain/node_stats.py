"""One node's status from what the trackers say (docs/architecture.md, "Node status").

Sources are normalised into :class:`ParticipantView` records inside a :class:`SourceSnapshot`; each
source's view of a node becomes a :class:`Verdict` (:func:`decide`); verdicts merge in the configured
priority (:func:`merge`); the winner becomes the :class:`NodeStats` row cached for the node.

Rules that matter: ``None`` means unknown and yields UNKNOWN, never a guess; a node absent from a
successful, consistent payload is OFFLINE, but a failed source yields no verdict at all, and an absence
contradicted by another source that lists the participant is not believed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from bot.domain.identifiers import (
    OPERATOR_HRP,
    VALCONS_HRP,
    WALLET_HRP,
    bech32_decode,
    bech32_encode,
    valcons_from_pubkey,
)
from bot.domain.network import ConfirmationPoC, PocSchedule
from bot.domain.status import NodeStatus

NGONKA_PER_GNK = 10**9


@dataclass(slots=True)
class ParticipantView:
    """What one source says about one participant (address ``gonka1…``)."""

    address: str
    in_epoch: bool = True
    #: listed in ``excluded_participants`` (with its reason)
    excluded_reason: str | None = None
    is_jailed: bool | None = None
    jailed_until: datetime | None = None
    ready_to_unjail: bool | None = None
    #: chain participant status: ACTIVE, INACTIVE, INVALID, RAMPING (None: not known)
    chain_status: str | None = None
    node_healthy: bool | None = None
    missed_rate: float | None = None
    invalidation_rate: float | None = None
    #: the chain's Decimals, exact (``integrations.chain_decimal``); None: not known
    confirmation_poc_ratio: Decimal | None = None
    invalid_llr: Decimal | None = None
    inactive_llr: Decimal | None = None
    weight: int | None = None
    models: tuple[str, ...] = ()
    #: ML-node ids the source lists for this participant (None: the source does not list them)
    ml_nodes: tuple[str, ...] | None = None
    validator_key: str | None = None
    inference_count: int | None = None
    earned_coins: int | None = None
    #: the host's API as the participant registered it (probed for versions and ML-node metrics)
    inference_url: str | None = None


@dataclass(slots=True)
class SkippedRows:
    """Participant rows of one poll that failed validation: skipped, never the reason the poll fails.

    A skipped participant is unknown for that source (never offline): its address, when the row had
    one, is in ``addresses``; a row without a readable address makes every absence from that source
    unbelievable this cycle (``unidentified``)."""

    #: bounded reason label (the field that failed, or ``invalid``) -> rows
    counts: Counter[str] = field(default_factory=Counter)
    addresses: set[str] = field(default_factory=set)
    unidentified: int = 0
    #: reason label -> one example ("address: path: message"), for the once-per-cycle log line
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, reason: str, address: str | None, detail: str) -> None:
        self.counts[reason] += 1
        if address is None:
            self.unidentified += 1
        else:
            self.addresses.add(address)
        self.examples.setdefault(reason, f"{address or '(no address)'}: {detail}"[:300])

    def clear(self) -> None:
        """Start over (a retried fetch)."""
        self.counts.clear()
        self.addresses.clear()
        self.unidentified = 0
        self.examples.clear()

    def merge(self, other: SkippedRows) -> None:
        self.counts.update(other.counts)
        self.addresses |= other.addresses
        self.unidentified += other.unidentified
        for k, v in other.examples.items():
            self.examples.setdefault(k, v)

    def __bool__(self) -> bool:
        return bool(self.counts)

    @property
    def hides_participants(self) -> bool:
        """A skipped row was (or may have been) a participant's: absences are not all believable."""
        return bool(self.addresses) or self.unidentified > 0


@dataclass(slots=True)
class SourceSnapshot:
    """One successful, consistent fetch of one source."""

    source: str
    epoch_id: int | None
    fetched_at: datetime
    participants: Mapping[str, ParticipantView]
    #: the epoch is in its PoC phase; None when this source cannot tell
    poc_phase: bool | None = None
    #: node_healthy is a criterion for this source (hyperfusion probes hosts; gonka_api does not)
    reports_health: bool = False
    #: participant rows of this fetch that failed validation (their nodes are unknown for this source)
    skipped: SkippedRows = field(default_factory=SkippedRows)
    #: None when this source cannot tell (Hyperfusion does not report confirmation PoC)
    confirmation_poc: ConfirmationPoC | None = None
    #: the chain height and the next PoC's start; None when this source cannot tell
    schedule: PocSchedule | None = None
    #: the newest epoch whose rewards are settled as of this fetch; None when this source cannot tell
    settled_epoch_id: int | None = None
    _by_key: dict[str, str] | None = field(default=None, repr=False)
    _by_valcons: dict[str, str] | None = field(default=None, repr=False)

    def address_for_validator(self, key_or_valcons: str) -> str | None:
        """The participant address of a base64 validator key or a ``gonkavalcons1…`` address."""
        if key_or_valcons.startswith(VALCONS_HRP + "1"):
            if self._by_valcons is None:
                self._by_valcons = {}
                for p in self.participants.values():
                    if p.validator_key:
                        try:
                            self._by_valcons[valcons_from_pubkey(p.validator_key)] = p.address
                        except ValueError:
                            continue
            return self._by_valcons.get(key_or_valcons)
        if self._by_key is None:
            self._by_key = {p.validator_key: p.address for p in self.participants.values() if p.validator_key}
        return self._by_key.get(key_or_valcons)


@dataclass(frozen=True, slots=True)
class Thresholds:
    missed_rate: float = 0.10
    invalidation_rate: float = 0.10
    #: confirmation PoC ratio at or below this disqualifies from the epoch reward (the chain's
    #: ``confirmation_poc_params.alpha_threshold`` when known, see :mod:`bot.domain.chain_params`)
    confirmation_ratio: Decimal = Decimal("0.5")
    #: consecutive failed health probes after which the endpoint counts as unreachable (offline)
    offline_after_health_failures: int = 3


@dataclass(frozen=True, slots=True)
class Verdict:
    status: NodeStatus
    reason: str | None


_NOT_IN_EPOCH = Verdict(NodeStatus.OFFLINE, "not in epoch")
_ML_NODE_GONE = Verdict(NodeStatus.OFFLINE, "ML node not in epoch")
_JAILED = Verdict(NodeStatus.JAILED, "validator jailed")
_JAIL_UNKNOWN = Verdict(NodeStatus.UNKNOWN, "jail status unknown")
_FAILED_POC = Verdict(NodeStatus.OFFLINE, "failed PoC")
_UNREACHABLE = Verdict(NodeStatus.OFFLINE, "endpoint unreachable")
_INVALID = Verdict(NodeStatus.UNHEALTHY, "invalid inferences")
_MISSED = Verdict(NodeStatus.UNHEALTHY, "missed requests")
_INVALIDATED = Verdict(NodeStatus.UNHEALTHY, "invalidated inferences")
_LOW_CPOC = Verdict(NodeStatus.UNHEALTHY, "low confirmation PoC")
_HEALTH_FAILED = Verdict(NodeStatus.UNHEALTHY, "health check failed")
_HEALTH_UNKNOWN = Verdict(NodeStatus.UNKNOWN, "health unknown")
#: the source listed the participant but its row failed validation (skipped, counted, logged)
UNREADABLE = Verdict(NodeStatus.UNKNOWN, "participant row unreadable")
_HEALTHY = Verdict(NodeStatus.HEALTHY, None)


@dataclass(frozen=True, slots=True)
class NodeTarget:
    """A watched node resolved against a snapshot: the participant address and ML node, if any."""

    address: str | None
    ml_node: str | None = None


def resolve_target(identifier: str, identifier_type: str, snapshot: SourceSnapshot | None) -> NodeTarget:
    """Map a ``nodes`` row to the participant it watches (validators need a snapshot's key index)."""
    if identifier_type == "wallet":
        return NodeTarget(identifier)
    if identifier_type == "node_id":
        wallet, _, local = identifier.partition(":")
        return NodeTarget(wallet, local or None)
    if identifier_type == "operator":
        decoded = bech32_decode(identifier)
        if decoded is None or decoded[0] != OPERATOR_HRP:
            return NodeTarget(None)
        return NodeTarget(bech32_encode(WALLET_HRP, decoded[1]))
    if identifier_type == "validator" and snapshot is not None:
        return NodeTarget(snapshot.address_for_validator(identifier))
    return NodeTarget(None)


def decide(
    view: ParticipantView | None,
    *,
    reports_health: bool,
    health_failures: int,
    thresholds: Thresholds,
    ml_node: str | None = None,
) -> Verdict:
    """The status one source's view implies (strongest first).

    ``view`` is None when the participant is absent from the source's (successful) payload.
    ``health_failures`` counts consecutive failed probes including this cycle's.
    """
    if view is not None and view.excluded_reason is not None:
        return Verdict(NodeStatus.OFFLINE, f"excluded from epoch: {view.excluded_reason}"[:100])
    if view is None or not view.in_epoch:
        return _NOT_IN_EPOCH
    if ml_node is not None and view.ml_nodes is not None and ml_node not in view.ml_nodes:
        return _ML_NODE_GONE
    if view.is_jailed is True:
        return _JAILED
    if view.is_jailed is None:
        return _JAIL_UNKNOWN
    if view.chain_status == "INACTIVE":
        return _FAILED_POC
    health_failed = reports_health and view.node_healthy is False
    if health_failed and health_failures >= thresholds.offline_after_health_failures:
        return _UNREACHABLE
    if view.chain_status == "INVALID":
        return _INVALID
    if view.missed_rate is not None and view.missed_rate > thresholds.missed_rate:
        return _MISSED
    if view.invalidation_rate is not None and view.invalidation_rate > thresholds.invalidation_rate:
        return _INVALIDATED
    if (
        view.confirmation_poc_ratio is not None
        and view.confirmation_poc_ratio <= thresholds.confirmation_ratio
    ):
        return _LOW_CPOC
    if health_failed:
        return _HEALTH_FAILED
    if reports_health and view.node_healthy is None:
        return _HEALTH_UNKNOWN
    return _HEALTHY


@dataclass(frozen=True, slots=True)
class SourceVerdict:
    source: str
    verdict: Verdict
    view: ParticipantView | None


def merge(ordered: Sequence[SourceVerdict]) -> SourceVerdict | None:
    """The first verdict, in priority order, that says something believable; None if none does.

    An absence ("not in epoch" with no view) is not believed when another source lists the
    participant: the sources disagree, so that source has nothing to say about the node this cycle.
    """
    listed = any(sv.view is not None and sv.view.in_epoch for sv in ordered)
    for sv in ordered:
        if sv.verdict.status is NodeStatus.UNKNOWN:
            continue
        if sv.view is None and listed:
            continue
        return sv
    return None


def unknown_reason(ordered: Sequence[SourceVerdict], failed: Sequence[str]) -> str:
    listed = any(sv.view is not None and sv.view.in_epoch for sv in ordered)
    if any(sv.view is None for sv in ordered) and listed:
        return "sources disagree"
    for sv in ordered:
        if sv.verdict.reason:
            return sv.verdict.reason
    if failed:
        return "no source answered: " + ", ".join(failed)
    return "no source enabled"


@dataclass(slots=True)
class NodeStats:
    """The normalised record cached in ``node_stats_cache`` (earnings come from the epoch ledger).

    ``view`` is the winning source's participant record; its rates, chain status, health and ML nodes
    go to the row's ``details`` JSON (built by the database in the one upsert statement).
    """

    node_id: UUID
    status: NodeStatus
    status_reason: str | None
    source: str | None
    fetched_at: datetime
    epoch_id: int | None = None
    view: ParticipantView | None = None
    health_failures: int = 0

    @property
    def address(self) -> str | None:
        return self.view.address if self.view else None

    @property
    def uptime_percent(self) -> Decimal | None:
        return uptime_from_missed_rate(self.view.missed_rate) if self.view else None

    @property
    def jobs_day(self) -> int | None:
        return self.view.inference_count if self.view else None

    @property
    def active_model(self) -> str | None:
        return (",".join(self.view.models)[:255] or None) if self.view else None

    @property
    def voting_weight(self) -> Decimal | None:
        w = self.view.weight if self.view else None
        return Decimal(w) if w is not None and w >= 0 else None

    @property
    def jailed_until(self) -> datetime | None:
        return self.view.jailed_until if self.view else None

    @property
    def ready_to_unjail(self) -> bool | None:
        return self.view.ready_to_unjail if self.view else None

    def details(self) -> dict[str, Any]:
        """What ``details`` holds besides earnings bookkeeping (the same keys the SQL builds)."""
        v = self.view
        out: dict[str, Any] = {"health_failures": self.health_failures}
        if v is None:
            return out
        for key in (
            "missed_rate",
            "invalidation_rate",
            "confirmation_poc_ratio",
            "chain_status",
            "node_healthy",
        ):
            value = getattr(v, key)
            if value is not None:
                out[key] = value
        if v.earned_coins is not None:
            out["epoch_earned_ngonka"] = str(v.earned_coins)
        if v.excluded_reason is not None:
            out["excluded_reason"] = v.excluded_reason
        for key in ("invalid_llr", "inactive_llr"):
            llr = getattr(v, key)
            if llr is not None:
                out[key] = format(llr, "f")
        if v.ml_nodes:
            out["ml_nodes"] = list(v.ml_nodes)
        return out


def uptime_from_missed_rate(missed_rate: float | None) -> Decimal | None:
    if missed_rate is None or not 0 <= missed_rate <= 1:
        return None
    return (Decimal(100) * (1 - Decimal(str(missed_rate)))).quantize(Decimal("0.01"))


def node_stats(
    node_id: UUID,
    winner: SourceVerdict | None,
    *,
    fallback_reason: str,
    fetched_at: datetime,
    epoch_id: int | None,
    health_failures: int,
) -> NodeStats:
    if winner is None:
        return NodeStats(
            node_id,
            NodeStatus.UNKNOWN,
            fallback_reason[:100],
            None,
            fetched_at,
            epoch_id,
            None,
            health_failures,
        )
    return NodeStats(
        node_id,
        winner.verdict.status,
        winner.verdict.reason,
        winner.source,
        fetched_at,
        epoch_id,
        winner.view,
        health_failures,
    )
