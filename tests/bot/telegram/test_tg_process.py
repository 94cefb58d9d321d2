"""`minegnk-bot run` with a Telegram token: the composition root starts the bot against
``telegram.api_base`` (our fake), it answers, and SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.bot.telegram.test_tg_webhook import free_port
from tests.fakes.telegram_api import FakeTelegram


async def test_run_starts_the_telegram_bot_and_stops_on_sigterm(
    telegram_api: FakeTelegram, db_url: str
) -> None:
    env = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__HOST": "127.0.0.1",
        "MINEGNK_HTTP__PORT": str(free_port()),
        "MINEGNK_TRACKERS__HYPERFUSION__ENABLED": "false",
        "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
        "MINEGNK_TELEGRAM__TOKEN": telegram_api.token,
        "MINEGNK_TELEGRAM__API_BASE": telegram_api.base_url,
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
        await telegram_api.wait_call("getUpdates", timeout=60)
        telegram_api.message(555, "/help")
        [reply] = await telegram_api.wait_sent(555, timeout=30)
        assert "/link" in reply.text
        assert telegram_api.commands["default"]  # the menu was registered at start
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode()
