"""The whole bot as a process (``minegnk-bot run``): local tracker, local Bot API server, PostgreSQL.

Fire an alert, SIGTERM the process, start it again, the node recovers: exactly one alert and one
recovery reach the user (the recovery replying to the alert), and each start announced itself in the
admin chat. /metrics carries the notification counters.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from typing import Any

import pytest

from bot.db.nodes import assign_node, upsert_node
from bot.db.types import Pool
from tests.bot.poller.conftest import HF1
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import make_user

USER_CHAT = 5151
ADMIN_CHAT = -100777


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_jailed(tracker: TrackerServer, jailed: bool) -> None:
    assert tracker.hyperfusion is not None
    for p in tracker.hyperfusion["participants"]:
        if p["index"] == HF1:
            p["is_jailed"] = jailed


async def start(
    db_url: str, tracker: TrackerServer, fake: FakeTelegram, port: int
) -> asyncio.subprocess.Process:
    env: dict[str, Any] = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__HOST": "127.0.0.1",
        "MINEGNK_HTTP__PORT": str(port),
        "MINEGNK_TELEGRAM__TOKEN": TOKEN,
        "MINEGNK_TELEGRAM__API_BASE": fake.base_url,
        "MINEGNK_TRACKERS__POLL_INTERVAL_S": "5",  # the shortest the config allows
        "MINEGNK_ALERTS__RECOVERY_POLLS": "1",  # one cycle (5 s) less to wait for the recovery
        "MINEGNK_TRACKERS__REQUEST_TIMEOUT_S": "1",
        "MINEGNK_TRACKERS__HYPERFUSION__BASE_URL": tracker.url,
        "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
        "MINEGNK_ALERTS__ADMIN_TELEGRAM_CHAT_IDS": f"[{ADMIN_CHAT}]",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stderr=asyncio.subprocess.PIPE
    )


async def stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0
    return err.decode()


async def metrics(port: int) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/metrics") as r:
        return await r.text()


# two real bot processes start one after the other (importing aiogram alone takes ~10 s here):
# more than the default per-test timeout
@pytest.mark.timeout(240)
async def test_alert_restart_recovery_as_real_processes(
    pool: Pool, db_url: str, tracker: TrackerServer, telegram_api: FakeTelegram
) -> None:
    user = await make_user(pool, telegram=str(USER_CHAT))
    node, _ = await upsert_node(pool, HF1, "wallet", display_name="hf-one")
    await assign_node(pool, user.id, node.id, None)
    port = _free_port()

    async def cycles() -> int:
        return int(await pool.fetchval("SELECT coalesce(sum(polls_ok), 0) FROM source_health") or 0)

    async def wait(cond: Any, timeout: float = 40) -> None:
        async def loop() -> None:
            while not await cond():
                await asyncio.sleep(0.2)

        await asyncio.wait_for(loop(), timeout)

    first = await start(db_url, tracker, telegram_api, port)
    try:
        await telegram_api.wait_sent(ADMIN_CHAT, 1, timeout=40)  # the startup message
        await wait(lambda: _ge(cycles, 1))  # baseline: healthy
        set_jailed(tracker, True)
        await telegram_api.wait_sent(USER_CHAT, 1, timeout=40)
        sent_metric = 'minegnk_notifications_sent_total{kind="node_alert",platform="telegram"} 2.0'

        async def counted() -> bool:  # the user and the admin chat; recorded right after the OK
            return sent_metric in await metrics(port)

        await wait(counted, 10)
    finally:
        err = await stop(first)
    assert "Traceback" not in err

    second = await start(db_url, tracker, telegram_api, port)
    try:
        await telegram_api.wait_sent(ADMIN_CHAT, 3, timeout=40)  # startup 1, the alert, startup 2
        seen = await cycles()
        await wait(lambda: _ge(cycles, seen + 1))  # a cycle after the restart: still jailed, silent
        set_jailed(tracker, False)
        await telegram_api.wait_sent(USER_CHAT, 2, timeout=40)
        seen = await cycles()
        await wait(lambda: _ge(cycles, seen + 1))
    finally:
        err = await stop(second)
    assert "Traceback" not in err
    alert, recovery = telegram_api.sent_to(USER_CHAT)
    assert "Jailed: hf-one" in (alert.text or "") and "Recovered: hf-one" in (recovery.text or "")
    assert recovery.reply_to == alert.message_id
    admin_texts = [m.text or "" for m in telegram_api.sent_to(ADMIN_CHAT)]
    assert sum("MineGNK Bot started" in t for t in admin_texts) == 2
    assert sum("Jailed: hf-one" in t for t in admin_texts) == 1
    assert sum("Recovered: hf-one" in t for t in admin_texts) == 1


async def _ge(fn: Any, n: int) -> bool:
    return bool(await fn() >= n)
