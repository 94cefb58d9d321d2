"""``/healthz`` (the process is alive), ``/readyz`` (the database answers; which components are
down), ``/metrics``.

``/readyz`` answers 503 when the database does not answer. A component that is down (see
:mod:`bot.supervisor`) is named in the body (``"down": ["discord"]``, ``"status": "degraded"``) but
keeps the answer 200: the rest of the process works (a load balancer must keep sending Telegram
webhook updates while Discord is down); ``minegnk_component_up`` says the same to monitoring.

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
ComponentReport = Callable[[], dict[str, str]]


class HttpServer:
    name = "http"

    def __init__(
        self,
        host: str,
        port: int,
        pool: Pool,
        metrics: Metrics,
        *,
        components: ComponentReport | None = None,
    ) -> None:
        self._components = components
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
        report = self._components() if self._components is not None else {}
        down = sorted(name for name, state in report.items() if state != "up")
        body: dict[str, object] = {"components": report, "down": down}
        try:
            async with asyncio.timeout(2):
                await self._pool.fetchval("SELECT 1")
        except (OSError, TimeoutError, Exception) as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness check failed: %s", exc.__class__.__name__)
            return web.json_response({"status": "unavailable", "database": "down", **body}, status=503)
        return web.json_response({"status": "degraded" if down else "ready", "database": "ok", **body})

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
