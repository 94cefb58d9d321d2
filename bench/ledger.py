"""Benchmark: the settled-income ledger on a cycle where an epoch settles, and on steady cycles.

A scratch database with N ``nodes`` rows, a local tracker in another process serving both sources
(SYNTHETIC: N participants cloned from the recordings, epoch 105) and a SYNTHETIC bulk
``epoch_performance_summary/104`` listing every one of them. The real :class:`Poller` runs one cycle
(epoch 104 settles: one summary request, N ledger rows, the history rows of that day) and three steady
cycles. Printed: the summary requests made, and the ledger's own time (``IncomeLedger.collect`` and
``write``) on the settling cycle and on a steady one, beside the whole cycle's.

    .venv/bin/python bench/ledger.py [--nodes 10000]

``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) names a server where
a scratch database may be created; it is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def serve_tracker(n: int, port_out: mp.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.tracker_data import (
        gonka_latest,
        synthetic_bulk_summary,
        synthetic_chain_participants,
        synthetic_gonka_participants,
        synthetic_hyperfusion,
        synthetic_validators,
    )
    from tests.fakes.tracker_server import TrackerServer

    async def main() -> None:
        srv = TrackerServer()
        srv.cache_bodies = True
        hf = synthetic_hyperfusion(n)
        srv.hyperfusion = hf
        srv.gonka_participants = synthetic_gonka_participants(hf)
        srv.gonka_latest = gonka_latest()
        srv.chain_participants = synthetic_chain_participants(hf)
        srv.validators = synthetic_validators(hf)
        srv.validators_page = 10**6
        incomes = {
            p["address"]: (50_502_651_190_766 + i, 1_009_087_205) for i, p in enumerate(hf["participants"])
        }
        srv.bulk_summaries = {104: synthetic_bulk_summary(incomes, 104)}
        port_out.put(await srv.start())
        await asyncio.Event().wait()

    asyncio.run(main())


def timed(fn: Callable[..., Awaitable[Any]], into: list[float]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await fn(*args, **kw)
        finally:
            into.append(time.perf_counter() - t0)

    return wrapper


async def run(n: int, admin_url: str) -> None:
    import asyncpg
    from prometheus_client import CollectorRegistry

    from bot.config import load_config
    from bot.db.migrate import apply_migrations
    from bot.db.pool import open_pool
    from bot.poller.metrics import PollerMetrics
    from bot.poller.poller import Poller
    from tests.fakes.tracker_data import synthetic_address
    from tests.pg import with_database

    name = f"minegnk_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = with_database(admin_url, name)
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    server = ctx.Process(target=serve_tracker, args=(n, q), daemon=True)
    server.start()
    try:
        await asyncio.to_thread(apply_migrations, dsn)
        url = q.get(timeout=300)
        cfg = load_config(
            None,
            allow_insecure_urls=True,  # the fakes speak plain http on loopback
            database={"url": dsn, "migrate_on_start": False},
            trackers={
                "hyperfusion": {"base_url": url},
                "gonka_api": {"enabled": True, "base_urls": [url]},
                "income_lookups_per_cycle": 20,
                "estimate_lookups_per_cycle": 0,
                "request_timeout_s": 120,
            },
        )
        async with open_pool(dsn, min_size=1, max_size=4, command_timeout=300) as pool:
            await pool.execute(
                "INSERT INTO nodes (identifier, identifier_type) SELECT unnest($1::text[]), 'wallet'",
                [synthetic_address(i) for i in range(n)],
            )
            poller = Poller(cfg.trackers, pool, dsn, PollerMetrics(CollectorRegistry()))
            collect: list[float] = []
            write: list[float] = []
            summaries: list[float] = []
            ledger: Any = poller.ledger
            ledger.collect = timed(ledger.collect, collect)
            ledger.write = timed(ledger.write, write)
            async with poller.session() as sources:
                gonka: Any = next(s for s in sources if s.name == "gonka_api")
                gonka.epoch_income = timed(gonka.epoch_income, summaries)
                cycles = []
                for _ in range(4):
                    t0 = time.perf_counter()
                    await poller.poll_cycle()
                    cycles.append(time.perf_counter() - t0)
            rows = await pool.fetchval("SELECT count(*) FROM node_epoch_earnings WHERE epoch_id = 104")
    finally:
        server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"nodes {n:,}: summary requests {len(summaries)} (epoch 104 settled; ledger rows {rows:,})")
    print(
        f"  settling cycle {cycles[0]:.3f} s, of which ledger collect {collect[0]:.3f} s"
        f" (the summary request {summaries[0]:.3f} s, the tracker's serving included), write {write[0]:.3f} s"
    )
    print(
        f"  steady cycle (median of 3) {statistics.median(cycles[1:]):.3f} s, of which ledger collect"
        f" {statistics.median(collect[1:]) * 1000:.1f} ms, write {statistics.median(write[1:]) * 1000:.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10_000)
    args = ap.parse_args()
    asyncio.run(run(args.nodes, os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)))


if __name__ == "__main__":
    main()
