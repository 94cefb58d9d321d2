"""For every alert condition of the table: a node that reads ok, one that fails it, one unknown.

The matrix test (``test_conditions_matrix.py``) refuses a condition that has no scenario here, so a
new table entry comes with the facts that make it fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from bot.domain.chain_params import EpochThresholds
from bot.domain.network import NetworkState
from bot.domain.status import NodeStatus, Observation

EPOCH = 105

THRESHOLDS = EpochThresholds(
    epoch_id=EPOCH, cpoc_alpha=Decimal("0.5"), invalidation_h=Decimal(40), downtime_h=Decimal(100)
)


def network(at: datetime, *, poc: bool = False) -> NetworkState:
    return NetworkState(
        epoch_id=EPOCH, poc_phase=poc, confirmation_poc=None, thresholds=THRESHOLDS, observed_at=at
    )


def healthy(node_id: UUID, at: datetime, **kw: Any) -> Observation:
    """A node in the epoch with nothing wrong, every field known."""
    base = Observation(
        node_id=node_id,
        status=NodeStatus.HEALTHY,
        reason=None,
        source="gonka_api",
        observed_at=at,
        epoch_id=EPOCH,
        confirmation_poc_ratio=Decimal(1),
        invalid_llr=Decimal(0),
        inactive_llr=Decimal(0),
        chain_status="ACTIVE",
        models=("Qwen/Qwen3-235B",),
        weight=1000,
    )
    return replace(base, **kw)


def unknown(node_id: UUID, at: datetime) -> Observation:
    """What a source outage gives: nothing known."""
    return Observation(node_id=node_id, status=NodeStatus.UNKNOWN, reason="no source answered", source=None,
                       observed_at=at)  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    failing: Callable[[UUID, datetime], Observation]
    #: per-node data collectors add (``NodeFacts.extra``), by collector name, while failing
    extra: Mapping[str, object] = field(default_factory=dict)
    #: ... and while the node is fine
    extra_ok: Mapping[str, object] = field(default_factory=dict)
    #: a word the alert's title carries
    title: str = ""


SCENARIOS: dict[str, Scenario] = {
    "jailed": Scenario(
        lambda n, at: healthy(n, at, status=NodeStatus.JAILED, reason="validator jailed"), title="Jailed"
    ),
    "offline": Scenario(
        lambda n, at: healthy(n, at, status=NodeStatus.OFFLINE, reason="endpoint unreachable"),
        title="Offline",
    ),
    "unhealthy": Scenario(
        lambda n, at: healthy(n, at, status=NodeStatus.UNHEALTHY, reason="missed requests"), title="Unhealthy"
    ),
    "excluded": Scenario(
        lambda n, at: healthy(
            n,
            at,
            status=NodeStatus.OFFLINE,
            reason="excluded from epoch: statistical_invalidations",
            excluded_reason="statistical_invalidations",
        ),
        title="Excluded",
    ),
    "chain_status": Scenario(
        lambda n, at: healthy(n, at, status=NodeStatus.OFFLINE, reason="failed PoC", chain_status="INACTIVE"),
        title="Chain status",
    ),
    "cpoc_ratio": Scenario(
        lambda n, at: healthy(
            n,
            at,
            status=NodeStatus.UNHEALTHY,
            reason="low confirmation PoC",
            confirmation_poc_ratio=Decimal("0.3"),
        ),
        title="confirmation PoC",
    ),
    "llr_warning": Scenario(lambda n, at: healthy(n, at, invalid_llr=Decimal(30)), title="Early warning"),
}
