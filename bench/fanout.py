"""Fan-out benchmark: N alerts to N distinct Telegram chats through the real engine, outbox and worker.

A local Bot API server (tests/fakes/telegram_api.py) enforces Telegram's limits with real 429s and
``retry_after``: 30 messages/s overall, 1/s per chat. N users each own one node; a baseline cycle sees
every node healthy, the next cycle sees every node jailed: the engine enqueues N alerts in that cycle's
transaction and one delivery worker (aiogram Bot + the shared send budget) drains them. Printed: sustained
messages/s, 429s received, lost messages, duplicates, and the time from the end of the detecting cycle
to the first delivery.

    .venv/bin/python bench/fanout.py --count 10000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.domain.status import CycleReport, NodeStatus, Observation
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pg import admin_url, with_database


def cycle(node_ids: list[uuid.UUID], status: NodeStatus, at: datetime) -> CycleReport:
    return CycleReport(
        started_at=at - timedelta(seconds=1),
        finished_at=at,
        observations=tuple(
            Observation(n, status, "validator jailed", "hyperfusion", at, epoch_id=105) for n in node_ids
        ),
        sources=(),
    )


async def bench(db_url: str, count: int, rate: float, in_flight: int, server_rate: float) -> None:
    fake = FakeTelegram()
    await fake.start()
    fake.set_rate_limits(global_per_s=server_rate, per_chat_per_s=1.0)
    config = load_config(
        None,
        allow_insecure_urls=True,  # the fakes speak plain http on loopback
        database={"url": db_url, "migrate_on_start": False},
        telegram={"token": TOKEN, "api_base": fake.base_url, "global_rate_per_s": rate},
        alerts={"outbox_batch_size": in_flight},
    )
    async with open_pool(db_url, min_size=2, max_size=8) as pool:
        t = time.perf_counter()
        user_ids = await pool.fetch(
            "INSERT INTO users (email, password_hash, telegram) "
            "SELECT 'u' || i || '@bench.example', 'x', (100000000 + i)::text FROM generate_series(1, $1) i "
            "RETURNING id",
            count,
        )
        node_rows = await pool.fetch(
            "INSERT INTO nodes (identifier, identifier_type, display_name) "
            "SELECT 'gonka1bench' || lpad(i::text, 28, '0'), 'wallet', 'rig-' || i "
            "FROM generate_series(1, $1) i RETURNING id",
            count,
        )
        node_ids = [r["id"] for r in node_rows]
        await pool.execute(
            "INSERT INTO user_nodes (user_id, node_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])",
            [r["id"] for r in user_ids],
            node_ids,
        )
        print(f"setup: {count} users, nodes and links in {time.perf_counter() - t:.1f}s")

        engine = AlertEngine(config)
        t0 = datetime.now(UTC)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, cycle(node_ids, NodeStatus.HEALTHY, t0))

        sender = TelegramSender(config.telegram)
        worker = DeliveryWorker(pool, sender, config.alerts)
        task = asyncio.create_task(worker.run())
        await worker.ready.wait()

        t = time.perf_counter()
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, cycle(node_ids, NodeStatus.JAILED, datetime.now(UTC)))
        detected = time.monotonic()  # the detecting cycle's transaction has committed
        print(
            f"detecting cycle (state + {count} notifications, one transaction): "
            f"{time.perf_counter() - t:.2f}s"
        )

        def ok_sends() -> list[float]:
            return [c.at for c in fake.calls if c.method == "sendMessage" and c.status == 200]

        last_report = time.monotonic()
        while True:
            done = await pool.fetchval(
                "SELECT count(*) FROM notifications WHERE status <> 'pending' AND status <> 'sending'"
            )
            if done >= count:
                break
            if time.monotonic() - last_report > 30:
                print(f"  … {done}/{count} done", flush=True)
                last_report = time.monotonic()
            await asyncio.sleep(0.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

        stamps = sorted(ok_sends())
        chats = Counter(
            int(c.params["chat_id"]) for c in fake.calls if c.method == "sendMessage" and c.status == 200
        )
        flood = sum(1 for c in fake.calls if c.status == 429)
        failed = await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'failed'")
        expected = {100000000 + i for i in range(1, count + 1)}
        lost = len(expected - set(chats))
        duplicates = sum(n - 1 for n in chats.values())
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
        sustained = (len(stamps) - 1) / span if span else float("nan")
        print(f"messages delivered:        {len(stamps)} to {len(chats)} chats in {span:.1f}s")
        print(
            f"sustained rate:            {sustained:.2f} messages/s "
            f"(server limit {server_rate:g}/s, configured {rate}/s)"
        )
        print(f"429s received:             {flood}")
        print(f"lost messages:             {lost} (failed rows: {failed})")
        print(f"duplicates:                {duplicates}")
        print(f"detection → first delivery: {(stamps[0] - detected) * 1000:.0f} ms")
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="alerts / distinct chats (default 10000)")
    parser.add_argument(
        "--rate", type=float, default=None, help="telegram.global_rate_per_s (default: config)"
    )
    parser.add_argument("--in-flight", type=int, default=50, help="rows a worker holds at once")
    parser.add_argument(
        "--server-rate", type=float, default=30.0, help="messages/s the fake Bot API allows (default 30)"
    )
    args = parser.parse_args()
    rate = args.rate if args.rate is not None else load_config(None).telegram.global_rate_per_s
    with admin_url() as server:
        name = f"minegnk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(server, name)
            apply_migrations(url)
            asyncio.run(bench(url, args.count, rate, args.in_flight, args.server_rate))
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
