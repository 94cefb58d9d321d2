"""`minegnk-bot poll-once` and `run` against the local tracker and a real database."""

from __future__ import annotations

import asyncio
import os
import sys

from bot.db.nodes import upsert_node
from bot.db.types import Pool
from tests.bot.poller.conftest import HF1, HF2
from tests.fakes.tracker_server import TrackerServer


def env_for(db_url: str, tracker_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__HOST": "127.0.0.1",
        "MINEGNK_HTTP__PORT": "0",
        "MINEGNK_TRACKERS__HYPERFUSION__BASE_URL": tracker_url,
        "MINEGNK_TRACKERS__GONKA_API__BASE_URLS": f'["{tracker_url}"]',
        "MINEGNK_TRACKERS__INCOME_LOOKUPS_PER_CYCLE": "0",
        "MINEGNK_TRACKERS__REQUEST_TIMEOUT_S": "2",
        **extra,
    }


async def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_poll_once_prints_nodes_statuses_and_sources(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet", display_name="rig-1")
    await upsert_node(pool, HF2, "wallet")
    code, out, err = await run_cli(env_for(db_url, tracker.url), "poll-once")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["NODE", "STATUS", "REASON", "SOURCE", "CACHED", "DATA", "AGE"]
    rig = next(line for line in lines if line.startswith("rig-1"))
    assert rig.split()[:3] == ["rig-1", "healthy", "hyperfusion"]
    assert "source hyperfusion: ok" in out and "source gonka_api: ok" in out
    assert "2 node(s)" in out and "epoch 105" in out
    assert await pool.fetchval("SELECT count(*) FROM node_stats_cache") == 2


async def test_poll_once_with_every_source_down_exits_1_and_marks_nothing_offline(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet")
    dead = "http://127.0.0.1:9"
    env = env_for(db_url, dead, MINEGNK_TRACKERS__RETRIES="0")
    code, out, err = await run_cli(env, "poll-once")
    assert code == 1 and "Traceback" not in err
    assert "source hyperfusion: FAILED" in out and "unknown" in out
    assert await pool.fetchval("SELECT status FROM node_stats_cache") == "unknown"


async def test_run_starts_the_poller(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    await upsert_node(pool, HF1, "wallet")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env_for(db_url, tracker.url),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        for _ in range(300):
            if await pool.fetchval("SELECT status FROM node_stats_cache") == "healthy":
                break
            await asyncio.sleep(0.1)
        assert await pool.fetchval("SELECT status FROM node_stats_cache") == "healthy"
    finally:
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0 and "Traceback" not in err.decode()
