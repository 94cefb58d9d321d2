"""Alert delivery with the bot token configured logs no token, whatever the Bot API answers (OK, 5xx,
403, 400, 401, a timeout), with every logger at DEBUG."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.db.outbox import enqueue
from bot.db.types import Pool
from tests.bot.alerts.test_delivery_telegram import note, running_worker, tg_config, wait_status
from tests.fakes.telegram_api import TOKEN, FakeTelegram


async def test_telegram_delivery_failures_never_log_the_token(
    pool: Pool, db_url: str, telegram_api: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("", "aiogram", "aiohttp", "asyncpg", "bot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    config = tg_config(db_url, telegram_api, outbox_max_attempts=3)
    config = config.model_copy(
        update={"telegram": config.telegram.model_copy(update={"request_timeout_s": 0.5})}
    )
    telegram_api.fail("sendMessage", 500, "Internal Server Error")
    telegram_api.fail("sendMessage", 401, "Unauthorized")
    telegram_api.hang("sendMessage", 1.5)
    telegram_api.fail("sendMessage", 400, "Bad Request: chat not found")
    telegram_api.block(3003)
    await enqueue(pool, [note(3001, "one"), note(3002, "two"), note(3003, "blocked")])
    async with running_worker(pool, config):
        await wait_status(pool, "delivered", 1, timeout=30)
        for _ in range(200):  # the other two end refused (chat not found, blocked)
            if not await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'pending'"):
                break
            await asyncio.sleep(0.05)
    token_secret = TOKEN.split(":", 1)[1]
    texts = [f"{r.getMessage()} {r.msg} {r.args!r} {r.exc_text or ''} {r.__dict__}" for r in caplog.records]
    assert any("3003" in t or "blocked" in t or "403" in t for t in texts)  # the failures were logged
    assert not [t for t in texts if token_secret in t], "the bot token reached the logs"
