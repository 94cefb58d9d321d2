"""Benchmark: full poll cycles over 1,000 / 10,000 / 100,000 synthetic participants.

For each size, in a fresh child process (so peak RSS is per size): a scratch database with that many
``nodes`` rows, a local tracker in another process serving a SYNTHETIC ``/api/v1/inference/current``
of that many participants (cloned from the recorded participant #1), then one warm-up cycle and three
measured cycles of the real :class:`bot.poller.poller.Poller` (fetch + stream-parse + map + one-statement
cache upsert + earnings/source-health writes, in one transaction). In the same run it times a bare asyncpg
bulk upsert of the same rows (the cache statement with prebuilt arrays) and prints the ratio.

    .venv/bin/python bench/poll.py [--sizes 1000,10000,100000]

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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def serve_tracker(n: int, port_out: mp.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.tracker_data import synthetic_hyperfusion
    from tests.fakes.tracker_server import TrackerServer

    async def main() -> None:
        srv = TrackerServer()
        srv.cache_bodies = True
        srv.hyperfusion = synthetic_hyperfusion(n)
        url = await srv.start()
        port_out.put(url)
        await asyncio.Event().wait()

    asyncio.run(main())


async def child(n: int, admin_url: str) -> dict[str, float]:
    import asyncpg
    from prometheus_client import CollectorRegistry

    from bot.config import load_config
    from bot.db import stats as db
    from bot.db.migrate import apply_migrations
    from bot.db.pool import open_pool
    from bot.poller.mapping import map_nodes
    from bot.poller.metrics import PollerMetrics
    from bot.poller.poller import Poller, thresholds_of
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
                "gonka_api": {"enabled": False},
                "income_lookups_per_cycle": 0,
                "request_timeout_s": 120,
            },
        )
        async with open_pool(dsn, min_size=1, max_size=4, command_timeout=300) as pool:
            await pool.execute(
                "INSERT INTO nodes (identifier, identifier_type) SELECT unnest($1::text[]), 'wallet'",
                [synthetic_address(i) for i in range(n)],
            )
            poller = Poller(cfg.trackers, pool, dsn, PollerMetrics(CollectorRegistry()))
            async with poller.session() as sources:
                await poller.poll_cycle()  # warm-up: inserts every cache row
                for _ in range(2):
                    await poller.poll_cycle()
                # peak RSS of the poller alone, before the bare upsert's arrays exist
                peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                # the bare upsert: the same statement and the same rows, its arrays built beforehand
                snap = await sources[0].poll()
                watched = await db.load_watched(pool)
                mapped = map_nodes(watched, [snap], [], thresholds_of(cfg.trackers), datetime.now(UTC))
                cols = db.cache_rows(mapped.stats)
                del snap, watched, mapped
                times, bare = [], []
                for _ in range(3):  # interleaved, so both see the same machine load
                    t0 = time.perf_counter()
                    report = await poller.poll_cycle()
                    times.append(time.perf_counter() - t0)
                    healthy = sum(1 for o in report.observations if o.status.value == "healthy")
                    assert healthy == n, f"{healthy} of {n} healthy"
                    del report
                    cols[4] = [datetime.now(UTC)] * n
                    t0 = time.perf_counter()
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute(db.UPSERT_CACHE_SQL, *cols)
                    bare.append(time.perf_counter() - t0)
    finally:
        server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    cycle = statistics.median(times)
    bare_s = statistics.median(bare)
    return {"n": n, "cycle_s": cycle, "rows_per_s": n / cycle, "peak_rss_mb": peak_mb, "bare_s": bare_s}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    admin_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.child is not None:
        print(json.dumps(asyncio.run(child(args.child, admin_url))))
        return
    cols = ("participants", "cycle s", "rows/s", "peak RSS MB", "bare upsert s", "ratio")
    print(" ".join(c.rjust(w) for c, w in zip(cols, (12, 9, 9, 12, 14, 6), strict=True)))
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if out.returncode != 0:
            print(f"{n:>12} failed:\n{out.stderr[-2000:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['n']:>12,} {r['cycle_s']:>9.3f} {r['rows_per_s']:>9,.0f} {r['peak_rss_mb']:>12.0f}"
            f" {r['bare_s']:>14.3f} {r['cycle_s'] / r['bare_s']:>6.2f}"
        )


if __name__ == "__main__":
    main()
