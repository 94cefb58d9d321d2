"""Benchmark: poll cycles over 1,000 / 10,000 (/ 100,000) synthetic participants, both sources.

For each size, in a fresh child process (so peak RSS is per size): a scratch database with that many
``nodes`` rows and a local tracker in another process serving SYNTHETIC payloads of that many
participants for BOTH sources: Hyperfusion's ``/api/v1/inference/current`` (cloned from the recorded
participant #1) and ``gonka_api`` with ``chain_api = true`` (the epoch participants, the chain
participant list in today's shape with Decimal objects, the staking validators, the chain params).

Then the real :class:`bot.poller.poller.Poller` runs two warm-up cycles (the first inserts every cache
row) and three measured STEADY cycles (nothing changed), interleaved with a bare asyncpg upsert of the
same cache rows (the plain one-statement upsert every row rewrites, arrays built beforehand). Printed:

* bot work: the poller's own load + map + write of a cycle (``Poller.last_timings``); the fetch
  (the local tracker's serving, the transfer and the stream-parse) and the alert engine's step
  (the production observer, run inside the write transaction) are printed apart;
* the bare upsert's time and the ratio bot work / bare upsert;
* WAL bytes (``pg_current_wal_lsn()`` before and after) of the cycle's write transaction and of the
  bare upsert. The server is shared, so other sessions' WAL can only add: the minimum of the three
  is printed;
* a steady cycle right after a restart (the poller remembers nothing and sends every row; the
  statement still rewrites none), twice before the bare upserts: the faster time, the smaller WAL.

    .venv/bin/python bench/poll.py [--sizes 1000,10000] [--alerts]

With ``--alerts`` the alert engine runs in every cycle as in production (its step is printed apart,
and the rows rewritten count ``alert_state`` too). Its step makes the write transaction seconds long
at 10,000 nodes, and the WAL other sessions write meanwhile then swamps the figure: the rows
rewritten are the exact measure.

``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) names a server where
scratch databases may be created; each is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WAL_SQL = "SELECT pg_current_wal_lsn()"
WAL_DIFF_SQL = "SELECT pg_wal_lsn_diff($1, $2)::int8"


def serve_tracker(n: int, port_out: mp.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.tracker_data import (
        era2026_params,
        gonka_latest,
        synthetic_chain_participants_2026,
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
        srv.gonka_latest = gonka_latest()  # epoch 105, as the synthetic payloads
        srv.chain_participants = synthetic_chain_participants_2026(hf)
        srv.validators = synthetic_validators(hf)
        srv.params = era2026_params()
        url = await srv.start()
        port_out.put(url)
        await asyncio.Event().wait()

    asyncio.run(main())


async def child(n: int, admin_url: str, alerts: bool) -> dict[str, Any]:
    import asyncpg
    from prometheus_client import CollectorRegistry

    from bot.alerts.engine import AlertEngine
    from bot.config import load_config
    from bot.db import node_cache
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
    out: dict[str, Any] = {"n": n}
    try:
        await asyncio.to_thread(apply_migrations, dsn)
        url = q.get(timeout=600)
        cfg = load_config(
            None,
            allow_insecure_urls=True,  # the fakes speak plain http on loopback
            database={"url": dsn, "migrate_on_start": False},
            trackers={
                "hyperfusion": {"base_url": url},
                "gonka_api": {"enabled": True, "base_urls": [url], "chain_api": True},
                "income_lookups_per_cycle": 0,
                "request_timeout_s": 300,
            },
        )
        async with open_pool(dsn, min_size=1, max_size=4, command_timeout=600) as pool:
            await pool.execute(
                "INSERT INTO nodes (identifier, identifier_type) SELECT unnest($1::text[]), 'wallet'",
                [synthetic_address(i) for i in range(n)],
            )
            # with --alerts, the production cycle: the alert engine steps every node in the transaction
            engine = AlertEngine(cfg) if alerts else None
            poller = Poller(cfg.trackers, pool, dsn, PollerMetrics(CollectorRegistry()), observer=engine)
            wal: list[int] = []

            async def measured(write: Callable[..., Awaitable[float]], *args: Any) -> float:
                async with pool.acquire() as conn:
                    before = await conn.fetchval(WAL_SQL)
                    alert_s = await write(*args)
                    wal.append(await conn.fetchval(WAL_DIFF_SQL, await conn.fetchval(WAL_SQL), before))
                return alert_s

            write = poller._write
            poller._write = lambda *a: measured(write, *a)  # type: ignore[method-assign]
            async with poller.session():
                first = await poller.poll_cycle()  # warm-up: inserts every cache row
                out["first_wal"] = wal[-1]
                out["sources_ok"] = [s.source for s in first.sources if s.ok]
                await poller.poll_cycle()
                restarts = []
                for _ in range(2):
                    poller._cache.forget()  # as after a restart: every row sent, none rewritten
                    versions = await _row_versions(pool)
                    await poller.poll_cycle()
                    restarts.append(
                        (
                            poller.last_timings.bot_work_s,
                            wal[-1],
                            _rewritten(versions, await _row_versions(pool)),
                        )
                    )
                out["restart_work_s"] = min(r[0] for r in restarts)
                out["restart_wal"] = min(r[1] for r in restarts)
                out["restart_rewritten"] = max(r[2] for r in restarts)
                # peak RSS of the poller alone, before the bare upsert's arrays exist
                out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                # the bare upsert: the same rows, every one rewritten, its arrays built beforehand
                async with pool.acquire() as conn:
                    ids = [r[0] for r in await conn.fetch("SELECT node_id FROM node_stats_cache")]
                rows = [node_cache.row_of(s) for s in await _stats_of(poller, ids)]
                bare_sql = node_cache.upsert_sql(skip_unchanged=False)
                fresh_at = next(i for i, c in enumerate(node_cache.INPUTS) if c.name == "fetched_at")
                work, fetch, bare, steady_wal, bare_wal = [], [], [], [], []
                rewritten = 0
                for _ in range(3):  # interleaved, so both see the same machine load
                    versions = await _row_versions(pool)
                    report = await poller.poll_cycle()
                    rewritten += _rewritten(versions, await _row_versions(pool))
                    healthy = sum(1 for o in report.observations if o.status.value == "healthy")
                    assert healthy == n, f"{healthy} of {n} healthy"
                    del report
                    work.append(poller.last_timings)
                    fetch.append(poller.last_timings.fetch_s)
                    steady_wal.append(wal[-1])
                    cols = node_cache.columns_of(rows)
                    cols[fresh_at] = [datetime.now(UTC)] * len(rows)
                    async with pool.acquire() as conn:
                        before = await conn.fetchval(WAL_SQL)
                        t0 = time.perf_counter()
                        async with conn.transaction():
                            await conn.execute(bare_sql, *cols)
                        bare.append(time.perf_counter() - t0)
                        bare_wal.append(
                            await conn.fetchval(WAL_DIFF_SQL, await conn.fetchval(WAL_SQL), before)
                        )
                async with pool.acquire() as conn:
                    out["unconfirmed"] = await conn.fetchval("SELECT count(*) FROM node_cache_unconfirmed")
    finally:
        server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    best = min(work, key=lambda t: t.bot_work_s)
    out |= {
        "work_s": statistics.median(t.bot_work_s for t in work),
        "load_s": best.load_s,
        "map_s": best.map_s,
        "write_s": best.write_s,
        "fetch_s": statistics.median(fetch),
        "alert_s": statistics.median(t.alert_s for t in work),
        "bare_s": statistics.median(bare),
        "steady_wal": min(steady_wal),
        "steady_rewritten": rewritten,
        "bare_wal": min(bare_wal),
    }
    return out


ROW_VERSIONS_SQL = """
SELECT 'c' || node_id::text, xmin::text FROM node_stats_cache
UNION ALL SELECT 'a' || node_id::text || condition_group, xmin::text FROM alert_state
"""


async def _row_versions(pool: Any) -> dict[Any, str]:
    """Each cache and alert-state row's xmin (it changes when the row is rewritten or locked)."""
    return {r[0]: r[1] for r in await pool.fetch(ROW_VERSIONS_SQL)}


def _rewritten(before: dict[Any, str], after: dict[Any, str]) -> int:
    """Cache rows written (or locked) between two reads."""
    return sum(1 for k, v in after.items() if before.get(k) != v)


async def _stats_of(poller: Any, ids: list[Any]) -> list[Any]:
    """This cycle's cache records, as the poller maps them (the rows the bare upsert rewrites)."""
    from bot.poller.mapping import map_nodes
    from bot.poller.poller import thresholds_of

    async with poller.session() as sources:
        snaps = [await s.poll() for s in sources]
    loaded = await poller._load()
    mapped = map_nodes(loaded.watched, snaps, [], thresholds_of(poller._cfg), datetime.now(UTC))
    wanted = set(ids)
    return [s for s in mapped.stats if s.node_id in wanted]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument(
        "--alerts", action="store_true", help="run the alert engine in the cycle, as in production"
    )
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    admin_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.child is not None:
        print(json.dumps(asyncio.run(child(args.child, admin_url, args.alerts))))
        return
    heads = (
        ("participants", 12),
        ("bot work s", 10),
        ("load", 6),
        ("map", 6),
        ("write", 6),
        ("fetch s", 8),
        ("alerts s", 8),
        ("bare s", 7),
        ("ratio", 6),
        ("WAL steady", 11),
        ("WAL bare", 10),
        ("WAL ratio", 9),
        ("restart s", 9),
        ("restart WAL", 11),
        ("RSS MB", 7),
    )
    print(" ".join(h.rjust(w) for h, w in heads))
    for n in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(n), *(["--alerts"] if args.alerts else [])],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            print(f"{n:>12} failed:\n{proc.stderr[-3000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{r['n']:>12,} {r['work_s']:>10.3f} {r['load_s']:>6.3f} {r['map_s']:>6.3f} {r['write_s']:>6.3f}"
            f" {r['fetch_s']:>8.3f} {r['alert_s']:>8.3f} {r['bare_s']:>7.3f}"
            f" {r['work_s'] / r['bare_s']:>6.2f}"
            f" {r['steady_wal']:>11,} {r['bare_wal']:>10,} {r['steady_wal'] / r['bare_wal']:>9.4f}"
            f" {r['restart_work_s']:>9.3f} {r['restart_wal']:>11,} {r['peak_rss_mb']:>7.0f}"
        )
        print(
            f"{'':>12} sources ok: {','.join(r['sources_ok'])}; first cycle (inserts) WAL"
            f" {r['first_wal']:,} B; rows rewritten: steady cycles {r['steady_rewritten']},"
            f" restart {r['restart_rewritten']}; unconfirmed nodes {r['unconfirmed']}"
        )


if __name__ == "__main__":
    main()
