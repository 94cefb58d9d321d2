"""kill -9 of a worker process in the middle of a fan-out of 500: after a restart every notification
is delivered, and duplicates are no more than the rows that were in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter

import pytest

from bot.db.outbox import NewNotification, enqueue
from bot.db.types import Pool
from bot.render.message import Message
from tests.fakes.telegram_api import TOKEN, FakeTelegram

IN_FLIGHT = 20


async def start_worker(db_url: str, fake: FakeTelegram, name: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_TELEGRAM__TOKEN": TOKEN,
        "MINEGNK_TELEGRAM__API_BASE": fake.base_url,
        "MINEGNK_TELEGRAM__GLOBAL_RATE_PER_S": "30",
        "MINEGNK_ALERTS__OUTBOX_BATCH_SIZE": str(IN_FLIGHT),
        "MINEGNK_ALERTS__OUTBOX_LEASE_S": "5",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.bot.alerts.worker_proc", name, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert line.strip() == b"ready"
    return proc


async def enqueue_alerts(pool: Pool, chats: list[int]) -> None:
    """One alert per chat, in the outbox."""
    await enqueue(
        pool,
        [
            NewNotification(
                platform="telegram",
                target_kind="user",
                target_id=str(c),
                kind="node_alert",
                message=Message.text(f"alert for {c}"),
                dedup_key=f"crash-test:{c}",
            )
            for c in chats
        ],
    )


async def wait_delivered(pool: Pool, count: int, timeout: float = 90) -> None:
    async def loop() -> None:
        while await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'delivered'") < count:
            await asyncio.sleep(0.2)

    await asyncio.wait_for(loop(), timeout)


# real worker processes start (each imports aiogram, ~10 s here): more than the default per-test timeout
@pytest.mark.timeout(240)
async def test_kill_9_during_a_fanout_of_500_loses_nothing(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    chats = list(range(10_000, 10_500))
    await enqueue_alerts(pool, chats)

    def delivered() -> list[int]:
        return [int(c.params["chat_id"]) for c in telegram_api.calls if c.status == 200]

    first = await start_worker(db_url, telegram_api, "victim")
    try:
        await telegram_api.wait_until(lambda: len(delivered()) >= 150, timeout=60)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        await first.wait()
    assert first.returncode == -signal.SIGKILL
    at_kill = len(delivered())
    assert at_kill < len(chats), "the kill came after the fan-out finished"
    stuck = await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'sending'")

    second = await start_worker(db_url, telegram_api, "survivor")
    try:
        await wait_delivered(pool, len(chats))
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 20)

    counts = Counter(delivered())
    assert set(counts) == set(chats), "every notification reached its chat"
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= min(stuck, IN_FLIGHT), (duplicates, stuck)
    print(f"killed after {at_kill} sends, {stuck} rows in flight, {duplicates} duplicates")


# real worker processes start (each imports aiogram, ~10 s here): more than the default per-test timeout
@pytest.mark.timeout(240)
async def test_two_worker_processes_on_one_database_never_send_a_row_twice(
    pool: Pool, db_url: str, telegram_api: FakeTelegram
) -> None:
    chats = list(range(20_000, 20_300))
    await enqueue_alerts(pool, chats)
    procs = [await start_worker(db_url, telegram_api, name) for name in ("replica-a", "replica-b")]
    try:
        await wait_delivered(pool, len(chats))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            await asyncio.wait_for(proc.wait(), 20)
    counts = Counter(int(c.params["chat_id"]) for c in telegram_api.calls if c.status == 200)
    assert set(counts) == set(chats) and set(counts.values()) == {1}
