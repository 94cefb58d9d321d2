"""A local tracker serving the recordings, and pollers pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from prometheus_client import CollectorRegistry

from bot.config import Config, load_config
from bot.db.types import Conn, Pool
from bot.domain.status import CycleObserver, CycleReport
from bot.poller.metrics import PollerMetrics
from bot.poller.poller import Poller
from tests.fakes.tracker_data import (
    EPOCH_2026,
    era2026_chain_participants,
    era2026_epoch_group_data,
    era2026_epoch_participants,
    era2026_latest,
    era2026_params,
    era2026_validators,
    gonka_latest,
    hyperfusion_current,
    recorded_2026,
    synthetic_chain_participants,
    synthetic_gonka_participants,
    synthetic_validators,
)
from tests.fakes.tracker_server import TrackerServer

HF1 = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"  # healthy
HF2 = "gonka1qygkrhu964zy4r2t9fmlz8fe0q7s0nujw9hvu8"  # is_jailed: null
HF3 = "gonka1qy72uqasgd00un7qwexvfdl4zzy8ejaqj2zkqc"  # missed_rate 0.0541


@pytest_asyncio.fixture
async def tracker() -> AsyncIterator[TrackerServer]:
    srv = TrackerServer()
    hf = hyperfusion_current()
    srv.hyperfusion = hf
    srv.gonka_participants = synthetic_gonka_participants(hf)
    srv.gonka_latest = gonka_latest()
    srv.chain_participants = synthetic_chain_participants(hf)
    srv.validators = synthetic_validators(hf)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest_asyncio.fixture
async def tracker2026() -> AsyncIterator[TrackerServer]:
    """The local tracker serving today's shapes (gonka_api only: Hyperfusion answers 503)."""
    srv = TrackerServer()
    chain = era2026_chain_participants()
    srv.chain_participants = chain
    srv.gonka_participants = era2026_epoch_participants(chain)
    srv.gonka_latest = era2026_latest()
    srv.validators = era2026_validators(chain)
    srv.params = era2026_params()
    srv.epoch_group_data = {EPOCH_2026: era2026_epoch_group_data()}
    srv.excluded = {EPOCH_2026: recorded_2026("chain_excluded_participants_366.json")}
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


def tracker_config(
    db_url: str, url: str, *, sources: tuple[str, ...] = ("hyperfusion",), **trackers: Any
) -> Config:
    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"host": "127.0.0.1", "port": 0},
        trackers={
            "request_timeout_s": 0.5,
            "retries": 1,
            "backoff_base_s": 0.01,
            "backoff_max_s": 0.05,
            "income_lookups_per_cycle": 0,
            "priority": ["hyperfusion", "gonka_api"],
            **trackers,
            "hyperfusion": {"enabled": "hyperfusion" in sources, "base_url": url},
            "gonka_api": {
                "enabled": "gonka_api" in sources,
                "base_urls": [url],
                **trackers.pop("gonka_api", {}),
            },
        },
    )


@dataclass
class RecordingObserver:
    reports: list[CycleReport] = field(default_factory=list)
    cache_seen_in_tx: list[int] = field(default_factory=list)
    fail: bool = False

    async def on_cycle(self, conn: Conn, report: CycleReport) -> None:
        assert conn.is_in_transaction()
        self.cache_seen_in_tx.append(await conn.fetchval("SELECT count(*) FROM node_stats_cache"))
        self.reports.append(report)
        if self.fail:
            raise RuntimeError("observer failed")


def make_poller(
    config: Config, pool: Pool, db_url: str, observer: CycleObserver | None = None, **kw: Any
) -> Poller:
    return Poller(config.trackers, pool, db_url, PollerMetrics(CollectorRegistry()), observer=observer, **kw)


def metric(poller: Poller, name: str, **labels: str) -> float:
    for family in (
        poller.metrics.polls,
        poller.metrics.failures,
        poller.metrics.unknown_verdicts,
        poller.metrics.disagreements,
        poller.metrics.cycles,
        poller.metrics.nodes,
        poller.metrics.leader,
        poller.metrics.income_lookups,
        poller.metrics.income_summaries,
        poller.metrics.estimate_lookups,
        poller.metrics.rows_skipped,
        poller.metrics.values_out_of_range,
        poller.metrics.thresholds_from_config,
    ):
        for m in family.collect():
            for s in m.samples:
                if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                    return float(s.value)
    return 0.0
