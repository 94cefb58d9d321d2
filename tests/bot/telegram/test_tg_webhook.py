"""Webhook mode: the update route on the shared HTTP server, the secret token checked, setWebhook at
start; two replicas behind a "load balancer" share one conversation through the PostgreSQL FSM storage."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.config import Config, load_config
from bot.db import users as users_db
from bot.db.types import Pool
from bot.errors import ConfigError
from bot.metrics import Metrics
from bot.services.container import Services
from bot.services.provisioning import add_user
from bot.telegram.component import TelegramBot
from bot.web.server import HttpServer
from tests.bot.telegram.conftest import USER_TG, telegram_config
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret-token_42"
PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_config(db_url: str, fake: FakeTelegram, port: int) -> Config:
    base = telegram_config(
        db_url, fake, mode="webhook", webhook_url=f"http://127.0.0.1:{port}{PATH}", webhook_secret=SECRET
    )
    return base.model_copy(update={"http": base.http.model_copy(update={"port": port})})


@contextlib.asynccontextmanager
async def replica(fake: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[tuple[TelegramBot, str]]:
    port = free_port()
    config = webhook_config(db_url, fake, port)
    metrics = Metrics()
    http = HttpServer("127.0.0.1", port, pool, metrics)
    bot = TelegramBot(config, pool, Services.build(pool, config), metrics, http)
    tasks = [asyncio.create_task(http.run()), asyncio.create_task(bot.run())]
    try:
        await asyncio.wait_for(asyncio.gather(http.started.wait(), bot.ready.wait()), 10)
        yield bot, f"http://127.0.0.1:{port}{PATH}"
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def update(update_id: int, user_id: int, text: str, message_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1764590000,
            "chat": {"id": user_id, "type": "private", "first_name": "U"},
            "from": {"id": user_id, "is_bot": False, "first_name": "U"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else [],
        },
    }


async def test_webhook_checks_the_secret_and_handles_updates(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    async with replica(telegram_api, pool, db_url) as (_, url), aiohttp.ClientSession() as http:
        call = await telegram_api.wait_call("setWebhook")
        assert call.params["url"] == url and call.params["secret_token"] == SECRET
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=update(1, USER_TG, "/help", 1), headers=headers) as resp:
                assert resp.status == 401
        assert telegram_api.sent_to(USER_TG) == []
        telegram_api.message(USER_TG, "/help")  # the fake posts it to the webhook, with the secret
        [reply] = await telegram_api.wait_sent(USER_TG)
        assert "/link" in reply.text
        assert telegram_api.webhook_responses == [200]
        assert telegram_api.calls_of("getUpdates") == []  # no polling in webhook mode


async def test_two_replicas_share_a_conversation(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> None:
    user = await add_user(pool, "op@example.com", "pw", rounds=4)
    await users_db.link_identity(pool, user.id, "telegram", str(USER_TG))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        replica(telegram_api, pool, db_url) as (_, url_a),
        replica(telegram_api, pool, db_url) as (_, url_b),
        aiohttp.ClientSession() as http,
    ):
        async with http.post(url_a, json=update(10, USER_TG, "/request support", 1), headers=headers) as resp:
            assert resp.status == 200
        await telegram_api.wait_sent(USER_TG, 1)
        async with http.post(url_b, json=update(11, USER_TG, "the rig is stuck", 2), headers=headers) as resp:
            assert resp.status == 200
        [_, summary] = await telegram_api.wait_sent(USER_TG, 2)
        assert "the rig is stuck" in summary.text  # replica B knew the form replica A started


def test_webhook_mode_without_the_http_server_is_a_config_error(db_url: str) -> None:
    with pytest.raises(ConfigError, match=r"http\.enabled"):
        load_config(
            None,
            database={"url": db_url},
            http={"enabled": False},
            telegram={
                "token": "42:X",
                "mode": "webhook",
                "webhook_url": "https://bot.example.com/telegram/webhook",
                "webhook_secret": SECRET,
            },
        )


async def raw_post(url: str, secret: bytes, body: bytes) -> int:
    """POST with a header aiohttp's client would refuse to send (raw bytes), answer's status code."""
    rest = url.removeprefix("http://")
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /" + path.encode() + b" HTTP/1.1\r\nHost: " + hostport.encode() + b"\r\n"
        b"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_a_malformed_secret_header_is_401_not_500(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    body = json.dumps(update(1, USER_TG, "/help", 1)).encode()
    async with replica(telegram_api, pool, db_url) as (_, url):
        for secret in ("sécret".encode(), b"\xff\xfe", "秘密".encode()):
            assert await raw_post(url, secret, body) == 401
        assert await raw_post(url, SECRET.encode(), b"not json") == 400
        assert await raw_post(url, SECRET.encode(), body) == 200
    assert telegram_api.sent_to(USER_TG)  # the one good update was handled


async def test_an_acknowledged_update_is_handled_before_shutdown(
    telegram_api: FakeTelegram, pool: Pool, db_url: str
) -> None:
    port = free_port()
    config = webhook_config(db_url, telegram_api, port)
    metrics = Metrics()
    http = HttpServer("127.0.0.1", port, pool, metrics)
    bot = TelegramBot(config, pool, Services.build(pool, config), metrics, http)
    url = f"http://127.0.0.1:{port}{PATH}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    server = asyncio.create_task(http.run())
    try:
        await asyncio.wait_for(http.started.wait(), 10)
        async with aiohttp.ClientSession() as client:
            # not running yet: not accepted, Telegram keeps the update and retries
            async with client.post(url, json=update(1, USER_TG, "/help", 1), headers=headers) as resp:
                assert resp.status == 503
            runner = asyncio.create_task(bot.run())
            await asyncio.wait_for(bot.ready.wait(), 10)
            telegram_api.hang("sendMessage", 1.0)  # the reply is still on its way when SIGTERM comes
            async with client.post(url, json=update(2, USER_TG, "/help", 2), headers=headers) as resp:
                assert resp.status == 200
            await telegram_api.wait_call("sendMessage")
            runner.cancel()
            await asyncio.sleep(0.1)
            async with client.post(url, json=update(3, USER_TG, "/help", 3), headers=headers) as resp:
                assert resp.status == 503  # stopping: not accepted
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        [reply] = telegram_api.sent_to(USER_TG)  # the acknowledged update was answered, once
        assert "/link" in reply.text
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
