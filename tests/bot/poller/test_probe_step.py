"""The probe step: bounded per cycle, spread, backed off on 404/429 (remembered across restarts), chain
look-ups in bulk where the chain has bulk; real PostgreSQL, hosts and chain on the local tracker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio
from prometheus_client import CollectorRegistry

from bot.config import Config
from bot.db import probes as probes_db
from bot.db.stats import WatchedNode
from bot.db.types import Pool
from bot.domain.node_stats import NodeStats, ParticipantView, SourceSnapshot
from bot.domain.probes import ProbeCycle, ProbeState, collateral, mlnode_down, model_participation
from bot.domain.status import NodeStatus
from bot.poller.probes import ProbeFactsCollector, ProbeMetrics, ProbeStep
from tests.bot.poller.conftest import RecordingObserver, make_poller, tracker_config
from tests.bot.poller.test_poll_cycle import add_nodes
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_data import (
    ACTIVE_2026,
    EPOCH_2026,
    INACTIVE_2026,
    era2026_mlnode_metrics,
    era2026_model_group,
    era2026_params,
    era2026_versions,
    synthetic_address,
)
from tests.fakes.tracker_server import TrackerServer

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
MINIMAX = "MiniMaxAI/MiniMax-M2.7"
DEEPSEEK = "deepseek-ai/DeepSeek-V4-Flash-0731"


@pytest_asyncio.fixture
async def chain() -> AsyncIterator[TrackerServer]:
    """The local tracker as hosts and the chain: live params, model groups, collateral, delegations."""
    srv = TrackerServer()
    srv.params = era2026_params()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def probe_config(db_url: str, srv: TrackerServer, **probes: Any) -> Config:
    return tracker_config(
        db_url,
        srv.url,
        sources=("gonka_api",),
        gonka_api={"chain_api": True},
        probes={"allow_private_hosts": True, "backoff_base_s": 600, "backoff_max_s": 86400, **probes},
    )


def step(config: Config, pool: Pool, clock: Clock) -> ProbeStep:
    return ProbeStep(config.trackers, pool, ProbeMetrics(CollectorRegistry()), clock=clock)


@dataclass
class World:
    """Participants (one per host) and the watched ones, as a cycle hands them to the probe step."""

    snapshot: SourceSnapshot
    watched: list[WatchedNode]
    stats: list[NodeStats]

    async def cycle(self, s: ProbeStep, epoch: int = EPOCH_2026) -> ProbeCycle:
        return await s.run([self.snapshot], self.watched, self.stats, epoch)


def world(srv: TrackerServer, hosts: int, watched: int = 0, *, ml_node: str | None = None) -> World:
    views = {}
    for i in range(hosts):
        address = synthetic_address(i)
        views[address] = ParticipantView(
            address=address, weight=1000, inference_url=srv.host_url(f"h{i}"), ml_nodes=("node1", "node2")
        )
        srv.host_versions[f"h{i}"] = era2026_versions()
        srv.host_metrics[f"h{i}"] = era2026_mlnode_metrics()
    snap = SourceSnapshot("gonka_api", EPOCH_2026, T0, views)
    w: list[WatchedNode] = []
    st: list[NodeStats] = []
    for i in range(watched):
        address = synthetic_address(i)
        ident, kind = (f"{address}:{ml_node}", "node_id") if ml_node else (address, "wallet")
        node_id = uuid.uuid4()
        w.append(WatchedNode(node_id, ident, kind, NodeStatus.HEALTHY, 0))
        st.append(NodeStats(node_id, NodeStatus.HEALTHY, None, "gonka_api", T0, EPOCH_2026, views[address]))
    return World(snap, w, st)


def host_requests(srv: TrackerServer) -> int:
    return sum(srv.host_requests.values())


async def row(pool: Pool, kind: str, subject: str) -> probes_db.ProbeRow:
    (r,) = await probes_db.load_subjects(pool, [kind], [subject])
    return r


# -- bounded and spread -----------------------------------------------------------------------------


async def test_host_probes_are_bounded_per_cycle_and_each_host_asked_once(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=25)
    clock = Clock()
    s = step(probe_config(db_url, chain, host_requests_per_cycle=10), pool, clock)

    per_cycle = []
    for _ in range(4):
        before = host_requests(chain)
        await w.cycle(s)
        per_cycle.append(host_requests(chain) - before)

    assert per_cycle == [10, 10, 5, 0]  # every host's version once, then nothing until it is due again
    assert all(n == 1 for n in chain.host_requests.values()) and len(chain.host_requests) == 25
    # spread: each host's next time is its own, within [interval, 1.2 x interval)
    due = [r.next_at - T0 for r in await probes_db.load_kinds(pool, ["versions"])]
    assert len(set(due)) == 25
    assert all(timedelta(seconds=3600) <= d < timedelta(seconds=3600 * 1.2) for d in due)
    # an hour later (versions_interval_s, jittered up to +20 % per host) they come due over time again
    clock.advance(3600 * 1.2)
    before = host_requests(chain)
    await w.cycle(s)
    assert host_requests(chain) - before == 10


async def test_watched_hosts_are_probed_before_the_rest_of_the_network(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=30, watched=1)
    s = step(probe_config(db_url, chain, host_requests_per_cycle=2), pool, Clock())
    result = await w.cycle(s)
    assert chain.host_requests[("h0", ts.HOST_METRICS)] == 1  # the watched host's metrics first
    await w.cycle(s)
    assert chain.host_requests[("h0", ts.HOST_VERSIONS)] == 1
    assert result.host_requests == 2


# -- backed off, never hammered ---------------------------------------------------------------------


async def test_a_host_answering_404_is_backed_off_exponentially_across_restarts(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=1, watched=1)
    chain.host_answer("h0", ts.HOST_METRICS, 404)  # metrics turned off on this host
    clock = Clock()
    config = probe_config(db_url, chain)
    s = step(config, pool, clock)
    for _ in range(5):  # cycle 1 asks metrics, cycle 2 versions, then nothing is due
        await w.cycle(s)
    assert chain.host_requests[("h0", ts.HOST_METRICS)] == 1
    first = await row(pool, "mlnode_metrics", chain.host_url("h0"))
    assert (first.outcome, first.http_status, first.failures, first.data) == ("not_served", 404, 1, None)
    assert first.next_at == T0 + timedelta(seconds=600)

    clock.advance(599)
    await step(config, pool, clock).run([w.snapshot], w.watched, w.stats, EPOCH_2026)  # a restart
    assert chain.host_requests[("h0", ts.HOST_METRICS)] == 1  # the back-off survived it
    clock.advance(2)
    await w.cycle(s)
    assert chain.host_requests[("h0", ts.HOST_METRICS)] == 2
    second = await row(pool, "mlnode_metrics", chain.host_url("h0"))
    assert second.failures == 2 and second.next_at == clock.now + timedelta(seconds=1200)  # doubled

    chain.host_answer("h0", ts.HOST_METRICS, None)  # turned back on
    clock.advance(1200)
    result = await w.cycle(s)
    back = await row(pool, "mlnode_metrics", chain.host_url("h0"))
    assert (back.outcome, back.failures) == ("ok", 0)
    assert mlnode_down(result.nodes[w.watched[0].id]).state is ProbeState.FAILING  # node2: mlnode_up 0


async def test_a_429_is_honoured_with_its_retry_after_and_the_host_is_left_alone(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=1, watched=1)
    chain.host_answer("h0", ts.HOST_METRICS, 429, retry_after="7200")
    clock = Clock()
    s = step(probe_config(db_url, chain), pool, clock)
    await w.cycle(s)
    limited = await row(pool, "mlnode_metrics", chain.host_url("h0"))
    assert (limited.outcome, limited.http_status) == ("rate_limited", 429)
    assert limited.next_at == T0 + timedelta(seconds=7200)  # Retry-After beats the 600 s base
    for _ in range(3):
        clock.advance(1800)
        await w.cycle(s)
    # "later" means later for the whole host: not even its versions were asked meanwhile
    assert host_requests(chain) == 1
    clock.advance(2000)
    await w.cycle(s)
    assert host_requests(chain) == 2


async def test_metrics_without_mlnode_up_or_not_served_are_unknown_never_down(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=2, watched=2, ml_node="node2")
    chain.host_metrics["h0"] = era2026_mlnode_metrics(with_mlnode_up=False)
    chain.host_answer("h1", ts.HOST_METRICS, 404)
    result = await w.cycle(step(probe_config(db_url, chain), pool, Clock()))
    for node in w.watched:
        finding = mlnode_down(result.nodes[node.id])
        assert finding.state is ProbeState.UNKNOWN and not finding.fires


# -- the chain: bulk where it has bulk, bounded where it has not ----------------------------------


async def test_chain_reads_params_and_model_groups_once_per_epoch_and_bounds_participant_lookups(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=5, watched=5)
    a0, a1 = synthetic_address(0), synthetic_address(1)
    chain.model_groups = {
        (EPOCH_2026, MINIMAX): era2026_model_group(MINIMAX, {a0: 1000, a1: 1000}),
        (EPOCH_2026, DEEPSEEK): era2026_model_group(DEEPSEEK, {a0: 1000, a1: 0}),
    }
    chain.collateral[a0] = {"amount": {"denom": "ngonka", "amount": "250000000000"}}
    chain.delegations[a1] = {
        "delegations": [{"model_id": DEEPSEEK, "delegator": a1, "delegate_to": a0}],
        "refusals": [],
        "intents": [],
    }
    clock = Clock()
    s = step(probe_config(db_url, chain, chain_lookups_per_cycle=4), pool, clock)
    lookups = []
    for _ in range(4):
        before = chain.requests[ts.GA_COLLATERAL] + chain.requests[ts.GA_DELEGATION]
        result = await w.cycle(s)
        lookups.append(chain.requests[ts.GA_COLLATERAL] + chain.requests[ts.GA_DELEGATION] - before)

    assert lookups == [4, 4, 2, 0]  # 5 participants x 2 look-ups, at most 4 a cycle
    # params and root group once; one request per model whose penalty is near (GLM's starts at 394)
    assert (chain.requests[ts.GA_PARAMS], chain.requests[ts.GA_EPOCH_GROUP]) == (1, 1)
    assert chain.requests[ts.GA_MODEL_GROUP] == 2
    by_address = {n.address: n for n in result.nodes.values()}
    # a0 runs both models and has collateral; a1 delegated DeepSeek to a0, which committed PoC to it
    assert model_participation(by_address[a0], result.network).state is ProbeState.OK
    assert model_participation(by_address[a1], result.network).state is ProbeState.OK
    # a2 does nothing for DeepSeek (penalty since 360): the penalty applies
    assert model_participation(by_address[synthetic_address(2)], result.network).state is ProbeState.FAILING
    assert collateral(by_address[a0], result.network).state is ProbeState.OK
    assert collateral(by_address[a1], result.network).state is ProbeState.FAILING  # nothing deposited

    # a new epoch: read again, once
    await w.cycle(s, epoch=EPOCH_2026 + 1)
    assert chain.requests[ts.GA_PARAMS] == 2


async def test_collateral_endpoint_not_served_leaves_collateral_unknown(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    w = world(chain, hosts=1, watched=1)
    chain.collateral_served = False
    result = await w.cycle(step(probe_config(db_url, chain), pool, Clock()))
    finding = collateral(result.nodes[w.watched[0].id], result.network)
    assert finding.state is ProbeState.UNKNOWN and not finding.fires
    r = await row(pool, "collateral", synthetic_address(0))
    assert (r.outcome, r.data) == ("not_served", None)


# -- in the poll cycle ------------------------------------------------------------------------------


async def test_a_poll_cycle_hands_the_probe_results_to_the_alert_engine(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    for p in tracker2026.gonka_participants["active_participants"]["participants"]:  # type: ignore[index]
        name = p["index"][-6:]
        p["inference_url"] = tracker2026.host_url(name)
        tracker2026.host_versions[name] = era2026_versions()
        tracker2026.host_metrics[name] = era2026_mlnode_metrics()
    ids = await add_nodes(pool, (f"{ACTIVE_2026}:node2", "node_id"), (INACTIVE_2026, "wallet"))
    config = probe_config(db_url, tracker2026)
    probe_step = step(config, pool, Clock(datetime.now(UTC)))
    poller = make_poller(config, pool, db_url, RecordingObserver(), probes=probe_step)
    await poller.poll_cycle()

    collector = ProbeFactsCollector(probe_step)
    async with pool.acquire() as conn:
        facts = await collector.collect(conn, list(ids.values()))  # type: ignore[arg-type]
    assert set(facts) == set(ids.values())
    watched_ml = facts[ids[f"{ACTIVE_2026}:node2"]]  # type: ignore[index]
    assert (watched_ml.node.address, watched_ml.node.ml_node) == (ACTIVE_2026, "node2")
    assert mlnode_down(watched_ml.node).state is ProbeState.FAILING  # its mlnode_up is 0
    assert watched_ml.network.epoch_id == EPOCH_2026 and watched_ml.warn_epochs == 2

    # a cycle in which no source answered: nothing is known, nothing is handed on
    tracker2026.fault(ts.GA_PARTICIPANTS, "status")
    await poller.poll_cycle()
    async with pool.acquire() as conn:
        assert await collector.collect(conn, list(ids.values())) == {}  # type: ignore[arg-type]


# --- what the step stores per watched node for /node (probe_findings) ------------------------------


async def stored_nodes(w: World, pool: Pool) -> None:
    """The watched nodes as rows of ``nodes`` (the findings reference them)."""
    await pool.execute(
        "INSERT INTO nodes (id, identifier, identifier_type)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])",
        [x.id for x in w.watched],
        [x.identifier for x in w.watched],
        [x.identifier_type for x in w.watched],
    )


async def versions(pool: Pool) -> dict[uuid.UUID, str]:
    rows = await pool.fetch("SELECT node_id, xmin::text AS v FROM probe_findings")
    return {r["node_id"]: r["v"] for r in rows}


async def test_findings_are_stored_per_watched_node_and_rewritten_only_when_they_change(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    clock = Clock()
    s = step(probe_config(db_url, chain), pool, clock)
    w = world(chain, hosts=3, watched=2)
    await stored_nodes(w, pool)
    a, b = (x.id for x in w.watched)
    for _ in range(2):  # a watched host's metrics in the first cycle, its versions in the second
        await w.cycle(s)
        clock.advance(60)
    first = await versions(pool)
    assert set(first) == {a, b}
    found = await probes_db.load_findings(pool, a)
    assert found is not None and found.run_at == T0 + timedelta(seconds=60)
    assert s.last is not None and found.node == s.last.nodes[a]  # the same facts the engine read
    assert mlnode_down(found.node).state is ProbeState.FAILING  # node2's mlnode_up is 0
    assert found.node.versions is not None

    await w.cycle(s)  # nothing new: no node row is rewritten, the run's time moves on
    assert await versions(pool) == first
    assert await probes_db.findings_run_at(pool) == T0 + timedelta(seconds=120)

    chain.host_metrics["h0"] = era2026_mlnode_metrics().replace(
        'mlnode_up{node_id="node2"} 0', 'mlnode_up{node_id="node2"} 1'
    )
    clock.advance(400)  # past metrics_interval_s: h0 is asked again and node2 is back up
    await w.cycle(s)
    now = await versions(pool)
    assert now[a] != first[a] and now[b] == first[b]
    found = await probes_db.load_findings(pool, a)
    assert found is not None and mlnode_down(found.node).state is ProbeState.OK

    w.watched, w.stats = w.watched[:1], w.stats[:1]  # b is no longer watched: its row goes
    await w.cycle(s)
    assert set(await versions(pool)) == {a}


async def test_a_new_poll_leader_rewrites_what_another_process_stored_since(
    pool: Pool, db_url: str, chain: TrackerServer
) -> None:
    clock = Clock()
    config = probe_config(db_url, chain)
    s = step(config, pool, clock)
    w = world(chain, hosts=2, watched=1)
    await stored_nodes(w, pool)
    (a,) = (x.id for x in w.watched)
    await w.cycle(s)
    # another process led meanwhile and stored something else for the node
    await pool.execute("UPDATE probe_findings SET data = '{}', digest = 'other'")
    await pool.execute("UPDATE probe_findings_run SET finished_at = finished_at + interval '1 second'")
    clock.advance(60)
    await w.cycle(s)
    found = await probes_db.load_findings(pool, a)
    assert found is not None and s.last is not None and found.node == s.last.nodes[a]
