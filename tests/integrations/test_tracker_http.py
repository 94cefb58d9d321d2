"""The shared GET helper against local servers: retries, fail-over, 429, timeouts, our own errors."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from integrations.errors import (
    BadPayloadError,
    SourceConnectionError,
    SourceHTTPError,
    SourceRateLimitedError,
    SourceTimeoutError,
)
from integrations.http import HttpSettings, JsonFetcher, parse_retry_after
from integrations.payload import read_all

FAST = HttpSettings(
    timeout_s=0.3, retries=2, backoff_base_s=0.01, backoff_max_s=0.05, user_agent="minegnk-test/1"
)


class Script:
    """A server answering each request with the next scripted reply."""

    def __init__(self, replies: list[object]) -> None:
        self.replies = replies
        self.seen: list[aiohttp.web.Request] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handler(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply == "sleep":
            await asyncio.sleep(5)
        if isinstance(reply, int):
            headers = {"Retry-After": "60"} if reply == 429 else {}
            return web.json_response({"detail": "no"}, status=reply, headers=headers)
        return web.Response(body=str(reply).encode(), content_type="application/json")

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handler)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.url

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def text(chunks: AsyncIterator[bytes]) -> str:
    return (await read_all(chunks)).decode()


async def serve(*replies: object) -> Script:
    s = Script(list(replies))
    await s.start()
    return s


async def test_retries_a_5xx_then_succeeds_and_sends_the_user_agent(session: aiohttp.ClientSession) -> None:
    srv = await serve(503, '{"ok": 1}')
    try:
        got = await JsonFetcher(session, "t", [srv.url], FAST).get("/x", text)
        assert got == '{"ok": 1}'
        assert len(srv.seen) == 2
        assert {r.headers["User-Agent"] for r in srv.seen} == {"minegnk-test/1"}
    finally:
        await srv.stop()


async def test_fails_over_to_the_next_base_url_and_sticks_to_it(session: aiohttp.ClientSession) -> None:
    bad, good = await serve(500), await serve('"ok"')
    try:
        f = JsonFetcher(session, "t", [bad.url, good.url], FAST)
        assert await f.get("/x", text) == '"ok"'
        assert await f.get("/x", text) == '"ok"'
        assert (len(bad.seen), len(good.seen)) == (1, 2)
    finally:
        await bad.stop()
        await good.stop()


async def test_a_429_blocks_that_base_url_for_its_retry_after(session: aiohttp.ClientSession) -> None:
    limited, other = await serve(429), await serve('"ok"')
    try:
        f = JsonFetcher(session, "t", [limited.url, other.url], FAST)
        assert await f.get("/x", text) == '"ok"'
        assert await f.get("/x", text) == '"ok"'
        assert len(limited.seen) == 1  # not asked again within its Retry-After
    finally:
        await limited.stop()
        await other.stop()


async def test_when_every_base_url_said_later_no_request_is_made(session: aiohttp.ClientSession) -> None:
    limited = await serve(429)
    try:
        f = JsonFetcher(session, "t", [limited.url], FAST)
        with pytest.raises(SourceRateLimitedError) as info:
            await f.get("/x", text)
        assert info.value.retry_after_s == 60
        assert len(limited.seen) == 1
        with pytest.raises(SourceRateLimitedError):
            await f.get("/x", text)
        assert len(limited.seen) == 1
    finally:
        await limited.stop()


async def test_a_timeout_becomes_our_timeout_error(session: aiohttp.ClientSession) -> None:
    slow = await serve("sleep")
    try:
        with pytest.raises(SourceTimeoutError, match=r"within 0\.3s"):
            await JsonFetcher(session, "t", [slow.url], FAST).get("/x", text)
        assert len(slow.seen) == FAST.retries + 1
    finally:
        await slow.stop()


async def test_connection_refused_becomes_our_connection_error(session: aiohttp.ClientSession) -> None:
    srv = await serve('"x"')
    url = srv.url
    await srv.stop()
    with pytest.raises(SourceConnectionError):
        await JsonFetcher(session, "t", [url], FAST).get("/x", text)


async def test_a_4xx_from_the_only_server_is_not_retried(session: aiohttp.ClientSession) -> None:
    srv = await serve(404)
    try:
        with pytest.raises(SourceHTTPError) as info:
            await JsonFetcher(session, "t", [srv.url], FAST).get("/x", text)
        assert info.value.status == 404 and len(srv.seen) == 1
    finally:
        await srv.stop()


async def test_a_parse_error_becomes_bad_payload(session: aiohttp.ClientSession) -> None:
    srv = await serve('{"half":')
    try:

        async def parse(chunks: AsyncIterator[bytes]) -> object:
            import json

            return json.loads(await read_all(chunks))

        with pytest.raises(BadPayloadError):
            await JsonFetcher(session, "t", [srv.url], FAST).get("/x", parse)
    finally:
        await srv.stop()


async def test_cancellation_propagates(session: aiohttp.ClientSession) -> None:
    slow = await serve("sleep")
    try:
        settings = HttpSettings(timeout_s=10, retries=0)
        task = asyncio.create_task(JsonFetcher(session, "t", [slow.url], settings).get("/x", text))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await slow.stop()


def test_backoff_is_jittered_exponential_and_capped() -> None:
    f = JsonFetcher(
        None, "t", ["http://x"], HttpSettings(backoff_base_s=1, backoff_max_s=4), rng=random.Random(1)
    )  # type: ignore[arg-type]
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (5, 4)]:
        d = f.backoff(attempt)
        assert ceiling / 2 <= d <= ceiling
    assert len({f.backoff(3) for _ in range(5)}) > 1


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    assert parse_retry_after("120") == 120
    now = datetime(2025, 12, 8, 13, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 08 Dec 2025 13:00:30 GMT", now) == 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
