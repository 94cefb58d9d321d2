"""One failing platform never takes the process down (issue 15, item 6).

End to end: ``minegnk-bot run`` with a Discord token the (fake) Discord answers 401 at login. Before
the fix the login error ended the one TaskGroup and the process exited (a container crash loop that
took Telegram, the poller and alerts with it). Now Telegram answers commands and delivers alerts,
``/readyz`` and ``minegnk_component_up`` name Discord, admins get one "down" alert on Telegram, and
one "back" alert once the token works again; SIGTERM still stops cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.db.outbox import NewNotification, enqueue
from bot.db.pool import open_pool
from bot.render.message import Message
from tests.bot.telegram.test_tg_webhook import free_port
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram

ADMIN_CHAT = -100777
USER = 555


async def _get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as resp:
        return resp.status, await resp.text()


async def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            try:
                value = await check()
            except aiohttp.ClientError:
                value = None
            if value:
                return value
            await asyncio.sleep(0.1)
    raise AssertionError(what)  # pragma: no cover


async def test_a_revoked_discord_token_leaves_telegram_answering_and_alerting(
    telegram_api: FakeTelegram, discord_api: FakeDiscord, db_url: str
) -> None:
    discord_api.revoke_token()
    port = free_port()
    env = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__HOST": "127.0.0.1",
        "MINEGNK_HTTP__PORT": str(port),
        "MINEGNK_TRACKERS__HYPERFUSION__ENABLED": "false",
        "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
        "MINEGNK_TELEGRAM__TOKEN": telegram_api.token,
        "MINEGNK_TELEGRAM__API_BASE": telegram_api.base_url,
        "MINEGNK_DISCORD__TOKEN": discord_api.token,
        "MINEGNK_DISCORD__API_BASE": discord_api.api_base,
        "MINEGNK_DISCORD__GATEWAY_URL": discord_api.gateway_url,
        "MINEGNK_DISCORD__GUILD_READY_TIMEOUT_S": "0.05",
        "MINEGNK_ALERTS__ADMIN_TELEGRAM_CHAT_IDS": json.dumps([ADMIN_CHAT]),
        "MINEGNK_ALERTS__OUTBOX_POLL_INTERVAL_S": "0.2",
        "MINEGNK_ALERTS__SEND_STARTUP_MESSAGE": "false",
        "MINEGNK_COMPONENTS__RESTART_BACKOFF_BASE_S": "0.2",
        "MINEGNK_COMPONENTS__RESTART_BACKOFF_MAX_S": "1",
        "MINEGNK_COMPONENTS__ALERT_AFTER_S": "1",
        "MINEGNK_COMPONENTS__HEALTHY_AFTER_S": "0.5",
        "MINEGNK_COMPONENTS__CHECK_INTERVAL_S": "0.2",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # Telegram answers commands although Discord refused the token
        await telegram_api.wait_call("getUpdates", timeout=60)
        telegram_api.message(USER, "/help")
        [reply] = await telegram_api.wait_sent(USER, timeout=30)
        assert "/link" in reply.text

        # /readyz and the gauge name Discord, and only the Discord parts
        async def discord_named() -> dict[str, Any] | None:
            status, body = await _get(port, "/readyz")
            data = json.loads(body)
            return data if status == 200 and "discord" in data["down"] else None

        ready = await _until(discord_named, 30, "/readyz never named discord")
        assert ready["status"] == "degraded"
        assert set(ready["down"]) <= {"discord", "delivery-discord"}
        assert ready["components"]["telegram"] == "up"
        _, metrics = await _get(port, "/metrics")
        assert 'minegnk_component_up{component="discord"} 0.0' in metrics
        assert 'minegnk_component_up{component="telegram"} 1.0' in metrics

        # admins hear about it on the platform that is up
        down = await telegram_api.wait_sent(ADMIN_CHAT, timeout=30)
        assert "Component down: discord" in down[0].text

        # node alerts keep flowing to Telegram
        async with open_pool(db_url, min_size=1, max_size=2) as pool:
            alert = Message.text("rig-1 is jailed", title="Jailed: rig-1", severity="critical")
            await enqueue(pool, [NewNotification("telegram", "user", str(USER), "node_alert", alert)])
        sent = await telegram_api.wait_sent(USER, 2, timeout=30)
        assert "Jailed: rig-1" in sent[-1].text

        # the token works again: Discord reconnects by itself and admins hear it is back
        discord_api.revoke_token(False)

        async def all_up() -> bool:
            status, body = await _get(port, "/readyz")
            return status == 200 and json.loads(body)["down"] == []

        await _until(all_up, 30, "discord never came back")
        await discord_api.wait_ready()

        def texts() -> list[str]:
            return [m.text for m in telegram_api.sent_to(ADMIN_CHAT)]

        await telegram_api.wait_until(
            lambda: any("Component back: discord" in t for t in texts()), 30, "back alert"
        )
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()[-3000:]
    assert sum("Component down: discord" in t for t in texts()) == 1
