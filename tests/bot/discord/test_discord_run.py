"""`minegnk-bot run` with a Discord token: the real process connects to the local Discord, answers a
slash command and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from tests.bot.discord.conftest import text
from tests.fakes.discord_api import FakeDiscord


async def test_run_connects_answers_and_stops(db_url: str, discord_api: FakeDiscord) -> None:
    env = {
        **os.environ,
        "MINEGNK_DATABASE__URL": db_url,
        "MINEGNK_HTTP__ENABLED": "false",
        "MINEGNK_TRACKERS__HYPERFUSION__ENABLED": "false",
        "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
        "MINEGNK_DISCORD__TOKEN": discord_api.token,
        "MINEGNK_DISCORD__API_BASE": discord_api.api_base,
        "MINEGNK_DISCORD__GUILD_READY_TIMEOUT_S": "0.05",
    }
    env.pop("MINEGNK_DISCORD__GATEWAY_URL", None)  # taken from GET /gateway/bot
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
        await discord_api.wait_ready(timeout=60)
        await discord_api.wait_for(lambda: bool(discord_api.commands.get(None)), timeout=30)
        alice = discord_api.add_user("alice")
        ix = await discord_api.slash(alice, "start")
        assert "/link" in text(await ix.reply(timeout=20))
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, stderr.decode()[-2000:]
        assert discord_api.calls("GET", "/gateway/bot")
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
