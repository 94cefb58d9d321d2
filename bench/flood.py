"""Flood benchmark: one user sends commands at 500/s while other users' jail alerts are delivered and
other users' commands are answered, through the real Telegram frontend (aiogram polling), the outbox
worker and the shared send budget, against the local Bot API server enforcing Telegram's limits.

A flooder (an unlinked Telegram user) sends ``--rate`` commands a second for ``--seconds``; meanwhile a
jail alert is detected for another owner every second (the real alert engine: detection → outbox →
worker) and another user sends a command every second. Printed: what the flooder got (replies,
"slow down" notices), each alert's latency from the detecting cycle's commit to the message reaching
the Bot API, the other user's reply latency, and 429s.

    .venv/bin/python bench/flood.py --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.alerts.delivery.telegram import TelegramSender, send_budget
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.domain.status import CycleReport, NodeStatus, Observation
from bot.metrics import Metrics
from bot.services.container import Services
from bot.telegram.component import TelegramBot
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pg import admin_url, with_database

FLOODER = 500_000_001
ASKER = 500_000_002
OWNER_BASE = 600_000_000


def cycle(node_ids: list[uuid.UUID], status: NodeStatus, at: datetime) -> CycleReport:
    return CycleReport(
        started_at=at - timedelta(seconds=1),
        finished_at=at,
        observations=tuple(
            Observation(n, status, "validator jailed", "hyperfusion", at, epoch_id=105) for n in node_ids
        ),
        sources=(),
    )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


async def bench(db_url: str, args: argparse.Namespace) -> None:
    fake = FakeTelegram()
    await fake.start()
    fake.set_rate_limits(global_per_s=30.0, per_chat_per_s=1.0)
    config = load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"enabled": False},
        allow_insecure_urls=True,  # the local Bot API speaks plain http
        telegram={"token": TOKEN, "api_base": fake.base_url},
        alerts={"outbox_poll_interval_s": 0.2},
    )
    alerts = int(args.seconds)
    async with open_pool(db_url, min_size=2, max_size=10) as pool:
        owners = await pool.fetch(
            "INSERT INTO users (email, password_hash, telegram) "
            "SELECT 'o' || i || '@bench.example', 'x', ($2::bigint + i)::text FROM generate_series(1, $1) i "
            "RETURNING id",
            alerts,
            OWNER_BASE,
        )
        nodes = await pool.fetch(
            "INSERT INTO nodes (identifier, identifier_type, display_name) "
            "SELECT 'gonka1flood' || lpad(i::text, 28, '0'), 'wallet', 'rig-' || i "
            "FROM generate_series(1, $1) i RETURNING id",
            alerts,
        )
        node_ids = [r["id"] for r in nodes]
        await pool.execute(
            "INSERT INTO user_nodes (user_id, node_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])",
            [r["id"] for r in owners],
            node_ids,
        )
        engine = AlertEngine(config)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, cycle(node_ids, NodeStatus.HEALTHY, datetime.now(UTC)))

        services = Services.build(pool, config)
        budget = send_budget(config.telegram, pool)
        bot = TelegramBot(config, pool, services, Metrics(), polling_timeout_s=1, send_budget=budget)
        worker = DeliveryWorker(pool, TelegramSender(config.telegram, budget=budget), config.alerts)
        tasks = [asyncio.create_task(bot.run()), asyncio.create_task(worker.run())]
        await asyncio.wait_for(bot.ready.wait(), 30)
        await asyncio.wait_for(worker.ready.wait(), 30)

        detected: dict[int, float] = {}
        asked: list[float] = []
        sent_by_flooder = 0

        async def flood() -> None:
            nonlocal sent_by_flooder
            t0 = time.monotonic()
            while (elapsed := time.monotonic() - t0) < args.seconds:
                due = int(elapsed * args.rate) + 1
                while sent_by_flooder < due:
                    fake.command(FLOODER, "/help")
                    sent_by_flooder += 1
                await asyncio.sleep(0.01)

        async def jail() -> None:
            for i, node in enumerate(node_ids):
                async with pool.acquire() as conn, conn.transaction():
                    await engine.on_cycle(conn, cycle([node], NodeStatus.JAILED, datetime.now(UTC)))
                detected[OWNER_BASE + i + 1] = time.monotonic()
                await asyncio.sleep(1.0)

        async def ask() -> None:
            for _ in range(int(args.seconds)):
                asked.append(time.monotonic())
                fake.command(ASKER, "/help")
                await asyncio.sleep(1.0)

        t0 = time.monotonic()
        try:
            await asyncio.gather(flood(), jail(), ask())
        except Exception as exc:
            print(f"load generation stopped: {exc.__class__.__name__}: {exc}", flush=True)
        with contextlib.suppress(TimeoutError):
            await fake.wait_until(
                lambda: (
                    all(fake.sent_to(chat) for chat in detected) and len(fake.sent_to(ASKER)) >= len(asked)
                ),
                timeout=args.seconds + 30,
            )
        wall = time.monotonic() - t0
        ok = [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]

        def first_to(chat: int) -> float | None:
            return next((c.at for c in ok if str(c.params.get("chat_id")) == str(chat)), None)

        latencies = [at - detected[chat] for chat in detected if (at := first_to(chat)) is not None]
        replies_at = [c.at for c in ok if str(c.params.get("chat_id")) == str(ASKER)]
        reply_latency = [r - a for a, r in zip(asked, replies_at, strict=False)]
        to_flooder = [m for m in fake.sent_to(FLOODER)]
        slow = sum(1 for m in to_flooder if "Slow down" in m.shown)
        flood_429 = sum(1 for c in fake.calls if c.status == 429)
        mode = "per-person limits at their defaults"
        print(f"mode:                 {mode}; {wall:.1f}s of wall time")
        print(f"flooder:              {sent_by_flooder} commands in {args.seconds:g}s ({args.rate:g}/s)")
        print(f"  replies to flooder: {len(to_flooder) - slow}, slow-down notices: {slow}")
        print(
            f"jail alerts:          {len(latencies)}/{len(detected)} delivered; detection → Bot API "
            f"p50={pct(latencies, 0.5):.2f}s max={max(latencies, default=float('nan')):.2f}s"
        )
        worst = max(reply_latency, default=float("nan"))
        print(
            f"other user's /help:   {len(reply_latency)}/{len(asked)} answered; "
            f"p50={pct(reply_latency, 0.5) * 1000:.0f}ms max={worst * 1000:.0f}ms"
        )
        print(f"429s received:        {flood_429}")
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await services.aclose()

    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the flood lasts (default 10)")
    parser.add_argument("--rate", type=float, default=500.0, help="the flooder's commands a second")
    args = parser.parse_args()
    with admin_url() as server:
        name = f"minegnk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(server, name)
            apply_migrations(url)
            asyncio.run(bench(url, args))
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
