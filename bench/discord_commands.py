"""Discord slash-command latency: the real discord.py bot against the local Discord, real PostgreSQL.

N linked users (3 nodes each, with cached stats) each run ``/nodes``, ``/node`` and ``/whoami``; the
interactions are dispatched ``--concurrency`` at a time. Printed per command: how long until the
interaction was acknowledged (Discord's 3-second rule) and until the final reply, p50 / p95 / max,
and how many were deferred.

    .venv/bin/python bench/discord_commands.py --count 200 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_config
from bot.db import users as users_db
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.discord.component import DiscordBot
from bot.metrics import Metrics
from bot.services.container import Services
from bot.services.provisioning import add_user, assign_node
from tests.bot.services.helpers import wallet
from tests.fakes.discord_api import FakeDiscord, FakeInteraction, FakeUser
from tests.pg import admin_url, with_database


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def bench(db_url: str, count: int, concurrency: int) -> None:
    fake = FakeDiscord(rate_limit=10_000)
    await fake.start()
    async with open_pool(db_url, min_size=2, max_size=10) as pool:
        config = load_config(
            None,
            allow_insecure_urls=True,  # the fakes speak plain http on loopback
            database={"url": db_url, "migrate_on_start": False},
            discord={
                "token": fake.token,
                "api_base": fake.api_base,
                "gateway_url": fake.gateway_url,
                "guild_ready_timeout_s": 0.05,
            },
            accounts={"bcrypt_rounds": 4},
        )
        users: list[tuple[FakeUser, str]] = []
        for i in range(count):
            fu = fake.add_user(f"user{i}")
            user = await add_user(pool, f"user{i}@example.com", "pw", rounds=4)
            await users_db.link_identity(pool, user.id, "discord", str(fu.id))
            first = ""
            for j in range(3):
                _, a = await assign_node(pool, user.email, wallet(i * 3 + j), display_name=f"rig-{i}-{j}")
                first = first or str(a.node.id)
                await pool.execute(
                    "INSERT INTO node_stats_cache (node_id, status, earnings_day, uptime_percent, source)"
                    " VALUES ($1, 'healthy', 1.5, 99.5, 'hyperfusion')",
                    a.node.id,
                )
            users.append((fu, first))
        services = Services.build(pool, config)
        bot = DiscordBot(config, pool, services, Metrics())
        task = asyncio.create_task(bot.run())
        await asyncio.wait_for(bot.ready.wait(), 30)
        channel = fake.guild.channel("general")
        gate = asyncio.Semaphore(concurrency)

        async def one(fu: FakeUser, name: str, options: dict[str, str]) -> FakeInteraction:
            async with gate:
                ix = await fake.slash(fu, name, channel, **options)
                await ix.reply(timeout=30)
                return ix

        try:
            for name in ("nodes", "node", "whoami"):
                jobs = [one(fu, name, {"node": node} if name == "node" else {}) for fu, node in users]
                started = time.monotonic()
                done = await asyncio.gather(*jobs)
                wall = time.monotonic() - started
                ack = [(ix.answered_at or 0) - ix.at for ix in done]
                deferred = sum(1 for ix in done if ix.callbacks[0][0] == 5)
                print(
                    f"/{name:<7} n={len(done)} ack p50={statistics.median(ack) * 1000:.0f}ms "
                    f"p95={pct(ack, 0.95) * 1000:.0f}ms max={max(ack) * 1000:.0f}ms "
                    f"deferred={deferred} wall={wall:.2f}s ({len(done) / wall:.0f}/s)"
                )
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await services.aclose()
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with admin_url() as admin:
        name = f"minegnk_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(admin, name)
            apply_migrations(url)
            asyncio.run(bench(url, args.count, args.concurrency))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
