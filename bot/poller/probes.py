"""The poll cycle's probe step: per-host probes and chain look-ups, bounded, spread and backed off.

Each cycle, after the sources were read and mapped:

1. **Hosts** (a participant's ``inference_url``): ``/v1/mlnodes/metrics`` of watched hosts every
   ``metrics_interval_s``, ``/v1/versions`` of watched hosts (and, with ``network_versions``, of every
   host of the network: the majority needs them) every ``versions_interval_s``. At most
   ``host_requests_per_cycle`` requests a cycle and one per host, never retried within the cycle; the
   most overdue first, watched hosts before the others; the next time is jittered per host so probes
   spread over the interval. A host answering 404 (endpoint off), 429 or failing waits
   ``backoff_base_s × 2^(n−1)`` after its n-th failure in a row (at least its ``Retry-After``), at most
   ``backoff_max_s``; a host rate-limited on one path is not asked on the other either. The back-off
   is stored in ``probe_results``, so a restart does not knock again.
2. **The chain** (``gonka_api`` base URLs with ``chain_api``), in bulk where the chain offers bulk: once
   per epoch ``params`` and the root ``epoch_group_data`` (weights), and one ``epoch_group_data?model_id=``
   per model whose penalty is near (every member in one answer); per watched participant, where the chain
   has no bulk form, ``collateral`` and ``poc_delegation`` at most ``chain_lookups_per_cycle`` a cycle,
   again each epoch and every ``chain_interval_s``.
3. Every answer and failure is upserted in one statement; what is not known stays None (unknown) and
   no condition fires on it. The step returns a :class:`~bot.domain.probes.ProbeCycle` for the report.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Gauge

from bot.config import ProbesConfig, TrackersConfig
from bot.db import probes as db
from bot.db.stats import WatchedNode
from bot.db.types import Conn, Pool
from bot.domain.node_stats import NodeStats, ParticipantView, SourceSnapshot, resolve_target
from bot.domain.probes import (
    FACTS_KEY,
    CollateralRule,
    Delegations,
    HostVersions,
    HostWeight,
    MlNodeVersion,
    ModelRule,
    NetworkProbes,
    NodeProbes,
    ProbeCycle,
    ProbeFacts,
    version_majority,
)
from integrations import chain_params, chain_probes, host_probes
from integrations.errors import SourceError, SourceNotFoundError, SourceRateLimitedError
from integrations.http import HttpSettings, JsonFetcher

log = logging.getLogger(__name__)

VERSIONS = "versions"
METRICS = "mlnode_metrics"
COLLATERAL = "collateral"
DELEGATION = "poc_delegation"
MODEL_GROUP = "model_group"
CHAIN_EPOCH = "chain_epoch"
HOST_KINDS = (VERSIONS, METRICS)
NETWORK_KINDS = (VERSIONS, METRICS, MODEL_GROUP, CHAIN_EPOCH)
PARTICIPANT_KINDS = (COLLATERAL, DELEGATION)
#: host data older than this many intervals is not believed (the host has not been asked since)
STALE_AFTER_INTERVALS = 3
#: rows nobody asked about for this long are deleted (hosts and participants that left)
PRUNE_AFTER = timedelta(days=14)
_EPOCH_SUBJECT = ""


class ProbeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "minegnk_probe_requests_total",
            "Per-host probes and chain look-ups by kind and outcome (ok, not_served, rate_limited, failed)",
            ["kind", "outcome"],
            registry=registry,
        )
        self.backlog = Gauge(
            "minegnk_probe_backlog",
            "Host probes that were due but left for a later cycle (the per-cycle bound)",
            registry=registry,
        )


@dataclass(slots=True)
class _Host:
    base: str
    weight: int = 0
    watched: bool = False


@dataclass(slots=True)
class _Plan:
    """This cycle's work and the rows to write."""

    rows: dict[tuple[str, str], db.ProbeRow] = field(default_factory=dict)
    host_requests: int = 0
    chain_requests: int = 0


def _spread(subject: str) -> float:
    """A fixed per-subject factor in [1, 1.2): probes of many hosts do not fall due together."""
    return 1.0 + 0.2 * (zlib.crc32(subject.encode()) / 2**32)


def _outcome(exc: SourceError) -> tuple[str, int | None]:
    if isinstance(exc, SourceRateLimitedError):
        return "rate_limited", 429
    if isinstance(exc, SourceNotFoundError):
        return "not_served", 404
    return "failed", getattr(exc, "status", None)


class ProbeStep:
    """Built by the composition root when ``trackers.probes.enabled``; called once per poll cycle."""

    def __init__(
        self,
        cfg: TrackersConfig,
        pool: Pool,
        metrics: ProbeMetrics,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._cfg = cfg
        self._p = cfg.probes
        self._pool = pool
        self.metrics = metrics
        self._clock = clock
        self._pruned_epoch: int | None = None
        #: the findings rows this process last wrote (node -> digest) and that run's time; None: not
        #: known (first run, another process wrote since, or the write failed), read from the table
        self._written: dict[UUID, str] | None = None
        self._written_at: datetime | None = None
        self._network: NetworkProbes | None = None
        #: the last cycle's result; None before the first, when the cycle had no source, or when the
        #: step failed (every probe condition is then unknown)
        self.last: ProbeCycle | None = None

    # -- back-off ----------------------------------------------------------------------------------

    @property
    def config(self) -> ProbesConfig:
        return self._p

    def backoff_s(self, failures: int, retry_after_s: float | None = None) -> float:
        """Wait after the ``failures``-th failure in a row: base × 2^(n−1), at least Retry-After, capped."""
        p = self._p
        wait = float(min(p.backoff_max_s, p.backoff_base_s * 2 ** max(0, min(failures - 1, 30))))
        if retry_after_s is not None:
            wait = max(wait, min(retry_after_s, p.backoff_max_s))
        return wait

    def _ok_row(
        self,
        kind: str,
        subject: str,
        data: Any,
        now: datetime,
        interval_s: float,
        epoch_id: int | None = None,
    ) -> db.ProbeRow:
        self.metrics.requests.labels(kind, "ok").inc()
        return db.ProbeRow(
            kind=kind,
            subject=subject,
            outcome="ok",
            epoch_id=epoch_id,
            data=data,
            http_status=None,
            failures=0,
            next_at=now + timedelta(seconds=interval_s * _spread(subject)),
            observed_at=now,
            ok_at=now,
            last_error=None,
        )

    def _failed_row(
        self,
        kind: str,
        subject: str,
        exc: SourceError,
        previous: db.ProbeRow | None,
        now: datetime,
        epoch_id: int | None = None,
    ) -> db.ProbeRow:
        outcome, status = _outcome(exc)
        self.metrics.requests.labels(kind, outcome).inc()
        failures = (previous.failures if previous is not None else 0) + 1
        retry_after = exc.retry_after_s if isinstance(exc, SourceRateLimitedError) else None
        wait = self.backoff_s(failures, retry_after)
        log.info(
            "probe %s of %s: %s (%s); failure %d in a row, not asked again for %.0fs",
            kind,
            subject or "-",
            outcome,
            exc.message[:200],
            failures,
            wait,
        )
        return db.ProbeRow(
            kind=kind,
            subject=subject,
            outcome=outcome,
            epoch_id=epoch_id,
            data=None,  # a failed probe leaves the condition unknown, never the last answer
            http_status=status,
            failures=failures,
            next_at=now + timedelta(seconds=wait),
            observed_at=now,
            ok_at=previous.ok_at if previous is not None else None,
            last_error=exc.message,
        )

    # -- the cycle ---------------------------------------------------------------------------------

    async def run(
        self,
        snapshots: Sequence[SourceSnapshot],
        watched: Sequence[WatchedNode],
        stats: Sequence[NodeStats],
        epoch_id: int | None,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> ProbeCycle:
        self.last = None
        if session is None:
            async with aiohttp.ClientSession(raise_for_status=False) as own:
                self.last = await self._run(snapshots, watched, stats, epoch_id, own)
        else:
            self.last = await self._run(snapshots, watched, stats, epoch_id, session)
        return self.last

    async def _run(
        self,
        snapshots: Sequence[SourceSnapshot],
        watched: Sequence[WatchedNode],
        stats: Sequence[NodeStats],
        epoch_id: int | None,
        session: aiohttp.ClientSession,
    ) -> ProbeCycle:
        now = self._clock()
        # a pass over every participant of the network: off the event loop (100,000 in the bench)
        views, hosts, total_weight, targets, addresses = await asyncio.to_thread(
            self._prepare, snapshots, watched, stats
        )

        stored = {(r.kind, r.subject): r for r in await db.load_kinds(self._pool, NETWORK_KINDS)}
        stored.update(
            {(r.kind, r.subject): r for r in await db.load_subjects(self._pool, PARTICIPANT_KINDS, addresses)}
        )
        plan = _Plan()
        await self._probe_hosts(session, hosts, stored, plan, now)
        await self._chain(session, epoch_id, addresses, stored, plan, now)
        if plan.rows:
            await db.save(self._pool, list(plan.rows.values()))
            stored.update(plan.rows)
        if epoch_id is not None and self._pruned_epoch != epoch_id:
            self._pruned_epoch = epoch_id
            n = await db.prune(self._pool, now - PRUNE_AFTER)
            if n:
                log.info("probes: pruned %d result(s) nobody asked about for %s", n, PRUNE_AFTER)
        cycle = await asyncio.to_thread(
            self._build, epoch_id, now, views, hosts, total_weight, targets, stored, plan
        )
        await self._save_findings(cycle, now)
        return cycle

    async def _save_findings(self, cycle: ProbeCycle, now: datetime) -> None:
        """Every watched node's findings for ``/node``, in one statement: the run's time, the rows
        that changed since the last run, the deletion of rows of nodes no longer watched."""
        network, rows = await asyncio.to_thread(_findings_rows, cycle)
        if self._written is None or await db.findings_run_at(self._pool) != self._written_at:
            self._written_at, self._written = await db.findings_digests(self._pool)
        written = self._written
        changed = [r for r in rows if written.get(r.node_id) != r.digest]
        watched = {r.node_id for r in rows}
        gone = [n for n in written if n not in watched]
        self._written = None  # until the write is known to have landed
        await db.save_findings(self._pool, now, network, changed, gone)
        self._written, self._written_at = {r.node_id: r.digest for r in rows}, now
        if changed or gone:
            log.debug("probes: findings of %d node(s) changed, %d removed", len(changed), len(gone))

    def _prepare(
        self, snapshots: Sequence[SourceSnapshot], watched: Sequence[WatchedNode], stats: Sequence[NodeStats]
    ) -> tuple[
        dict[str, ParticipantView],
        dict[str, _Host],
        int,
        dict[UUID, tuple[str | None, str | None]],
        list[str],
    ]:
        views = _participants(snapshots)
        total_weight = sum(v.weight for v in views.values() if v.weight is not None and v.weight > 0)
        hosts = self._hosts(views)
        targets = self._targets(watched, stats, views)
        for address, _ in targets.values():
            base = self._base(views.get(address)) if address else None
            if base is not None:
                hosts[base].watched = True
        addresses = sorted({a for a, _ in targets.values() if a is not None and a in views})
        return views, hosts, total_weight, targets, addresses

    # -- who is who --------------------------------------------------------------------------------

    def _base(self, view: ParticipantView | None) -> str | None:
        if view is None or view.inference_url is None:
            return None
        return _probe_base(view.inference_url, self._p.allow_private_hosts)

    def _hosts(self, views: Mapping[str, ParticipantView]) -> dict[str, _Host]:
        hosts: dict[str, _Host] = {}
        for view in views.values():
            base = self._base(view)
            if base is None:
                continue
            h = hosts.get(base)
            if h is None:
                hosts[base] = h = _Host(base)
            if view.weight is not None and view.weight > 0:
                h.weight += view.weight
        return hosts

    @staticmethod
    def _targets(
        watched: Sequence[WatchedNode], stats: Sequence[NodeStats], views: Mapping[str, ParticipantView]
    ) -> dict[UUID, tuple[str | None, str | None]]:
        """node id -> (participant address, watched ML node)."""
        out: dict[UUID, tuple[str | None, str | None]] = {}
        for w, s in zip(watched, stats, strict=True):
            t = resolve_target(w.identifier, w.identifier_type, None)
            address = t.address or s.address
            out[w.id] = (address, t.ml_node)
        return out

    # -- 1. hosts ----------------------------------------------------------------------------------

    async def _probe_hosts(
        self,
        session: aiohttp.ClientSession,
        hosts: Mapping[str, _Host],
        stored: Mapping[tuple[str, str], db.ProbeRow],
        plan: _Plan,
        now: datetime,
    ) -> None:
        p = self._p
        epoch_start = datetime.min.replace(tzinfo=UTC)
        due: list[tuple[int, datetime, str, str]] = []
        for base, h in hosts.items():
            rows = [stored.get((k, base)) for k in HOST_KINDS]
            if any(r is not None and r.outcome == "rate_limited" and r.next_at > now for r in rows):
                continue  # the host said "later": nothing at all until then
            kinds = (METRICS, VERSIONS) if h.watched else ((VERSIONS,) if p.network_versions else ())
            for kind in kinds:
                row = stored.get((kind, base))
                if row is None or row.next_at <= now:
                    due.append((0 if h.watched else 1, row.next_at if row else epoch_start, kind, base))
        due.sort()
        chosen: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _, _, kind, base in due:
            if len(chosen) >= p.host_requests_per_cycle:
                break
            if base in seen:
                continue  # one request per host per cycle
            seen.add(base)
            chosen.append((kind, base))
        self.metrics.backlog.set(len({b for _, _, _, b in due}) - len(chosen))
        if not chosen:
            return
        settings = HttpSettings(timeout_s=p.timeout_s, retries=0, user_agent=self._cfg.user_agent)
        gate = asyncio.Semaphore(p.concurrency)

        async def one(kind: str, base: str) -> db.ProbeRow:
            fetch = JsonFetcher(session, "host_probe", [base], settings)
            async with gate:
                try:
                    if kind == VERSIONS:
                        data: Any = _versions_data(await host_probes.fetch_versions(fetch))
                        interval = p.versions_interval_s
                    else:
                        up = await host_probes.fetch_mlnode_up(fetch)
                        data = {"up": {k: str(v) for k, v in sorted(up.items())}}
                        interval = p.metrics_interval_s
                except SourceError as exc:
                    return self._failed_row(kind, base, exc, stored.get((kind, base)), now)
            return self._ok_row(kind, base, data, now, interval)

        plan.host_requests += len(chosen)
        for row in await asyncio.gather(*(one(k, b) for k, b in chosen)):
            plan.rows[(row.kind, row.subject)] = row

    # -- 2. the chain ------------------------------------------------------------------------------

    def _chain_fetcher(self, session: aiohttp.ClientSession) -> JsonFetcher | None:
        ga = self._cfg.gonka_api
        if not (ga.enabled and ga.chain_api):
            return None
        c = self._cfg
        settings = HttpSettings(
            timeout_s=c.request_timeout_s,
            retries=c.retries,
            backoff_base_s=c.backoff_base_s,
            backoff_max_s=c.backoff_max_s,
            user_agent=c.user_agent,
        )
        return JsonFetcher(session, "chain_probes", [str(u) for u in ga.base_urls], settings)

    @staticmethod
    def _due(row: db.ProbeRow | None, epoch_id: int, now: datetime) -> bool:
        """A participant's look-up: at each new epoch, then every ``chain_interval_s``; after a failure
        when its back-off ends."""
        if row is None:
            return True
        if row.outcome == "ok" and row.epoch_id != epoch_id:
            return True
        return row.next_at <= now

    @staticmethod
    def _due_once(row: db.ProbeRow | None, epoch_id: int, now: datetime) -> bool:
        """An epoch-wide read (params, a model's group): once per epoch; after a failure when its
        back-off ends."""
        if row is None:
            return True
        if row.outcome == "ok":
            return row.epoch_id != epoch_id
        return row.next_at <= now

    async def _chain(
        self,
        session: aiohttp.ClientSession,
        epoch_id: int | None,
        addresses: Sequence[str],
        stored: dict[tuple[str, str], db.ProbeRow],
        plan: _Plan,
        now: datetime,
    ) -> None:
        fetch = self._chain_fetcher(session)
        if fetch is None or epoch_id is None:
            return
        p = self._p
        key = (CHAIN_EPOCH, _EPOCH_SUBJECT)
        if self._due_once(stored.get(key), epoch_id, now):
            plan.chain_requests += 2
            try:
                data = await _chain_epoch_data(fetch, epoch_id)
            except SourceError as exc:
                row = self._failed_row(CHAIN_EPOCH, _EPOCH_SUBJECT, exc, stored.get(key), now, epoch_id)
            else:
                row = self._ok_row(CHAIN_EPOCH, _EPOCH_SUBJECT, data, now, p.chain_interval_s, epoch_id)
            plan.rows[key] = stored[key] = row
        epoch_row = stored.get(key)
        epoch_data = epoch_row.data if epoch_row is not None and epoch_row.epoch_id == epoch_id else None
        if epoch_data:
            for model_id, start in epoch_data.get("models") or ():
                if start is None or start > epoch_id + p.model_penalty_warn_epochs:
                    continue
                mkey = (MODEL_GROUP, model_id)
                if not self._due_once(stored.get(mkey), epoch_id, now):
                    continue
                plan.chain_requests += 1
                try:
                    group = await chain_probes.fetch_model_group(fetch, epoch_id, model_id)
                except SourceError as exc:
                    row = self._failed_row(MODEL_GROUP, model_id, exc, stored.get(mkey), now, epoch_id)
                else:
                    if group is None:  # the chain has no such group (yet): not known
                        row = self._failed_row(
                            MODEL_GROUP,
                            model_id,
                            SourceError("chain_probes", f"no epoch group of {model_id} in epoch {epoch_id}"),
                            stored.get(mkey),
                            now,
                            epoch_id,
                        )
                    else:
                        members = sorted(m.member_address for m in group.validation_weights if m.committed)
                        row = self._ok_row(
                            MODEL_GROUP, model_id, {"committed": members}, now, p.chain_interval_s, epoch_id
                        )
                plan.rows[mkey] = stored[mkey] = row
        # per participant: no bulk form on the chain; bounded, most overdue first
        epoch_start = datetime.min.replace(tzinfo=UTC)
        due: list[tuple[datetime, str, str]] = []
        for address in addresses:
            for kind in PARTICIPANT_KINDS:
                prev = stored.get((kind, address))
                if self._due(prev, epoch_id, now):
                    due.append((prev.next_at if prev else epoch_start, kind, address))
        due.sort()
        chosen = due[: p.chain_lookups_per_cycle]
        if not chosen:
            return
        gate = asyncio.Semaphore(p.concurrency)

        async def one(kind: str, address: str) -> db.ProbeRow:
            async with gate:
                try:
                    if kind == COLLATERAL:
                        data: Any = {"ngonka": str(await chain_probes.fetch_collateral(fetch, address))}
                    else:
                        data = _delegation_data(await chain_probes.fetch_poc_delegation(fetch, address))
                except SourceError as exc:
                    return self._failed_row(kind, address, exc, stored.get((kind, address)), now, epoch_id)
            return self._ok_row(kind, address, data, now, p.chain_interval_s, epoch_id)

        plan.chain_requests += len(chosen)
        for row in await asyncio.gather(*(one(k, a) for _, k, a in chosen)):
            plan.rows[(row.kind, row.subject)] = row

    # -- 3. what it says ---------------------------------------------------------------------------

    def _fresh(self, row: db.ProbeRow | None, interval_s: float, now: datetime) -> Any:
        if row is None or row.outcome != "ok" or row.data is None or row.ok_at is None:
            return None
        if now - row.ok_at > timedelta(seconds=interval_s * STALE_AFTER_INTERVALS):
            return None
        return row.data

    def _build(
        self,
        epoch_id: int | None,
        now: datetime,
        views: Mapping[str, ParticipantView],
        hosts: Mapping[str, _Host],
        total_weight: int,
        targets: Mapping[UUID, tuple[str | None, str | None]],
        stored: Mapping[tuple[str, str], db.ProbeRow],
        plan: _Plan,
    ) -> ProbeCycle:
        p = self._p
        versions: dict[str, HostVersions] = {}
        for base in hosts:
            data = self._fresh(stored.get((VERSIONS, base)), p.versions_interval_s, now)
            if data is not None:
                versions[base] = _versions_of(data)
        majority = version_majority(
            (HostWeight(v, hosts[b].weight) for b, v in versions.items()),
            total_weight,
            min_coverage=Decimal(str(p.min_majority_coverage)),
        )

        def this_epoch(row: db.ProbeRow | None) -> Any:
            if row is None or row.outcome != "ok" or epoch_id is None or row.epoch_id != epoch_id:
                return None
            return row.data

        epoch_data = this_epoch(stored.get((CHAIN_EPOCH, _EPOCH_SUBJECT)))
        committed: dict[str, frozenset[str]] = {}
        for (kind, subject), row in stored.items():
            if kind == MODEL_GROUP and (data := this_epoch(row)) is not None:
                committed[subject] = frozenset(data.get("committed") or ())
        network = _network_of(epoch_id, epoch_data, committed, majority)
        if network == self._network:
            # the same object as last cycle's: the alert engine compares each node's facts with last
            # cycle's, and identical members compare at once (the commitments may list thousands)
            network = self._network
        self._network = network
        weights: Mapping[str, Any] = (epoch_data or {}).get("weights") or {}

        nodes: dict[UUID, NodeProbes] = {}
        for node_id, (address, ml_node) in targets.items():
            view = views.get(address) if address else None
            host = self._base(view)
            metrics = self._fresh(stored.get((METRICS, host)), p.metrics_interval_s, now) if host else None
            col = this_epoch(stored.get((COLLATERAL, address))) if address else None
            dele = this_epoch(stored.get((DELEGATION, address))) if address else None
            weight = weights.get(address) if address else None
            if weight is None and view is not None:
                weight = view.weight
            nodes[node_id] = NodeProbes(
                address=address,
                ml_node=ml_node,
                host=host,
                versions=versions.get(host) if host else None,
                mlnode_up={k: Decimal(v) for k, v in metrics["up"].items()} if metrics is not None else None,
                ml_nodes=view.ml_nodes if view is not None else None,
                weight=int(weight) if weight is not None else None,
                collateral_ngonka=int(col["ngonka"]) if col is not None else None,
                delegations=_delegations_of(dele) if dele is not None else None,
                models_run=frozenset(view.models) if view is not None and view.models else None,
            )
        return ProbeCycle(network, nodes, plan.host_requests, plan.chain_requests)


class ProbeFactsCollector:
    """Hands the alert engine each node's :class:`~bot.domain.probes.ProbeFacts` from the probe step's
    result of the same cycle (the step runs before the engine, in the same poll cycle)."""

    name = FACTS_KEY

    def __init__(self, step: ProbeStep) -> None:
        self._step = step
        p = step.config
        self._warn_epochs = p.model_penalty_warn_epochs
        self._margin = p.collateral_warn_margin

    async def collect(self, conn: Conn, node_ids: list[UUID]) -> Mapping[UUID, ProbeFacts]:
        cycle = self._step.last
        if cycle is None:
            return {}
        return {
            n: ProbeFacts(cycle.nodes[n], cycle.network, self._warn_epochs, self._margin)
            for n in node_ids
            if n in cycle.nodes
        }


# -- (de)serialising what is stored -----------------------------------------------------------------


def _findings_rows(cycle: ProbeCycle) -> tuple[dict[str, Any], list[db.FindingsRow]]:
    """The run's network facts and each node's findings row with its digest (off the event loop)."""
    rows = []
    for node_id, node in cycle.nodes.items():
        data = db.node_findings_data(node, cycle.network)
        rows.append(db.FindingsRow(node_id, db.digest(data), data))
    return db.network_findings_data(cycle.network), rows


@functools.lru_cache(maxsize=1 << 16)
def _probe_base(inference_url: str, allow_private: bool) -> str | None:
    return host_probes.probe_base(inference_url, allow_private=allow_private)


def _participants(snapshots: Sequence[SourceSnapshot]) -> dict[str, ParticipantView]:
    """Each participant's view from the first source (in priority order) that lists it."""
    out: dict[str, ParticipantView] = {}
    for snap in snapshots:
        for address, view in snap.participants.items():
            known = out.get(address)
            if known is None or (known.inference_url is None and view.inference_url is not None):
                out[address] = view
    return out


def _versions_data(v: host_probes.VersionsResponse) -> dict[str, Any]:
    return {
        "api_version": v.api_version.version if v.api_version else None,
        "node_version": v.node_version.version if v.node_version else None,
        "mlnodes": None if v.mlnodes is None else [[n.node_id, n.version or None] for n in v.mlnodes],
    }


def _versions_of(data: Mapping[str, Any]) -> HostVersions:
    ml = data.get("mlnodes")
    return HostVersions(
        api_version=data.get("api_version"),
        node_version=data.get("node_version"),
        mlnodes=None if ml is None else tuple(MlNodeVersion(n, v) for n, v in ml),
    )


def _delegation_data(d: chain_probes.PoCDelegationResponse) -> dict[str, Any]:
    return {
        "delegated": {x.model_id: x.delegate_to for x in d.delegations},
        "refused": sorted({x.model_id for x in d.refusals}),
        "intents": sorted({x.model_id for x in d.intents}),
    }


def _delegations_of(data: Mapping[str, Any]) -> Delegations:
    return Delegations(
        delegated=dict(data.get("delegated") or {}),
        refused=frozenset(data.get("refused") or ()),
        intents=frozenset(data.get("intents") or ()),
    )


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


async def _chain_epoch_data(fetch: JsonFetcher, epoch_id: int) -> dict[str, Any]:
    """``params`` and the root group's weights of ``epoch_id`` (two bulk requests)."""
    params = await chain_params.fetch_params(fetch)
    try:
        group = await chain_params.fetch_epoch_group(fetch, epoch_id)
    except SourceError as exc:  # the weights are a refinement: the trackers' weights stand in
        log.info("probes: epoch_group_data of epoch %d unavailable (%s)", epoch_id, exc.message)
        group = None
    poc = params.poc_params
    dp = params.delegation_params
    cp = params.collateral_params
    collateral = None
    if cp is not None and cp.base_weight_ratio is not None and cp.collateral_per_weight_unit is not None:
        collateral = {
            "base_weight_ratio": _dec(cp.base_weight_ratio),
            "per_weight_unit": _dec(cp.collateral_per_weight_unit),
            "grace_period_end_epoch": cp.grace_period_end_epoch,
        }
    return {
        "models": None
        if poc is None or poc.models is None
        else [[m.model_id, m.penalty_start_epoch] for m in poc.models],
        "no_participation_penalty": _dec(dp.no_participation_penalty) if dp else None,
        "refusal_penalty": _dec(dp.refusal_penalty) if dp else None,
        "collateral": collateral,
        "weights": {
            w.member_address: w.weight
            for w in (group.validation_weights or () if group is not None else ())
            if w.weight is not None
        },
    }


def _network_of(
    epoch_id: int | None,
    data: Mapping[str, Any] | None,
    committed: Mapping[str, frozenset[str]],
    majority: Any,
) -> NetworkProbes:
    if data is None:
        return NetworkProbes(epoch_id=epoch_id, majority=majority)
    models = data.get("models")
    col = data.get("collateral")
    npp = data.get("no_participation_penalty")
    rp = data.get("refusal_penalty")
    return NetworkProbes(
        epoch_id=epoch_id,
        models=None if models is None else tuple(ModelRule(m, s) for m, s in models),
        no_participation_penalty=Decimal(npp) if npp is not None else None,
        refusal_penalty=Decimal(rp) if rp is not None else None,
        collateral_rule=None
        if col is None
        else CollateralRule(
            Decimal(col["base_weight_ratio"]), Decimal(col["per_weight_unit"]), col["grace_period_end_epoch"]
        ),
        committed=committed,
        majority=majority,
    )
