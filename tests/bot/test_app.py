"""`minegnk-bot run` with no platform tokens: health endpoints up, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from pydantic import SecretStr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_for(url: str, deadline: float) -> tuple[int, bytes]:
    while True:
        try:
            return _get(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_run_without_tokens_serves_health_and_stops_on_sigterm(db_url: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__HOST": "127.0.0.1",
        "MINEGNK_HTTP__PORT": str(port),
        "MINEGNK_TRACKERS__HYPERFUSION__ENABLED": "false",
        "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, body = _wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and b"minegnk_up 1.0" in body
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)  # a hang fails here; how fast it stops is not this test's business
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    assert "Traceback" not in err
    assert "telegram.token not set" in err


async def test_replies_and_alert_delivery_share_one_telegram_send_budget(config: object) -> None:
    """Both clients draw from one limiter, so together they stay under Telegram's global rate."""
    from contextlib import AsyncExitStack

    from bot.alerts.delivery.worker import DeliveryWorker
    from bot.app import build_components
    from bot.config import Config
    from bot.resources import open_resources
    from bot.telegram.client import FloodControl
    from bot.telegram.component import TelegramBot

    assert isinstance(config, Config)
    cfg = config.model_copy(
        update={"telegram": config.telegram.model_copy(update={"token": SecretStr("42:TEST")})}
    )
    async with AsyncExitStack() as stack:
        res = await stack.enter_async_context(open_resources(cfg, migrate=False))
        components = build_components(res, stack)
        bot = next(c for c in components if isinstance(c, TelegramBot))
        worker = next(c for c in components if isinstance(c, DeliveryWorker) and c.platform == "telegram")
        flood = next(m for m in bot.bot.session.middleware._middlewares if isinstance(m, FloodControl))
        assert flood.budget is worker._sender.budget  # type: ignore[attr-defined]
        await bot.bot.session.close()


def test_the_startup_heap_is_frozen_out_of_full_collections() -> None:
    """Regression: full collections walked the whole startup heap, pausing every command."""
    import gc

    from bot.app import freeze_startup_heap

    try:
        long_lived = [[] for _ in range(1000)]  # containers: what the cyclic GC tracks
        frozen = freeze_startup_heap()
        assert frozen >= len(long_lived)
        # a full collection no longer walks them (other threads may free frozen objects meanwhile, so
        # the count itself is not compared)
        walked = {id(o) for o in gc.get_objects()}
        assert not any(id(o) in walked for o in long_lived)
    finally:
        gc.unfreeze()
