"""Benchmark: the alert engine's cycle over N watched nodes with every condition of the table.

A scratch database with N nodes (one owner each); the engine (``AlertEngine.on_cycle``, in one
transaction as the poller calls it) runs: the first cycle (every group's silent baseline), three
steady cycles (nothing changes: nothing is written, no node is judged again), three cycles where every
node's ``invalidLLR`` moved but stays under the early warning (every node judged, nothing written), and
one cycle where 10 % of the nodes are excluded from the epoch (state writes, incidents and the owners'
notifications). Prints each cycle's time and the rows of ``alert_state``.

    .venv/bin/python bench/conditions.py [--count 10000]

``TEST_DATABASE_URL`` (else the server on 127.0.0.1:5432) names a server where a scratch database may
be created; it is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.alerts.engine import AlertEngine
from bot.config import load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.domain.chain_params import EpochThresholds
from bot.domain.conditions import CONDITIONS
from bot.domain.network import NetworkState
from bot.domain.status import CycleReport, NodeStatus, Observation
from tests.pg import admin_url, with_database

THRESHOLDS = EpochThresholds(
    epoch_id=366, cpoc_alpha=Decimal("0.5"), invalidation_h=Decimal(4), downtime_h=Decimal(100)
)


def cycle(
    node_ids: list[uuid.UUID], at: datetime, excluded_every: int = 0, llr: Decimal = Decimal("1.2")
) -> CycleReport:
    """A cycle where every node is ACTIVE with its numbers known (``invalidLLR`` = ``llr``, under the
    early warning); every ``excluded_every``-th is excluded."""
    obs = []
    for i, n in enumerate(node_ids):
        o = Observation(
            n, NodeStatus.HEALTHY, None, "gonka_api", at, epoch_id=366, confirmation_poc_ratio=Decimal(1),
            invalid_llr=llr, inactive_llr=Decimal(0), chain_status="ACTIVE",
            models=(f"model-{i % 5}",), weight=1000,
        )  # fmt: skip
        if excluded_every and i % excluded_every == 0:
            o = replace(
                o, status=NodeStatus.OFFLINE, reason="excluded", excluded_reason="failed_confirmation_poc"
            )
        obs.append(o)
    network = NetworkState(
        epoch_id=366, poc_phase=False, confirmation_poc=None, thresholds=THRESHOLDS, observed_at=at
    )
    return CycleReport(
        started_at=at - timedelta(seconds=1), finished_at=at, observations=tuple(obs), sources=(),
        epoch_id=366, network=network, network_weight=1000 * len(node_ids),
    )  # fmt: skip


async def bench(db_url: str, count: int) -> None:
    config = load_config(None, database={"url": db_url, "migrate_on_start": False})
    async with open_pool(db_url, min_size=2, max_size=4) as pool:
        users = await pool.fetch(
            "INSERT INTO users (email, password_hash, telegram) SELECT 'u' || i || '@bench.example', 'x',"
            " (100000000 + i)::text FROM generate_series(1, $1) i RETURNING id",
            count,
        )
        nodes = await pool.fetch(
            "INSERT INTO nodes (identifier, identifier_type, display_name) SELECT 'gonka1bench' ||"
            " lpad(i::text, 28, '0'), 'wallet', 'rig-' || i FROM generate_series(1, $1) i RETURNING id",
            count,
        )
        node_ids = [r["id"] for r in nodes]
        await pool.execute(
            "INSERT INTO user_nodes (user_id, node_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])",
            [r["id"] for r in users],
            node_ids,
        )
        engine = AlertEngine(config)
        t0 = datetime.now(UTC)

        async def run(label: str, report: CycleReport) -> float:
            t = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await engine.on_cycle(conn, report)
            took = time.perf_counter() - t
            print(f"{label}: {took:.2f}s")
            return took

        print(f"{count} nodes, {len(CONDITIONS)} conditions in {len(CONDITIONS.groups)} groups")
        await run("first cycle (silent baselines)", cycle(node_ids, t0))
        steady = [
            await run(f"steady cycle {i}", cycle(node_ids, t0 + timedelta(minutes=i))) for i in (1, 2, 3)
        ]
        print(f"steady cycle median: {statistics.median(steady):.2f}s")
        moved = [
            await run(
                f"numbers moved, nothing to tell {i}", cycle(node_ids, t0 + timedelta(minutes=i), llr=llr)
            )
            for i, llr in ((4, Decimal("1.3")), (5, Decimal("1.4")), (6, Decimal("1.5")))
        ]
        print(f"numbers-moved cycle median (every node judged again): {statistics.median(moved):.2f}s")
        await run(
            "10 % excluded (alerts, incidents)", cycle(node_ids, t0 + timedelta(minutes=7), excluded_every=10)
        )
        rows = await pool.fetchval("SELECT count(*) FROM alert_state")
        sent = await pool.fetchval("SELECT count(*) FROM notifications")
        print(f"alert_state rows: {rows}; notifications enqueued: {sent}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="watched nodes (default 10000)")
    args = parser.parse_args()
    with admin_url() as server:
        name = f"minegnk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(server, name)
            apply_migrations(url)
            asyncio.run(bench(url, args.count))
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
