"""One watched node whose host, ML nodes, collateral and model participation the local tracker serves,
probed by the real probe step and judged by the real alert engine: conditions e-h end to end.

The world (epoch 366, the REAL live params: MiniMax penalised since 278, DeepSeek since 360): the node's
host ``h0`` and three other hosts ``h1``-``h3`` (weight 1000 each) all run v0.2.15-post3 with ML nodes on
3.0.16, every ML node up, 250 GNK of collateral, the node in both penalised models' groups. Its baseline
is ok for every probe condition; :meth:`ProbeWorld.break_` then breaks one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prometheus_client import CollectorRegistry

from bot.alerts.engine import AlertEngine
from bot.config import Config, load_config
from bot.db.stats import WatchedNode
from bot.db.types import Pool
from bot.domain.node_stats import NodeStats, ParticipantView, SourceSnapshot
from bot.domain.status import CycleReport, NodeStatus, Observation
from bot.poller.probes import ProbeFactsCollector, ProbeMetrics, ProbeStep
from tests.fakes.tracker_data import (
    era2026_mlnode_metrics,
    era2026_model_group,
    era2026_params,
    era2026_versions,
)
from tests.fakes.tracker_server import GA_DELEGATION, HOST_METRICS, HOST_VERSIONS, TrackerServer

MINIMAX = "MiniMaxAI/MiniMax-M2.7"
DEEPSEEK = "deepseek-ai/DeepSeek-V4-Flash-0731"
EPOCH = 366
#: the probe conditions and what each one's message must say (title, a phrase of the cost, of the todo)
EXPECTED = {
    "model_participation": ("Model participation", "non-participation penalty", "delegate it"),
    "collateral": ("Collateral short", "cuts the weight", "deposit-collateral"),
    "version_lag": ("Version behind", "costs the epoch's reward", "one machine at a time"),
    "mlnode_down": ("ML node down", "not confirmed", "mlnode_up 1"),
}


def _patched() -> dict[str, Any]:
    """The DERIVED versions body with every ML node on 3.0.16 (values illustrative, keys as captured)."""
    body = era2026_versions()
    for n in body["mlnodes"]:
        n["version"] = "3.0.16"
    return body


def _all_up() -> str:
    return era2026_mlnode_metrics().replace('mlnode_up{node_id="node2"} 0', 'mlnode_up{node_id="node2"} 1')


@dataclass
class ProbeWorld:
    srv: TrackerServer
    pool: Pool
    alert_config: Config
    node_id: UUID
    address: str
    others: list[str]
    now: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=6))
    epoch: int = EPOCH

    def __post_init__(self) -> None:
        trackers = load_config(
            None,
            database={"url": "postgresql://unused", "migrate_on_start": False},
            trackers={
                "request_timeout_s": 2,
                "retries": 0,
                "gonka_api": {"enabled": True, "base_urls": [self.srv.url], "chain_api": True},
                "hyperfusion": {"enabled": False},
                "probes": {"allow_private_hosts": True},
            },
            allow_insecure_urls=True,
        ).trackers
        self.step = ProbeStep(trackers, self.pool, ProbeMetrics(CollectorRegistry()), clock=lambda: self.now)
        self.engine = AlertEngine(self.alert_config, collectors=[ProbeFactsCollector(self.step)])
        srv = self.srv
        srv.params = era2026_params()
        for i, _ in enumerate([self.address, *self.others]):
            srv.host_versions[f"h{i}"] = _patched()
            srv.host_metrics[f"h{i}"] = _all_up()
        srv.collateral[self.address] = {"amount": {"denom": "ngonka", "amount": "250000000000"}}
        self._groups(self.epoch, deepseek_has_node=True)

    def _groups(self, epoch: int, *, deepseek_has_node: bool) -> None:
        everyone = {a: 1000 for a in [self.address, *self.others]}
        deepseek = dict(everyone) if deepseek_has_node else {a: 1000 for a in self.others}
        self.srv.model_groups[(epoch, MINIMAX)] = era2026_model_group(MINIMAX, everyone, epoch)
        self.srv.model_groups[(epoch, DEEPSEEK)] = era2026_model_group(DEEPSEEK, deepseek, epoch)

    def _snapshot(self) -> SourceSnapshot:
        views = {
            a: ParticipantView(
                address=a, weight=1000, inference_url=self.srv.host_url(f"h{i}"), ml_nodes=("node1", "node2")
            )
            for i, a in enumerate([self.address, *self.others])
        }
        return SourceSnapshot("gonka_api", self.epoch, self.now, views)

    async def cycle(self) -> None:
        """One poll cycle: the probe step, then the alert engine (the node itself is healthy)."""
        snap = self._snapshot()
        view = snap.participants[self.address]
        watched = [WatchedNode(self.node_id, self.address, "wallet", NodeStatus.HEALTHY, 0)]
        stats = [NodeStats(self.node_id, NodeStatus.HEALTHY, None, "gonka_api", self.now, self.epoch, view)]
        await self.step.run([snap], watched, stats, self.epoch)
        observation = Observation(
            node_id=self.node_id,
            status=NodeStatus.HEALTHY,
            reason=None,
            source="gonka_api",
            observed_at=self.now,
            epoch_id=self.epoch,
        )
        report = CycleReport(
            started_at=self.now - timedelta(seconds=2),
            finished_at=self.now,
            observations=(observation,),
            sources=(),
            epoch_id=self.epoch,
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await self.engine.on_cycle(conn, report)
        self.now += timedelta(seconds=60)

    def break_(self, condition: str) -> None:
        """Make exactly ``condition`` fail from the next cycles on."""
        srv = self.srv
        if condition == "model_participation":  # next epoch: DeepSeek's group without the node
            self.epoch += 1
            self._groups(self.epoch, deepseek_has_node=False)
        elif condition == "collateral":  # next epoch: the collateral withdrawn (the chain's NotFound)
            self.epoch += 1
            self._groups(self.epoch, deepseek_has_node=True)
            srv.collateral.pop(self.address)
        elif condition == "version_lag":  # the host rolled back to v0.2.15 without the patch
            srv.host_versions["h0"] = era2026_versions(patched=False)
            self.now += timedelta(hours=2)
        elif condition == "mlnode_down":  # node2 stops answering its host
            srv.host_metrics["h0"] = era2026_mlnode_metrics()
            self.now += timedelta(minutes=10)
        else:
            raise ValueError(condition)

    def repair(self, condition: str) -> None:
        """Undo :meth:`break_`."""
        srv = self.srv
        if condition in ("model_participation", "collateral"):
            self.epoch += 1
            self._groups(self.epoch, deepseek_has_node=True)
            srv.collateral[self.address] = {"amount": {"denom": "ngonka", "amount": "250000000000"}}
        elif condition == "version_lag":
            srv.host_versions["h0"] = _patched()
            self.now += timedelta(hours=2)
        elif condition == "mlnode_down":
            srv.host_metrics["h0"] = _all_up()
            self.now += timedelta(minutes=10)
        else:
            raise ValueError(condition)

    def blind(self) -> None:
        """Nothing about the node can be read any more: its host answers 404 on both paths, the node
        serves no collateral path, delegations answer 503, the new epoch has no model groups yet."""
        srv = self.srv
        srv.host_answer("h0", HOST_VERSIONS, 404)
        srv.host_answer("h0", HOST_METRICS, 404)
        srv.collateral_served = False
        srv.fault(GA_DELEGATION, "status")
        self.epoch += 1
        self.now += timedelta(hours=2)

    async def run_until_alerted(self, pool: Pool, cycles: int = 4) -> None:
        for _ in range(cycles):
            await self.cycle()
            if await pool.fetchval("SELECT count(*) FROM notifications WHERE kind <> 'startup'"):
                return
