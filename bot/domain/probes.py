"""What the per-host probes and the chain look-ups say about one node: conditions e, f, g and h.

Pure functions of plain values (no I/O, no clock): each detector takes what the poller's probe step
stored for the node (:class:`NodeProbes`) and for the network (:class:`NetworkProbes`) and returns a
:class:`Finding`: a state (ok, warning, failing, unknown), a short reason and the numbers behind it.
Anything not known gives ``unknown``, never a problem: a host that does not expose its metrics, a
collateral endpoint that does not answer, a model group the chain did not return.

- e, :func:`model_participation`: for every model of ``params.poc_params.models`` whose
  ``penalty_start_epoch`` has come (failing) or comes within ``warn_epochs`` (warning): the node runs it,
  delegated it to a host that committed PoC to it this epoch, or refused it; otherwise the
  non-participation penalty applies (a delegate that did not commit counts as no participation).
- f, :func:`collateral`: deposited collateral against what the weight requires,
  ``weight × (1 − base_weight_ratio) × collateral_per_weight_unit`` ngonka (the chain's own formula),
  once ``grace_period_end_epoch`` has passed; short is failing (the weight above what the collateral
  backs is cut at the epoch boundary), within ``warn_margin`` of it a warning.
- g, :func:`version_lag`: the host's API version or an ML node's version behind what most of the
  network's weight runs (:func:`version_majority`), or a host not patched (no ``mlnodes``).
- h, :func:`mlnode_down`: ``mlnode_up`` 0 for an ML node of the host (1 is up; absent is unknown).
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from bot.i18n.catalogs import L_, LazyText, joined

NGONKA_PER_GNK = Decimal(10**9)


class ProbeState(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILING = "failing"
    UNKNOWN = "unknown"


#: which state wins when a node has several parts (models, ML nodes): the worst known one
_RANK = {ProbeState.OK: 0, ProbeState.UNKNOWN: 1, ProbeState.WARNING: 2, ProbeState.FAILING: 3}


def worst(states: Iterable[ProbeState]) -> ProbeState:
    out = ProbeState.OK
    for s in states:
        if _RANK[s] > _RANK[out]:
            out = s
    return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One condition's state for one node, with the numbers behind it (``(label, value)`` in order)."""

    state: ProbeState
    reason: str | None = None
    numbers: tuple[tuple[str, object], ...] = ()

    @property
    def fires(self) -> bool:
        return self.state is ProbeState.FAILING

    def number(self, label: str) -> object:
        return next((v for k, v in self.numbers if k == label), None)


def _unknown(reason: str, *numbers: tuple[str, object]) -> Finding:
    return Finding(ProbeState.UNKNOWN, reason, tuple(numbers))


# -- the inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MlNodeVersion:
    node_id: str
    #: None: the host does not know it (``""`` on the wire)
    version: str | None


@dataclass(frozen=True, slots=True)
class HostVersions:
    """A host's ``/v1/versions``."""

    api_version: str | None
    node_version: str | None = None
    #: None: no ``mlnodes`` key, the host is not patched
    mlnodes: tuple[MlNodeVersion, ...] | None = None


@dataclass(frozen=True, slots=True)
class Delegations:
    """A participant's ``poc_delegation``: model -> the host it delegates to, refusals, direct intents."""

    delegated: Mapping[str, str] = field(default_factory=dict)
    refused: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ModelRule:
    model_id: str
    #: None: the chain sets no penalty for this model
    penalty_start_epoch: int | None


@dataclass(frozen=True, slots=True)
class CollateralRule:
    base_weight_ratio: Decimal
    per_weight_unit: Decimal
    grace_period_end_epoch: int | None


@dataclass(frozen=True, slots=True)
class VersionMajority:
    """The version carrying the largest share of the probed weight, and that share."""

    api_version: str | None
    api_share: Decimal
    mlnode_version: str | None
    mlnode_share: Decimal
    #: share of the network's weight whose host answered ``/v1/versions``
    coverage: Decimal


@dataclass(frozen=True, slots=True)
class NetworkProbes:
    """What the probe step knows of the network this cycle (None anywhere: not known)."""

    epoch_id: int | None
    models: tuple[ModelRule, ...] | None = None
    no_participation_penalty: Decimal | None = None
    refusal_penalty: Decimal | None = None
    collateral_rule: CollateralRule | None = None
    #: model -> addresses that committed PoC weight to it this epoch (a model missing: not known)
    committed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    majority: VersionMajority | None = None


@dataclass(frozen=True, slots=True)
class NodeProbes:
    """What the probes say of one watched node (its participant, its host, its ML node)."""

    address: str | None
    #: the watched ML node (``gonka1…:node1``), None for a whole participant
    ml_node: str | None = None
    host: str | None = None
    versions: HostVersions | None = None
    #: ``node_id`` -> ``mlnode_up``; None: the host's metrics are not known (off, failing, backed off)
    mlnode_up: Mapping[str, Decimal] | None = None
    #: ML nodes the trackers list for the participant (None: not listed)
    ml_nodes: tuple[str, ...] | None = None
    #: the participant's weight in the epoch (the root group's, else the trackers')
    weight: int | None = None
    #: deposited collateral, ngonka (0: none deposited; None: not known)
    collateral_ngonka: int | None = None
    delegations: Delegations | None = None
    #: models the trackers say the participant runs (None: not known)
    models_run: frozenset[str] | None = None


# -- e: model participation --------------------------------------------------------------------------


def model_participation(node: NodeProbes, net: NetworkProbes, *, warn_epochs: int = 2) -> Finding:
    """Each model whose penalty started (or starts within ``warn_epochs``): run, delegated to a host that
    committed PoC to it, or refused; else the non-participation penalty."""
    if node.address is None or net.epoch_id is None or net.models is None:
        return _unknown("participant, epoch or models not known")
    due = [
        m
        for m in net.models
        if m.penalty_start_epoch is not None and m.penalty_start_epoch <= net.epoch_id + warn_epochs
    ]
    penalty = net.no_participation_penalty
    numbers: list[tuple[str, object]] = [("epoch", net.epoch_id)]
    if penalty is not None:
        numbers.append(("no_participation_penalty", penalty))
    if not due:
        return Finding(ProbeState.OK, None, tuple(numbers))
    states: list[ProbeState] = []
    missing: list[str] = []
    soon: list[LazyText] = []
    delegate_missing: list[str] = []
    unknown: list[str] = []
    #: each penalised model, from which epoch, and how the node covers it
    covered: list[LazyText] = []
    for m in due:
        started = m.penalty_start_epoch is not None and m.penalty_start_epoch <= net.epoch_id
        model = {"model": m.model_id, "epoch": m.penalty_start_epoch}
        covered.append(L_("{model} (from epoch {epoch})", **model))
        if node.models_run is not None and m.model_id in node.models_run:
            states.append(ProbeState.OK)
            covered[-1] = L_("{model} (from epoch {epoch}): runs it", **model)
            continue
        committed = net.committed.get(m.model_id)
        if committed is not None and node.address in committed:
            states.append(ProbeState.OK)
            covered[-1] = L_("{model} (from epoch {epoch}): committed PoC", **model)
            continue
        d = node.delegations
        if d is None:
            states.append(ProbeState.UNKNOWN)
            unknown.append(m.model_id)
            continue
        if m.model_id in d.refused:
            states.append(ProbeState.OK)
            covered[-1] = L_("{model} (from epoch {epoch}): refused", **model)
            continue
        delegate = d.delegated.get(m.model_id)
        if delegate is not None:
            if committed is None:
                states.append(ProbeState.UNKNOWN)
                unknown.append(m.model_id)
            elif delegate in committed:
                states.append(ProbeState.OK)
                covered[-1] = L_(
                    "{model} (from epoch {epoch}): delegated to {delegate}", **model, delegate=delegate
                )
            elif started:
                states.append(ProbeState.FAILING)
                delegate_missing.append(f"{m.model_id} -> {delegate}")
            else:
                states.append(ProbeState.WARNING)
                delegate_missing.append(f"{m.model_id} -> {delegate}")
            continue
        if committed is None and node.models_run is None:
            # neither a group nor the trackers say whether it runs the model
            states.append(ProbeState.UNKNOWN)
            unknown.append(m.model_id)
        elif started:
            states.append(ProbeState.FAILING)
            missing.append(m.model_id)
        else:
            states.append(ProbeState.WARNING)
            soon.append(L_("{model} (from epoch {epoch})", **model))
    state = worst(states)
    numbers.append(("models_due", joined(covered)))
    if missing:
        numbers.append(("models_without_participation", ", ".join(missing)))
    if delegate_missing:
        numbers.append(("delegates_without_poc", ", ".join(delegate_missing)))
    if soon:
        numbers.append(("penalty_starts_soon", joined(soon)))
    if unknown:
        numbers.append(("models_unknown", ", ".join(unknown)))
    reason = {
        ProbeState.FAILING: "delegate did not commit PoC"
        if delegate_missing and not missing
        else "model neither run, delegated nor refused",
        ProbeState.WARNING: "model penalty starts soon",
        ProbeState.UNKNOWN: "participation not known",
    }.get(state)
    return Finding(state, reason, tuple(numbers))


# -- f: collateral -----------------------------------------------------------------------------------


def required_collateral(weight: int, rule: CollateralRule) -> int:
    """ngonka the chain requires for ``weight``: ``weight × (1 − base_weight_ratio) × per_weight_unit``."""
    value = Decimal(weight) * (1 - rule.base_weight_ratio) * rule.per_weight_unit
    return int(value.to_integral_value(rounding=ROUND_DOWN))


def gnk(ngonka: int) -> Decimal:
    return (Decimal(ngonka) / NGONKA_PER_GNK).quantize(Decimal("0.000000001"))


def collateral(node: NodeProbes, net: NetworkProbes, *, warn_margin: Decimal = Decimal("0.1")) -> Finding:
    """Deposited collateral against what the node's weight requires (after the grace period)."""
    rule = net.collateral_rule
    if rule is None or net.epoch_id is None:
        return _unknown("collateral params not known")
    if rule.grace_period_end_epoch is not None and net.epoch_id <= rule.grace_period_end_epoch:
        grace = rule.grace_period_end_epoch
        return Finding(ProbeState.OK, "grace period", (("grace_period_end_epoch", grace),))
    if node.weight is None or node.weight < 0:
        return _unknown("weight not known")
    if node.collateral_ngonka is None:
        return _unknown("collateral not known (the endpoint did not answer)", ("weight", node.weight))
    required = required_collateral(node.weight, rule)
    deposited = node.collateral_ngonka
    numbers: list[tuple[str, object]] = [
        ("weight", node.weight),
        ("deposited_gnk", gnk(deposited)),
        ("required_gnk", gnk(required)),
    ]
    if deposited >= required:
        if required > 0 and deposited < required * (1 + warn_margin):
            numbers.append(("margin_gnk", gnk(deposited - required)))
            return Finding(ProbeState.WARNING, "collateral barely covers the weight", tuple(numbers))
        return Finding(ProbeState.OK, None, tuple(numbers))
    shortfall = required - deposited
    numbers.append(("shortfall_gnk", gnk(shortfall)))
    if rule.per_weight_unit > 0:
        # the collateral-eligible weight the deposit does not back: cut at the epoch boundary
        eligible = Decimal(node.weight) * (1 - rule.base_weight_ratio)
        unbacked = max(Decimal(0), eligible - Decimal(deposited) / rule.per_weight_unit)
        numbers.append(("weight_at_risk", int(unbacked.to_integral_value(rounding=ROUND_DOWN))))
    return Finding(ProbeState.FAILING, "collateral under what the weight requires", tuple(numbers))


# -- g: version lag ----------------------------------------------------------------------------------

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-.+_]?(?:post|p)(\d+))?(?:[-+].*)?$", re.IGNORECASE)


def version_key(version: str | None) -> tuple[int, int, int, int] | None:
    """``v0.2.15-post3`` -> (0, 2, 15, 3); ``3.0.16`` -> (3, 0, 16, 0); None when not a version."""
    if not version:
        return None
    m = _VERSION.match(version.strip())
    if m is None:
        return None
    major, minor, patch, post = m.groups()
    return int(major), int(minor), int(patch), int(post or 0)


def behind(version: str | None, reference: str | None) -> bool | None:
    """``version`` older than ``reference``; None when either is not a readable version."""
    a, b = version_key(version), version_key(reference)
    if a is None or b is None:
        return None
    return a < b


@dataclass(frozen=True, slots=True)
class HostWeight:
    """One probed host for the majority: its versions and the weight of the participant(s) behind it."""

    versions: HostVersions
    weight: int


def version_majority(
    hosts: Iterable[HostWeight], total_weight: int, *, min_coverage: Decimal = Decimal("0.5")
) -> VersionMajority | None:
    """The API and ML-node versions carrying the most weight among hosts that answered.

    An ML node's share is its host's weight split evenly over the host's ML nodes of known version.
    None when the hosts that answered carry less than ``min_coverage`` of ``total_weight``."""
    if total_weight <= 0:
        return None
    api: defaultdict[str, Decimal] = defaultdict(Decimal)
    ml: defaultdict[str, Decimal] = defaultdict(Decimal)
    covered = 0
    for h in hosts:
        if h.weight <= 0:
            continue
        covered += h.weight
        if version_key(h.versions.api_version) is not None:
            assert h.versions.api_version is not None
            api[h.versions.api_version] += h.weight
        known = [n for n in h.versions.mlnodes or () if version_key(n.version) is not None]
        for n in known:
            assert n.version is not None
            ml[n.version] += Decimal(h.weight) / len(known)
    coverage = Decimal(covered) / total_weight
    if coverage < min_coverage or not api:
        return None

    def top(d: Mapping[str, Decimal]) -> tuple[str | None, Decimal]:
        if not d:
            return None, Decimal(0)
        total = sum(d.values(), Decimal(0))
        # ties: the newer version (a tie says nothing about lagging behind the older one)
        best = max(d, key=lambda v: (d[v], version_key(v) or (0, 0, 0, 0)))
        return best, (d[best] / total).quantize(Decimal("0.0001"))

    api_v, api_s = top(api)
    ml_v, ml_s = top(ml)
    return VersionMajority(api_v, api_s, ml_v, ml_s, min(Decimal(1), coverage.quantize(Decimal("0.0001"))))


def version_lag(node: NodeProbes, net: NetworkProbes) -> Finding:
    """The host's API version, or an ML node's, behind the network majority; or the host not patched."""
    v = node.versions
    if v is None:
        return _unknown("versions not known (the host did not answer /v1/versions)")
    maj = net.majority
    numbers: list[tuple[str, object]] = [("api_version", v.api_version or "?")]
    if maj is not None:
        numbers.append(("network_api_version", maj.api_version or "?"))
        numbers.append(("network_share", maj.api_share))
    problems: list[str] = []
    states: list[ProbeState] = []
    api_behind = behind(v.api_version, maj.api_version) if maj is not None else None
    if api_behind is None:
        states.append(ProbeState.UNKNOWN)
    elif api_behind:
        states.append(ProbeState.FAILING)
        problems.append("API behind")
    else:
        states.append(ProbeState.OK)
    if v.mlnodes is None:
        states.append(ProbeState.FAILING)
        problems.append("host not patched")
    else:
        wanted = [n for n in v.mlnodes if node.ml_node is None or n.node_id == node.ml_node]
        if node.ml_node is not None and not wanted:
            states.append(ProbeState.UNKNOWN)
        lagging: list[str] = []
        for n in wanted:
            b = behind(n.version, maj.mlnode_version) if maj is not None else None
            if b is None:
                states.append(ProbeState.UNKNOWN)
            elif b:
                states.append(ProbeState.FAILING)
                lagging.append(f"{n.node_id} {n.version}")
            else:
                states.append(ProbeState.OK)
        if lagging:
            problems.append("ML node behind")
            numbers.append(("mlnodes_behind", ", ".join(lagging)))
        elif wanted:
            numbers.append(("mlnode_versions", ", ".join(f"{n.node_id} {n.version or '?'}" for n in wanted)))
        if wanted and maj is not None:
            numbers.append(("network_mlnode_version", maj.mlnode_version or "?"))
    state = worst(states)
    if state is ProbeState.FAILING:
        return Finding(state, ", ".join(problems), tuple(numbers))
    if state is ProbeState.UNKNOWN:
        return Finding(state, "network majority or a version not known", tuple(numbers))
    return Finding(state, None, tuple(numbers))


# -- h: ML node down ---------------------------------------------------------------------------------


def mlnode_down(node: NodeProbes) -> Finding:
    """``mlnode_up`` 0 for the watched ML node (or any ML node of the host for a whole participant)."""
    up = node.mlnode_up
    if up is None:
        return _unknown("ML-node metrics not known (not exposed, failing or backed off)")
    if node.ml_node is not None:
        wanted: list[str] = [node.ml_node]
    else:
        wanted = sorted(set(up) | set(node.ml_nodes or ()))
    down = [n for n in wanted if n in up and up[n] == 0]
    ups = [n for n in wanted if n in up and up[n] == 1]
    absent = [n for n in wanted if n not in up or up[n] not in (0, 1)]
    numbers: list[tuple[str, object]] = [
        ("mlnodes_up", L_("{up} of {total}", up=len(ups), total=len(wanted)))
    ]
    if down:
        numbers.append(("mlnodes_down", len(down)))
    if absent:
        numbers.append(("mlnodes_unknown", ", ".join(absent)))
    if down:
        numbers.append(("down", ", ".join(down)))
        return Finding(ProbeState.FAILING, "ML node down", tuple(numbers))
    if not ups:
        return Finding(ProbeState.UNKNOWN, "no mlnode_up for this ML node", tuple(numbers))
    return Finding(ProbeState.OK, None, tuple(numbers))


@dataclass(frozen=True, slots=True)
class ProbeCycle:
    """What the poller's probe step found this cycle (``ProbeStep.last``)."""

    network: NetworkProbes
    #: per watched node (``nodes.id``); a node missing here is unknown for every probe condition
    nodes: Mapping[UUID, NodeProbes] = field(default_factory=dict)
    #: requests made this cycle: to hosts, and to the chain
    host_requests: int = 0
    chain_requests: int = 0


#: the key of :class:`ProbeFacts` in the alert engine's ``NodeFacts.extra``
FACTS_KEY = "probes"


@dataclass(frozen=True, slots=True)
class ProbeFacts:
    """What the probe conditions read of one node (the alert engine's ``NodeFacts.extra["probes"]``)."""

    node: NodeProbes
    network: NetworkProbes
    #: model participation: warn this many epochs before a model's penalty starts
    warn_epochs: int = 2
    #: collateral: warn when it exceeds the requirement by less than this share
    collateral_margin: Decimal = Decimal("0.1")
