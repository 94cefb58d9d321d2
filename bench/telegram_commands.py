"""Command latency benchmark: N linked users send /nodes at once through the real aiogram polling loop.

The bot (``TelegramBot``: Dispatcher, routers, services, renderer) polls the local Bot API server
(tests/fakes/telegram_api.py) over real HTTP; each user owns three nodes with cached stats in a real
PostgreSQL. Printed: how long from pushing the updates until every user had an answer, the answers/s,
and per-command latency (update queued → reply received by the fake) p50/p95/max. Replies go through
``FloodControl`` at ``telegram.global_rate_per_s`` (28/s by default, under Telegram's 30/s), so with
many users at once the answer rate is Telegram's limit, not the bot's speed. First, one user sends
``--sequential`` commands one after the other: that latency is the bot's own (parse, services,
PostgreSQL, render, HTTP to the Bot API). Telegram's own network time is not included.

    .venv/bin/python bench/telegram_commands.py --users 500
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.domain.identifiers import bech32_encode
from bot.metrics import Metrics
from bot.services.container import Services
from bot.telegram.component import TelegramBot
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pg import admin_url, with_database

FIRST_CHAT = 200_000_000


async def seed(pool: object, users: int) -> None:
    assert hasattr(pool, "execute")
    await pool.execute(
        "INSERT INTO users (email, password_hash, telegram)"
        " SELECT 'u' || i || '@example.com', 'x', ($1 + i)::text FROM generate_series(1, $2) AS i",
        FIRST_CHAT,
        users,
    )
    wallets = [bech32_encode("gonka", n.to_bytes(20, "big")) for n in range(1, users * 3 + 1)]
    await pool.execute(
        "INSERT INTO nodes (identifier, identifier_type, display_name)"
        " SELECT w, 'wallet', 'rig-' || o FROM unnest($1::text[]) WITH ORDINALITY AS t(w, o)",
        wallets,
    )
    await pool.execute(
        "INSERT INTO user_nodes (user_id, node_id)"
        " SELECT u.id, n.id FROM users u"
        " JOIN nodes n ON (substring(n.display_name from 5)::int - 1) / 3 + 1"
        "   = substring(u.email from 2 for position('@' in u.email) - 2)::int"
    )
    await pool.execute(
        "INSERT INTO node_stats_cache (node_id, status, earnings_day, uptime_percent, source)"
        " SELECT id, 'healthy', 1.5, 99.5, 'hyperfusion' FROM nodes"
    )


async def bench(db_url: str, users: int, rate: float, sequential: int) -> None:
    fake = FakeTelegram()
    await fake.start()
    config = load_config(
        None,
        allow_insecure_urls=True,  # the fakes speak plain http on loopback
        database={"url": db_url, "migrate_on_start": False},
        telegram={"token": TOKEN, "api_base": fake.base_url, "global_rate_per_s": rate},
    )
    async with open_pool(db_url, min_size=2, max_size=10) as pool:
        await seed(pool, users + 1)
        services = Services.build(pool, config)
        component = TelegramBot(config, pool, services, Metrics(), polling_timeout_s=1)
        task = asyncio.create_task(component.run())
        await component.ready.wait()
        await fake.wait_call("getUpdates")
        one: list[float] = []
        for _ in range(sequential):
            before = len(fake.sent_to(FIRST_CHAT + 1))
            t0 = time.monotonic()
            fake.message(FIRST_CHAT + 1, "/nodes")
            await fake.wait_until(lambda b=before: len(fake.sent_to(FIRST_CHAT + 1)) > b, timeout=30)
            one.append((time.monotonic() - t0) * 1000)
        one.sort()
        print(
            f"one user, {sequential} /nodes in a row: p50 {statistics.median(one):.0f} ms, "
            f"p95 {one[int(len(one) * 0.95) - 1]:.0f} ms, max {one[-1]:.0f} ms"
        )
        fake.calls.clear()
        chats = [FIRST_CHAT + i for i in range(2, users + 2)]
        pushed: dict[int, float] = {}
        started = time.monotonic()
        for chat in chats:
            pushed[chat] = time.monotonic()
            fake.message(chat, "/nodes")
        await fake.wait_until(
            lambda: sum(1 for c in fake.calls if c.method == "sendMessage" and c.status == 200) >= users,
            timeout=600,
            what="every answer",
        )
        elapsed = time.monotonic() - started
        answered = {
            int(c.params["chat_id"]): c.at
            for c in fake.calls
            if c.method == "sendMessage" and c.status == 200
        }
        latencies = sorted((answered[c] - pushed[c]) * 1000 for c in chats)
        wrong = sum(1 for c in chats if "rig-" not in fake.sent_to(c)[0].shown)
        print(f"burst: {users} users (3 nodes each), one /nodes each at once; send limit {rate}/s")
        print(f"all answered in:      {elapsed:.2f} s  ({users / elapsed:.0f} answers/s)")
        print(
            f"latency p50 / p95:    {statistics.median(latencies):.0f} ms / "
            f"{latencies[int(len(latencies) * 0.95) - 1]:.0f} ms (max {latencies[-1]:.0f} ms)"
        )
        print(f"answers without nodes: {wrong}")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await services.aclose()
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=500, help="linked users sending /nodes at once")
    parser.add_argument("--rate", type=float, default=28.0, help="telegram.global_rate_per_s (max 30)")
    parser.add_argument("--sequential", type=int, default=50, help="commands one user sends in a row")
    args = parser.parse_args()
    with admin_url() as server:
        name = f"minegnk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(server, name)
            apply_migrations(url)
            asyncio.run(bench(url, args.users, args.rate, args.sequential))
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
