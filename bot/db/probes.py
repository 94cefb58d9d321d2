"""``probe_results``: each per-host probe's and chain look-up's last answer and its back-off.

One row per ``(kind, subject)``: ``versions`` / ``mlnode_metrics`` of a host base URL, ``collateral`` /
``poc_delegation`` of a participant address, ``model_group`` of a model id, ``chain_epoch`` (subject
``''``: the epoch's params and root-group weights). ``data`` NULL is unknown. Written by the poller's
probe step (:mod:`bot.poller.probes`) in one set-based statement per cycle.

``probe_findings`` (with ``probe_findings_run``): what that step last found per watched node, for
``/node`` (:func:`load_findings`); written in one statement per cycle, only the rows that changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from bot.db.types import Executor
from bot.domain.probes import (
    CollateralRule,
    Delegations,
    HostVersions,
    MlNodeVersion,
    ModelRule,
    NetworkProbes,
    NodeProbes,
    VersionMajority,
)

KINDS = ("versions", "mlnode_metrics", "collateral", "poc_delegation", "model_group", "chain_epoch")
OUTCOMES = ("ok", "not_served", "rate_limited", "failed")


@dataclass(frozen=True, slots=True)
class ProbeRow:
    kind: str
    subject: str
    #: ok, not_served (404), rate_limited (429), failed (timeout, connection, 5xx, bad payload)
    outcome: str
    epoch_id: int | None
    #: the parsed answer (JSON); None: not known
    data: Any
    http_status: int | None
    #: consecutive failures: the back-off level
    failures: int
    next_at: datetime
    observed_at: datetime
    ok_at: datetime | None
    last_error: str | None


_COLUMNS = (
    "kind, subject, outcome, epoch_id, data, http_status, failures, next_at, observed_at, ok_at, last_error"
)

LOAD_KINDS_SQL = f"SELECT {_COLUMNS} FROM probe_results WHERE kind = ANY($1::text[])"

LOAD_SUBJECTS_SQL = f"""
SELECT {_COLUMNS} FROM probe_results WHERE kind = ANY($1::text[]) AND subject = ANY($2::text[])
"""

SAVE_SQL = """
INSERT INTO probe_results AS p (kind, subject, outcome, epoch_id, data, http_status, failures, next_at,
                                observed_at, ok_at, last_error)
SELECT u.kind, u.subject, u.outcome, u.epoch_id, u.data::jsonb, u.http_status, u.failures, u.next_at,
       u.observed_at, u.ok_at, u.last_error
FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::int4[], $7::int4[],
            $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::text[])
     AS u(kind, subject, outcome, epoch_id, data, http_status, failures, next_at, observed_at, ok_at,
          last_error)
ON CONFLICT (kind, subject) DO UPDATE SET
    outcome = EXCLUDED.outcome,
    epoch_id = EXCLUDED.epoch_id,
    data = EXCLUDED.data,
    http_status = EXCLUDED.http_status,
    failures = EXCLUDED.failures,
    next_at = EXCLUDED.next_at,
    observed_at = EXCLUDED.observed_at,
    ok_at = EXCLUDED.ok_at,
    last_error = EXCLUDED.last_error
"""

#: rows of hosts and participants nobody has asked about for a long time (they left the network)
PRUNE_SQL = "DELETE FROM probe_results WHERE observed_at < $1"


def _row(r: Any) -> ProbeRow:
    return ProbeRow(
        kind=r["kind"],
        subject=r["subject"],
        outcome=r["outcome"],
        epoch_id=r["epoch_id"],
        data=r["data"],
        http_status=r["http_status"],
        failures=r["failures"],
        next_at=r["next_at"],
        observed_at=r["observed_at"],
        ok_at=r["ok_at"],
        last_error=r["last_error"],
    )


async def load_kinds(db: Executor, kinds: Sequence[str]) -> list[ProbeRow]:
    return [_row(r) for r in await db.fetch(LOAD_KINDS_SQL, list(kinds))]


async def load_subjects(db: Executor, kinds: Sequence[str], subjects: Sequence[str]) -> list[ProbeRow]:
    if not subjects:
        return []
    return [_row(r) for r in await db.fetch(LOAD_SUBJECTS_SQL, list(kinds), list(subjects))]


def _json(data: Any) -> str | None:
    return None if data is None else json.dumps(data, separators=(",", ":"), sort_keys=True)


async def save(db: Executor, rows: Sequence[ProbeRow]) -> None:
    """Upsert ``rows`` in one statement."""
    if not rows:
        return
    await db.execute(
        SAVE_SQL,
        [r.kind for r in rows],
        [r.subject for r in rows],
        [r.outcome for r in rows],
        [r.epoch_id for r in rows],
        [_json(r.data) for r in rows],
        [r.http_status for r in rows],
        [r.failures for r in rows],
        [r.next_at for r in rows],
        [r.observed_at for r in rows],
        [r.ok_at for r in rows],
        [(r.last_error or "")[:300] or None for r in rows],
    )


async def prune(db: Executor, older_than: datetime) -> int:
    status = await db.execute(PRUNE_SQL, older_than)
    return int(status.split()[-1]) if status else 0


# -- what the probe step found per watched node (probe_findings, migration 0790) ---------------------


@dataclass(frozen=True, slots=True)
class NodeFindings:
    """One watched node's probe facts as the last probe step found them."""

    node: NodeProbes
    network: NetworkProbes
    #: when that step finished (older than ``trackers.probes.findings_max_age_s``: not believed)
    run_at: datetime
    changed_at: datetime


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def network_findings_data(net: NetworkProbes) -> dict[str, Any]:
    """The network's facts as stored (its per-model PoC commitments are stored per node instead)."""
    rule, maj = net.collateral_rule, net.majority
    return {
        "epoch_id": net.epoch_id,
        "models": None if net.models is None else [[m.model_id, m.penalty_start_epoch] for m in net.models],
        "no_participation_penalty": _s(net.no_participation_penalty),
        "refusal_penalty": _s(net.refusal_penalty),
        "collateral_rule": None
        if rule is None
        else [str(rule.base_weight_ratio), str(rule.per_weight_unit), rule.grace_period_end_epoch],
        "majority": None
        if maj is None
        else [
            maj.api_version,
            str(maj.api_share),
            maj.mlnode_version,
            str(maj.mlnode_share),
            str(maj.coverage),
        ],
    }


def node_findings_data(node: NodeProbes, net: NetworkProbes) -> dict[str, Any]:
    """One node's facts as stored, with the network's PoC commitments that concern it (its own and
    its delegates': all the model-participation detector asks of them)."""
    v, d = node.versions, node.delegations
    concerned = {a for a in (node.address, *(d.delegated.values() if d else ())) if a}
    return {
        "address": node.address,
        "ml_node": node.ml_node,
        "host": node.host,
        "versions": None
        if v is None
        else [
            v.api_version,
            v.node_version,
            None if v.mlnodes is None else [[n.node_id, n.version] for n in v.mlnodes],
        ],
        "mlnode_up": None
        if node.mlnode_up is None
        else {k: str(x) for k, x in sorted(node.mlnode_up.items())},
        "ml_nodes": None if node.ml_nodes is None else list(node.ml_nodes),
        "weight": node.weight,
        "collateral_ngonka": _s(node.collateral_ngonka),
        "delegations": None
        if d is None
        else [dict(sorted(d.delegated.items())), sorted(d.refused), sorted(d.intents)],
        "models_run": None if node.models_run is None else sorted(node.models_run),
        "committed": {m: sorted(concerned & s) for m, s in sorted(net.committed.items())},
    }


def _dec_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _network_of(data: Mapping[str, Any], committed: Mapping[str, Any]) -> NetworkProbes:
    rule, maj, models = data.get("collateral_rule"), data.get("majority"), data.get("models")
    return NetworkProbes(
        epoch_id=data.get("epoch_id"),
        models=None if models is None else tuple(ModelRule(m, s) for m, s in models),
        no_participation_penalty=_dec_or_none(data.get("no_participation_penalty")),
        refusal_penalty=_dec_or_none(data.get("refusal_penalty")),
        collateral_rule=None if rule is None else CollateralRule(Decimal(rule[0]), Decimal(rule[1]), rule[2]),
        committed={m: frozenset(a) for m, a in committed.items()},
        majority=None
        if maj is None
        else VersionMajority(maj[0], Decimal(maj[1]), maj[2], Decimal(maj[3]), Decimal(maj[4])),
    )


def _node_of(data: Mapping[str, Any]) -> NodeProbes:
    v, d, up = data.get("versions"), data.get("delegations"), data.get("mlnode_up")
    col, ml, run = data.get("collateral_ngonka"), data.get("ml_nodes"), data.get("models_run")
    return NodeProbes(
        address=data.get("address"),
        ml_node=data.get("ml_node"),
        host=data.get("host"),
        versions=None
        if v is None
        else HostVersions(v[0], v[1], None if v[2] is None else tuple(MlNodeVersion(i, x) for i, x in v[2])),
        mlnode_up=None if up is None else {k: Decimal(x) for k, x in up.items()},
        ml_nodes=None if ml is None else tuple(ml),
        weight=data.get("weight"),
        collateral_ngonka=None if col is None else int(col),
        delegations=None if d is None else Delegations(dict(d[0]), frozenset(d[1]), frozenset(d[2])),
        models_run=None if run is None else frozenset(run),
    )


def digest(data: Any) -> str:
    """A short fingerprint of ``data``'s canonical JSON."""
    return hashlib.blake2b((_json(data) or "").encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class FindingsRow:
    node_id: UUID
    digest: str
    #: the node's facts (:func:`node_findings_data`)
    data: Mapping[str, Any]


SAVE_FINDINGS_SQL = """
WITH run AS (
    INSERT INTO probe_findings_run (id, finished_at, network) VALUES (TRUE, $1, $2::text::jsonb)
    ON CONFLICT (id) DO UPDATE SET finished_at = EXCLUDED.finished_at, network = EXCLUDED.network
), gone AS (
    DELETE FROM probe_findings WHERE node_id = ANY($3::uuid[])
)
INSERT INTO probe_findings AS f (node_id, digest, data, changed_at)
SELECT u.node_id, u.digest, u.data::jsonb, $1
FROM unnest($4::uuid[], $5::text[], $6::text[]) AS u(node_id, digest, data)
WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.node_id)
ON CONFLICT (node_id) DO UPDATE SET digest = EXCLUDED.digest, data = EXCLUDED.data,
                                    changed_at = EXCLUDED.changed_at
"""

#: the run row's time and every node's digest (a new poll leader's starting point)
FINDINGS_DIGESTS_SQL = """
SELECT (SELECT finished_at FROM probe_findings_run) AS run_at, f.node_id, f.digest
FROM (SELECT 1) AS one LEFT JOIN probe_findings f ON TRUE
"""

FINDINGS_RUN_AT_SQL = "SELECT finished_at FROM probe_findings_run"

LOAD_FINDINGS_SQL = """
SELECT r.finished_at AS run_at, r.network, f.data, f.changed_at
FROM probe_findings f CROSS JOIN probe_findings_run r
WHERE f.node_id = $1
"""


async def save_findings(
    db: Executor,
    run_at: datetime,
    network: Mapping[str, Any],
    changed: Sequence[FindingsRow],
    gone: Sequence[UUID],
) -> None:
    """One statement: the run row, the nodes whose findings changed, the nodes no longer watched."""
    await db.execute(
        SAVE_FINDINGS_SQL,
        run_at,
        _json(network),
        list(gone),
        [r.node_id for r in changed],
        [r.digest for r in changed],
        [_json(r.data) for r in changed],
    )


async def findings_run_at(db: Executor) -> datetime | None:
    value = await db.fetchval(FINDINGS_RUN_AT_SQL)
    return value if isinstance(value, datetime) else None


async def findings_digests(db: Executor) -> tuple[datetime | None, dict[UUID, str]]:
    """When the last run finished, and each stored node's digest."""
    rows = await db.fetch(FINDINGS_DIGESTS_SQL)
    run_at = rows[0]["run_at"] if rows else None
    return run_at, {r["node_id"]: r["digest"] for r in rows if r["node_id"] is not None}


async def load_findings(db: Executor, node_id: UUID) -> NodeFindings | None:
    """The node's stored findings (None: none stored, e.g. not watched or probes off)."""
    r = await db.fetchrow(LOAD_FINDINGS_SQL, node_id)
    if r is None:
        return None
    data = _load_json(r["data"])
    return NodeFindings(
        node=_node_of(data),
        network=_network_of(_load_json(r["network"]), data.get("committed") or {}),
        run_at=r["run_at"],
        changed_at=r["changed_at"],
    )


def _load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
