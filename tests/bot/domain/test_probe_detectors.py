"""The probe detectors (conditions e-h): one row per rule; anything not known is unknown, never fires."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.probes import (
    CollateralRule,
    Delegations,
    Finding,
    HostVersions,
    HostWeight,
    MlNodeVersion,
    ModelRule,
    NetworkProbes,
    NodeProbes,
    ProbeState,
    VersionMajority,
    collateral,
    mlnode_down,
    model_participation,
    required_collateral,
    version_key,
    version_lag,
    version_majority,
)
from bot.i18n.catalogs import Catalogs, LazyText

ME = "gonka1me"
DELEGATE = "gonka1delegate"
LAZY = "gonka1lazy"
# the real live params of 2026-09: MiniMax penalised since 278, DeepSeek since 360, GLM from 394
MODELS = (
    ModelRule("MiniMaxAI/MiniMax-M2.7", 278),
    ModelRule("deepseek-ai/DeepSeek-V4-Flash-0731", 360),
    ModelRule("zai-org/GLM-5.3-Flash", 394),
)
ALL_COMMITTED = {m.model_id: frozenset({ME, DELEGATE}) for m in MODELS}


def net(epoch: int = 366, **kw: object) -> NetworkProbes:
    base: dict[str, object] = {
        "models": MODELS,
        "no_participation_penalty": Decimal("0.15"),
        "refusal_penalty": Decimal("0.1"),
        "committed": {
            "MiniMaxAI/MiniMax-M2.7": frozenset({ME, DELEGATE}),
            "deepseek-ai/DeepSeek-V4-Flash-0731": frozenset({DELEGATE}),
            "zai-org/GLM-5.3-Flash": frozenset({DELEGATE}),
        },
        "collateral_rule": CollateralRule(Decimal("0.2"), Decimal("4.2"), 180),
    }
    base.update(kw)
    return NetworkProbes(epoch_id=epoch, **base)  # type: ignore[arg-type]


def node(**kw: object) -> NodeProbes:
    base: dict[str, object] = {"address": ME, "delegations": Delegations()}
    base.update(kw)
    return NodeProbes(**base)  # type: ignore[arg-type]


# -- e: model participation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "n", "network", "state", "reason"),
    [
        (
            "runs every model whose penalty has started (its PoC is in each group)",
            node(),
            net(committed=ALL_COMMITTED),
            ProbeState.OK,
            None,
        ),
        (
            "does nothing for DeepSeek (penalty since 360)",
            node(),
            net(epoch=366, models=MODELS[:2]),
            ProbeState.FAILING,
            "model neither run, delegated nor refused",
        ),
        (
            "delegated DeepSeek to a host that committed PoC",
            node(delegations=Delegations(delegated={"deepseek-ai/DeepSeek-V4-Flash-0731": DELEGATE})),
            net(models=MODELS[:2]),
            ProbeState.OK,
            None,
        ),
        (
            "delegated DeepSeek to a host that did not commit PoC",
            node(delegations=Delegations(delegated={"deepseek-ai/DeepSeek-V4-Flash-0731": LAZY})),
            net(models=MODELS[:2]),
            ProbeState.FAILING,
            "delegate did not commit PoC",
        ),
        (
            "refused DeepSeek",
            node(delegations=Delegations(refused=frozenset({"deepseek-ai/DeepSeek-V4-Flash-0731"}))),
            net(models=MODELS[:2]),
            ProbeState.OK,
            None,
        ),
        (
            "the trackers list DeepSeek among the models it runs",
            node(models_run=frozenset({"deepseek-ai/DeepSeek-V4-Flash-0731"})),
            net(models=MODELS[:2]),
            ProbeState.OK,
            None,
        ),
        (
            "GLM's penalty starts in 2 epochs and nothing is set",
            node(delegations=Delegations(refused=frozenset({"deepseek-ai/DeepSeek-V4-Flash-0731"}))),
            net(epoch=392),
            ProbeState.WARNING,
            "model penalty starts soon",
        ),
        (
            "GLM's penalty starts in 28 epochs: not yet a concern",
            node(delegations=Delegations(refused=frozenset({"deepseek-ai/DeepSeek-V4-Flash-0731"}))),
            net(epoch=366),
            ProbeState.OK,
            None,
        ),
        (
            "delegations not read (the endpoint failed)",
            node(delegations=None),
            net(models=MODELS[:2]),
            ProbeState.UNKNOWN,
            "participation not known",
        ),
        (
            "the delegate's model group not read",
            node(delegations=Delegations(delegated={"deepseek-ai/DeepSeek-V4-Flash-0731": DELEGATE})),
            net(models=MODELS[:2], committed={"MiniMaxAI/MiniMax-M2.7": frozenset({ME})}),
            ProbeState.UNKNOWN,
            "participation not known",
        ),
        ("params not read", node(), net(models=None), ProbeState.UNKNOWN, None),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_model_participation(
    case: str, n: NodeProbes, network: NetworkProbes, state: ProbeState, reason: str | None
) -> None:
    got = model_participation(n, network, warn_epochs=2)
    assert got.state is state, case
    if reason is not None:
        assert got.reason == reason


def test_model_participation_names_the_model_and_the_penalty() -> None:
    got = model_participation(node(), net(models=MODELS[:2]))
    assert got.number("models_without_participation") == "deepseek-ai/DeepSeek-V4-Flash-0731"
    assert got.number("no_participation_penalty") == Decimal("0.15")


def test_how_each_penalised_model_is_covered_is_said_in_the_readers_language() -> None:
    got = model_participation(node(), net(committed=ALL_COMMITTED))
    covered = got.number("models_due")
    assert isinstance(covered, LazyText)
    ru, zh = Catalogs().translator("ru").text(covered), Catalogs().translator("zh").text(covered)
    assert "(с эпохи 360): PoC закоммичен" in ru and "committed" not in ru, ru
    assert "（自纪元 360 起）：已提交 PoC" in zh and "committed" not in zh, zh


# -- f: collateral ------------------------------------------------------------------------------------


def test_required_collateral_is_the_chains_formula_truncated() -> None:
    # 60555 x 0.8 x 4.2 = 203464.8 -> 203464 ngonka
    assert required_collateral(60555, CollateralRule(Decimal("0.2"), Decimal("4.2"), 180)) == 203464


@pytest.mark.parametrize(
    ("case", "n", "network", "state"),
    [
        (
            "well above the requirement",
            node(weight=60555, collateral_ngonka=250_000_000_000),
            net(),
            ProbeState.OK,
        ),
        (
            "nothing deposited (the chain's NotFound)",
            node(weight=60555, collateral_ngonka=0),
            net(),
            ProbeState.FAILING,
        ),
        ("just under", node(weight=60555, collateral_ngonka=203463), net(), ProbeState.FAILING),
        (
            "exactly the requirement: no margin",
            node(weight=60555, collateral_ngonka=203464),
            net(),
            ProbeState.WARNING,
        ),
        ("within the grace period", node(weight=60555, collateral_ngonka=0), net(epoch=150), ProbeState.OK),
        (
            "collateral endpoint did not answer",
            node(weight=60555, collateral_ngonka=None),
            net(),
            ProbeState.UNKNOWN,
        ),
        ("weight not known", node(weight=None, collateral_ngonka=0), net(), ProbeState.UNKNOWN),
        (
            "params not read",
            node(weight=60555, collateral_ngonka=0),
            net(collateral_rule=None),
            ProbeState.UNKNOWN,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_collateral(case: str, n: NodeProbes, network: NetworkProbes, state: ProbeState) -> None:
    assert collateral(n, network).state is state, case


def test_collateral_short_says_how_much_and_what_weight_is_at_risk() -> None:
    got = collateral(node(weight=60555, collateral_ngonka=0), net())
    assert got.number("required_gnk") == Decimal("0.000203464")
    assert got.number("shortfall_gnk") == Decimal("0.000203464")
    assert got.number("weight_at_risk") == 48444  # 203464 / 4.2: the collateral-eligible 80 %


# -- g: version lag -----------------------------------------------------------------------------------

PATCHED = HostVersions(
    "v0.2.15-post3",
    "v0.2.15",
    (MlNodeVersion("node1", "3.0.16"), MlNodeVersion("node2", "0.2.0"), MlNodeVersion("node3", None)),
)
UNPATCHED = HostVersions("v0.2.15", "v0.2.15", None)


def test_version_keys_order_post_releases() -> None:
    assert version_key("v0.2.15") < version_key("v0.2.15-post3") < version_key("v0.2.16")  # type: ignore[operator]
    assert version_key("") is None and version_key("latest") is None


def test_majority_is_the_version_carrying_the_most_weight() -> None:
    hosts = [
        HostWeight(PATCHED, 600),
        HostWeight(UNPATCHED, 300),
        HostWeight(HostVersions("v0.2.14", None, ()), 50),
    ]
    m = version_majority(hosts, 1000)
    assert m is not None
    assert (m.api_version, m.api_share, m.coverage) == ("v0.2.15-post3", Decimal("0.6316"), Decimal("0.95"))
    assert m.mlnode_version == "3.0.16"  # node1 and node2 split 600 evenly; node3's "" is not counted


def test_no_majority_while_too_little_of_the_weight_answered() -> None:
    assert version_majority([HostWeight(PATCHED, 400)], 1000) is None


MAJ = VersionMajority("v0.2.15-post3", Decimal("0.8"), "3.0.16", Decimal("0.7"), Decimal("0.9"))


@pytest.mark.parametrize(
    ("case", "n", "majority", "state", "reason"),
    [
        (
            "host and ML node on the majority",
            node(versions=PATCHED, ml_node="node1"),
            MAJ,
            ProbeState.OK,
            None,
        ),
        (
            "ML node behind",
            node(versions=PATCHED, ml_node="node2"),
            MAJ,
            ProbeState.FAILING,
            "ML node behind",
        ),
        (
            "host not patched and behind",
            node(versions=UNPATCHED),
            MAJ,
            ProbeState.FAILING,
            "API behind, host not patched",
        ),
        (
            "ML node of unknown version",
            node(versions=PATCHED, ml_node="node3"),
            MAJ,
            ProbeState.UNKNOWN,
            None,
        ),
        ("host did not answer /v1/versions", node(versions=None), MAJ, ProbeState.UNKNOWN, None),
        ("no majority yet", node(versions=HostVersions("v0.2.14", None, ())), None, ProbeState.UNKNOWN, None),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_version_lag(
    case: str, n: NodeProbes, majority: VersionMajority | None, state: ProbeState, reason: str | None
) -> None:
    got = version_lag(n, net(majority=majority))
    assert got.state is state, case
    if reason is not None:
        assert got.reason == reason


# -- h: ML node down ----------------------------------------------------------------------------------

UP = {"node1": Decimal(1), "node2": Decimal(0)}


@pytest.mark.parametrize(
    ("case", "n", "state"),
    [
        ("the watched ML node is up", node(mlnode_up=UP, ml_node="node1"), ProbeState.OK),
        ("the watched ML node is down", node(mlnode_up=UP, ml_node="node2"), ProbeState.FAILING),
        ("no mlnode_up for the watched ML node", node(mlnode_up=UP, ml_node="node3"), ProbeState.UNKNOWN),
        ("a whole host with one ML node down", node(mlnode_up=UP), ProbeState.FAILING),
        (
            "metrics not exposed (404) or backed off",
            node(mlnode_up=None, ml_node="node2"),
            ProbeState.UNKNOWN,
        ),
        ("metrics without any mlnode_up", node(mlnode_up={}, ml_nodes=("node1",)), ProbeState.UNKNOWN),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_mlnode_down(case: str, n: NodeProbes, state: ProbeState) -> None:
    assert mlnode_down(n).state is state, case


# -- unknown never fires --------------------------------------------------------------------------------


def _all(n: NodeProbes, network: NetworkProbes) -> list[Finding]:
    return [model_participation(n, network), collateral(n, network), version_lag(n, network), mlnode_down(n)]


def test_nothing_known_fires_nothing() -> None:
    nothing = NodeProbes(address=None)
    for finding in _all(nothing, NetworkProbes(epoch_id=None)):
        assert finding.state is ProbeState.UNKNOWN and not finding.fires


def test_a_node_whose_probes_all_failed_fires_nothing_in_a_known_network() -> None:
    failed = NodeProbes(address=ME, ml_node="node2", host="http://h")  # every probe result None
    for finding in _all(failed, net(majority=MAJ)):
        assert not finding.fires, finding
