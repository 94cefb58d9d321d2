"""The status algorithm (docs/architecture.md, "Node status"), row by row, and the merge of sources."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.domain.identifiers import OPERATOR_HRP, convert_hrp, valcons_from_pubkey
from bot.domain.node_stats import (
    ParticipantView,
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
from bot.domain.status import NodeStatus as S

WALLET = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"
KEY = "f0pIRnCz3CR8Llv/A8dMkyGITRDp0ukI7+5dhHQWk1Y="
HEALTHY = ParticipantView(
    address=WALLET,
    is_jailed=False,
    chain_status="ACTIVE",
    node_healthy=True,
    missed_rate=0.0,
    invalidation_rate=0.0,
    confirmation_poc_ratio=1.0,
    weight=3965,
    ml_nodes=("node1",),
    validator_key=KEY,
)
T = Thresholds()


def v(**changes: object) -> ParticipantView:
    return replace(HEALTHY, **changes)  # type: ignore[arg-type]


# (row of the README table, view, health failures incl. this cycle, expected status, expected reason)
README_TABLE = [
    ("not in current epoch set", None, 0, S.OFFLINE, "not in epoch"),
    (
        "in excluded_participants",
        v(in_epoch=False, excluded_reason="cPoC failed"),
        0,
        S.OFFLINE,
        "excluded from epoch: cPoC failed",
    ),
    ("validator jailed", v(is_jailed=True, node_healthy=False), 0, S.JAILED, "validator jailed"),
    (
        "jailed wins over INACTIVE",
        v(is_jailed=True, chain_status="INACTIVE"),
        0,
        S.JAILED,
        "validator jailed",
    ),
    ("chain status INACTIVE", v(chain_status="INACTIVE"), 0, S.OFFLINE, "failed PoC"),
    ("health failed N consecutive polls", v(node_healthy=False), 3, S.OFFLINE, "endpoint unreachable"),
    ("status INVALID", v(chain_status="INVALID"), 0, S.UNHEALTHY, "invalid inferences"),
    ("missed_rate > 0.10", v(missed_rate=0.1001), 0, S.UNHEALTHY, "missed requests"),
    ("missed_rate = 0.10 is not above", v(missed_rate=0.10), 0, S.HEALTHY, None),
    ("invalidation_rate > 0.10", v(invalidation_rate=0.2), 0, S.UNHEALTHY, "invalidated inferences"),
    ("confirmation_poc_ratio <= 0.5", v(confirmation_poc_ratio=0.5), 0, S.UNHEALTHY, "low confirmation PoC"),
    ("confirmation_poc_ratio None is ignored", v(confirmation_poc_ratio=None), 0, S.HEALTHY, None),
    ("health probe failed once", v(node_healthy=False), 1, S.UNHEALTHY, "health check failed"),
    ("health failed twice (< N)", v(node_healthy=False), 2, S.UNHEALTHY, "health check failed"),
    ("else healthy", HEALTHY, 0, S.HEALTHY, None),
    ("RAMPING counts as healthy", v(chain_status="RAMPING"), 0, S.HEALTHY, None),
    ("is_jailed null is unknown", v(is_jailed=None), 0, S.UNKNOWN, "jail status unknown"),
    (
        "is_jailed null even when INACTIVE",
        v(is_jailed=None, chain_status="INACTIVE"),
        0,
        S.UNKNOWN,
        "jail status unknown",
    ),
    ("node_healthy null is unknown", v(node_healthy=None), 0, S.UNKNOWN, "health unknown"),
    ("ML node not listed", v(), 0, S.OFFLINE, "ML node not in epoch"),
]


@pytest.mark.parametrize(
    ("row", "view", "failures", "status", "reason"), README_TABLE, ids=[r[0] for r in README_TABLE]
)
def test_readme_status_table(
    row: str, view: ParticipantView | None, failures: int, status: S, reason: str | None
) -> None:
    ml_node = "node9" if row == "ML node not listed" else "node1"
    got = decide(view, reports_health=True, health_failures=failures, thresholds=T, ml_node=ml_node)
    assert got == Verdict(status, reason)


def test_a_source_that_does_not_probe_health_is_not_unknown_for_it() -> None:
    got = decide(v(node_healthy=None), reports_health=False, health_failures=0, thresholds=T)
    assert got.status is S.HEALTHY


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(missed_rate=0.05)
    assert (
        decide(v(missed_rate=0.0541), reports_health=True, health_failures=0, thresholds=strict).status
        is S.UNHEALTHY
    )
    assert (
        decide(v(missed_rate=0.0541), reports_health=True, health_failures=0, thresholds=T).status
        is S.HEALTHY
    )


def sv(source: str, status: S, view: ParticipantView | None, reason: str | None = None) -> SourceVerdict:
    return SourceVerdict(source, Verdict(status, reason), view)


def test_merge_takes_the_first_source_in_priority_that_knows() -> None:
    a = sv("hyperfusion", S.UNKNOWN, v(is_jailed=None), "jail status unknown")
    b = sv("gonka_api", S.JAILED, v(is_jailed=True))
    assert merge([a, b]) is b
    c = sv("hyperfusion", S.HEALTHY, HEALTHY)
    assert merge([c, b]) is c


def test_an_absence_contradicted_by_another_source_is_not_believed() -> None:
    absent = sv("hyperfusion", S.OFFLINE, None, "not in epoch")
    listed_unknown = sv("gonka_api", S.UNKNOWN, v(is_jailed=None), "jail status unknown")
    assert merge([absent, listed_unknown]) is None
    assert unknown_reason([absent, listed_unknown], []) == "sources disagree"
    listed_healthy = sv("gonka_api", S.HEALTHY, HEALTHY)
    assert merge([absent, listed_healthy]) is listed_healthy


def test_absent_everywhere_is_offline() -> None:
    a = sv("hyperfusion", S.OFFLINE, None, "not in epoch")
    b = sv("gonka_api", S.OFFLINE, None, "not in epoch")
    assert merge([a, b]) is a


def test_no_verdict_at_all_names_the_failed_sources() -> None:
    assert merge([]) is None
    assert unknown_reason([], ["hyperfusion", "gonka_api"]) == "no source answered: hyperfusion, gonka_api"


def test_node_stats_fields_from_the_winning_view() -> None:
    now = datetime.now(UTC)
    ns = node_stats(
        uuid.uuid4(),
        sv("hyperfusion", S.HEALTHY, v(missed_rate=0.0541, models=("a", "b"))),
        fallback_reason="",
        fetched_at=now,
        epoch_id=105,
        health_failures=0,
    )
    assert ns.uptime_percent == Decimal("94.59")
    assert ns.active_model == "a,b"
    assert ns.voting_weight == Decimal(3965)
    assert ns.source == "hyperfusion"
    unknown = node_stats(
        uuid.uuid4(),
        None,
        fallback_reason="no source answered: hyperfusion",
        fetched_at=now,
        epoch_id=None,
        health_failures=0,
    )
    assert unknown.status is S.UNKNOWN and unknown.source is None and unknown.voting_weight is None


def test_negative_chain_weight_is_not_a_voting_weight() -> None:
    ns = node_stats(
        uuid.uuid4(),
        sv("gonka_api", S.HEALTHY, v(weight=-1)),
        fallback_reason="",
        fetched_at=datetime.now(UTC),
        epoch_id=1,
        health_failures=0,
    )
    assert ns.voting_weight is None


def test_identifiers_resolve_to_the_participant() -> None:
    snap = SourceSnapshot("hyperfusion", 105, datetime.now(UTC), {WALLET: HEALTHY})
    assert resolve_target(WALLET, "wallet", snap).address == WALLET
    assert resolve_target(convert_hrp(WALLET, OPERATOR_HRP), "operator", snap).address == WALLET
    t = resolve_target(f"{WALLET}:node1", "node_id", snap)
    assert (t.address, t.ml_node) == (WALLET, "node1")
    assert resolve_target(KEY, "validator", snap).address == WALLET
    assert resolve_target(valcons_from_pubkey(KEY), "validator", snap).address == WALLET
    assert resolve_target("zfHjWiJM5/WCB/qcxjq+1G2DlsfSz4bJp71kYeBt2uE=", "validator", snap).address is None
