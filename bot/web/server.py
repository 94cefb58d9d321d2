"""``/healthz`` (the process is alive), ``/readyz`` (the database answers), ``/metrics``.

Other components (the Telegram webhook) mount their routes on the same aiohttp application through
:meth:`HttpServer.add_routes` before it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.db.types import Pool
from bot.metrics import Metrics

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]


class HttpServer:
    name = "http"

    def __init__(self, host: str, port: int, pool: Pool, metrics: Metrics) -> None:
        self._host = host
        self._port = port
        self._pool = pool
        self._metrics = metrics
        self.app = web.Application()
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics_view)
        self.bound_port: int | None = None
        self.started = asyncio.Event()

    def add_routes(self, routes: list[web.RouteDef]) -> None:
        self.app.router.add_routes(routes)

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2):
                await self._pool.fetchval("SELECT 1")
        except (OSError, TimeoutError, Exception) as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness check failed: %s", exc.__class__.__name__)
            return web.json_response({"status": "unavailable", "database": "down"}, status=503)
        return web.json_response({"status": "ready", "database": "ok"})

    async def _metrics_view(self, request: web.Request) -> web.Response:
        body = self._metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def run(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            server = site._server
            sockets = getattr(server, "sockets", None) or []
            self.bound_port = sockets[0].getsockname()[1] if sockets else self._port
            log.info("http endpoint on http://%s:%s (/healthz /readyz /metrics)", self._host, self.bound_port)
            self.started.set()
            await asyncio.Event().wait()  # until cancelled
        finally:
            await runner.cleanup()
