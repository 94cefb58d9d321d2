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
from bot.domain.probes import (
    CollateralRule,
    Delegations,
    HostVersions,
    MlNodeVersion,
    ModelRule,
    NetworkProbes,
    NodeProbes,
    ProbeFacts,
    VersionMajority,
)
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


# -- the probe conditions (e-h): what the probe step's collector hands the engine -------------------

PROBE_ADDRESS = "gonka1probedparticipant"
DEEPSEEK = "deepseek-ai/DeepSeek-V4-Flash-0731"
PROBE_NETWORK = NetworkProbes(
    epoch_id=EPOCH,
    models=(ModelRule(DEEPSEEK, EPOCH - 5),),  # its penalty has started
    no_participation_penalty=Decimal("0.15"),
    refusal_penalty=Decimal("0.1"),
    collateral_rule=CollateralRule(Decimal("0.2"), Decimal("4.2"), EPOCH - 50),
    committed={DEEPSEEK: frozenset({PROBE_ADDRESS})},
    majority=VersionMajority("v0.2.15-post3", Decimal("0.8"), "3.0.16", Decimal("0.8"), Decimal("0.9")),
)
PROBED_OK = NodeProbes(
    address=PROBE_ADDRESS,
    host="http://203.0.113.20:8000",
    versions=HostVersions("v0.2.15-post3", "v0.2.15", (MlNodeVersion("node1", "3.0.16"),)),
    mlnode_up={"node1": Decimal(1)},
    ml_nodes=("node1",),
    weight=1000,
    collateral_ngonka=10**12,
    delegations=Delegations(),
)


def probes(node: NodeProbes = PROBED_OK, net: NetworkProbes = PROBE_NETWORK) -> Mapping[str, object]:
    return {"probes": ProbeFacts(node, net)}


def probe_scenario(title: str, node: NodeProbes = PROBED_OK, net: NetworkProbes = PROBE_NETWORK) -> Scenario:
    return Scenario(lambda n, at: healthy(n, at), extra=probes(node, net), extra_ok=probes(), title=title)


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
    "model_participation": probe_scenario(
        "Model participation", net=replace(PROBE_NETWORK, committed={DEEPSEEK: frozenset()})
    ),
    "collateral": probe_scenario("Collateral short", replace(PROBED_OK, collateral_ngonka=0)),
    "version_lag": probe_scenario("Version behind", replace(PROBED_OK, versions=HostVersions("v0.2.14"))),
    "mlnode_down": probe_scenario("ML node down", replace(PROBED_OK, mlnode_up={"node1": Decimal(0)})),
}
