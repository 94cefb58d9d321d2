"""The local tracker (tests/fakes/tracker_server.py) in its own process, steered over HTTP.

Serving 10,000 participants while the harness also hosts both chat platforms and 200 chat users
starves one event loop (the bot's 2 s tracker timeout fires on the harness, not the bot), so the
tracker gets a process of its own. Control routes on a second port: ``POST /jail`` ``{"nodes": [..],
"jailed": bool}``, ``POST /fault`` ``{"kind": .., **kw}``, ``POST /clear``, ``POST /drop``
``{"mod": m, "rem": r}`` (participants with index % m == r disappear; ``{}`` restores them),
``GET /requests`` (request counts per route).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from typing import Any

import aiohttp
from aiohttp import web


def _serve(n: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    from tests.fakes.tracker_data import synthetic_hyperfusion
    from tests.fakes.tracker_server import HF_CURRENT, TrackerServer

    async def main() -> None:
        srv = TrackerServer()
        srv.hyperfusion = synthetic_hyperfusion(n)
        srv.cache_bodies = True
        full: list[dict[str, Any]] = srv.hyperfusion["participants"]
        await srv.start()

        async def jail(request: web.Request) -> web.Response:
            body = await request.json()
            for i in body["nodes"]:
                full[i] = {**full[i], "is_jailed": bool(body["jailed"])}
            _refresh()
            return web.json_response({"ok": True})

        dropped: dict[str, int] = {}

        def _refresh() -> None:
            assert srv.hyperfusion is not None
            if dropped:
                srv.hyperfusion["participants"] = [
                    p for i, p in enumerate(full) if i % dropped["mod"] != dropped["rem"]
                ]
            else:
                srv.hyperfusion["participants"] = full
            srv.invalidate()

        async def drop(request: web.Request) -> web.Response:
            dropped.clear()
            dropped.update(await request.json())
            _refresh()
            return web.json_response({"ok": True})

        async def fault(request: web.Request) -> web.Response:
            body = await request.json()
            srv.fault(HF_CURRENT, body.pop("kind"), **body)
            return web.json_response({"ok": True})

        async def clear(request: web.Request) -> web.Response:
            srv.clear_faults()
            return web.json_response({"ok": True})

        async def requests(request: web.Request) -> web.Response:
            return web.json_response(dict(srv.requests))

        app = web.Application()
        app.router.add_post("/jail", jail)
        app.router.add_post("/drop", drop)
        app.router.add_post("/fault", fault)
        app.router.add_post("/clear", clear)
        app.router.add_get("/requests", requests)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        out.put((srv.url, f"http://127.0.0.1:{port}"))
        await asyncio.Event().wait()

    asyncio.run(main())


class TrackerProcess:
    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.url = ""
        self.control = ""
        self._proc: Any = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        ctx = mp.get_context("spawn")
        q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        self._proc = ctx.Process(target=_serve, args=(self.nodes, q), daemon=True)
        self._proc.start()
        self.url, self.control = await asyncio.to_thread(q.get, True, 120)
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join(5)

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        assert self._session is not None
        async with self._session.post(self.control + path, json=body) as r:
            r.raise_for_status()

    async def jail(self, nodes: list[int], jailed: bool) -> None:
        await self._post("/jail", {"nodes": nodes, "jailed": jailed})

    async def fault(self, kind: str, **kw: Any) -> None:
        await self._post("/fault", {"kind": kind, **kw})

    async def clear(self) -> None:
        await self._post("/clear", {})

    async def drop(self, mod: int | None = None, rem: int = 0) -> None:
        await self._post("/drop", {"mod": mod, "rem": rem} if mod else {})

    async def requests(self) -> dict[str, int]:
        assert self._session is not None
        async with self._session.get(self.control + "/requests") as r:
            data: dict[str, int] = await r.json()
            return data
