"""Node status vocabulary and what one poll cycle observed.

This is the contract between the poller (``bot.poller``), which produces a :class:`CycleReport` per
cycle, and the alert engine (``bot.alerts``), which consumes it inside the cycle's transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from bot.db.types import Conn
from bot.domain.network import NetworkState


class NodeStatus(enum.StrEnum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    JAILED = "jailed"
    OFFLINE = "offline"
    #: no source could say (failed, partial or inconsistent fetch; ``null`` fields): never alerts
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Observation:
    """What this cycle saw of one watched node (every row of ``nodes`` gets one per cycle)."""

    node_id: UUID
    status: NodeStatus
    #: short reason category, e.g. "not in epoch", "failed PoC", "endpoint unreachable", "validator jailed"
    reason: str | None
    #: the source that decided the status (hyperfusion, gonka_api), None when unknown
    source: str | None
    observed_at: datetime
    epoch_id: int | None = None
    jailed_until: datetime | None = None
    ready_to_unjail: bool | None = None
    #: the chain's early-warning numbers for this node (exact; None: not known), compared against
    #: ``CycleReport.network.thresholds`` by alert conditions
    confirmation_poc_ratio: Decimal | None = None
    invalid_llr: Decimal | None = None
    inactive_llr: Decimal | None = None
    #: the reason the node is listed in the epoch's ``excluded_participants`` (None: not listed)
    excluded_reason: str | None = None
    #: the chain's participant status (ACTIVE, INACTIVE, INVALID, UNCONFIRMED; None: not known)
    chain_status: str | None = None
    #: the models the participant serves and its weight (incidents group by model and weigh nodes)
    models: tuple[str, ...] = ()
    weight: int | None = None


@dataclass(frozen=True, slots=True)
class SourceResult:
    source: str
    ok: bool
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CycleReport:
    """One completed poll cycle."""

    started_at: datetime
    finished_at: datetime
    observations: tuple[Observation, ...]
    sources: tuple[SourceResult, ...]
    #: the epoch is in its PoC phase (offline is held, never confirmed, while this is true)
    poc_phase: bool = False
    epoch_id: int | None = None
    #: node ids whose cached status differs from the previous cycle (for logs and metrics)
    changed: tuple[UUID, ...] = field(default=())
    #: the network as this cycle saw it: confirmation PoC, and the chain thresholds in force for the
    #: epoch (what alert conditions on cPoC ratio and LLRs compare against)
    network: NetworkState | None = None
    #: the total weight of the epoch's participants as the winning source listed them (None: unknown)
    network_weight: int | None = None

    @property
    def offline_held(self) -> bool:
        """Offline is held (never confirmed) during PoC and during a confirmation PoC alike."""
        return self.poc_phase or (self.network is not None and self.network.offline_held)


class CycleObserver(Protocol):
    """Implemented by the alert engine; the poller calls it in the same transaction as the cache write."""

    async def on_cycle(self, conn: Conn, report: CycleReport) -> None: ...
