"""A local tracker on 127.0.0.1 speaking Hyperfusion's and a Gonka node's HTTP API, with faults.

Routes: ``/api/v1/inference/current``, ``/api/v1/participants/{id}`` (hyperfusion);
``/v1/epochs/current/participants``, ``/v1/epochs/latest``, ``/chain-api/…/participant``,
``/chain-api/cosmos/staking/v1beta1/validators`` (paginated), ``/chain-api/…/epoch_performance_summary``
(bulk ``/{epoch}``: ``bulk_summaries[epoch]``, else built from the per-node ``summaries`` of that epoch;
per node ``/{epoch}/{addr}``), ``/chain-api/…/estimate_bitcoin_reward/{addr}``,
``/chain-api/…/inference/params``, ``/chain-api/…/epoch_group_data/{epoch}`` and
``/chain-api/…/excluded_participants/{epoch}`` (gonka_api). It serves either era: the 2025 recordings
(``tests/bot/poller/conftest.py::tracker``) or the 2026 shapes (``tracker2026``, built by
``tracker_data.era2026_*``); a chain route with nothing configured answers the chain's NotFound.
Payload dicts are plain attributes tests edit; :meth:`TrackerServer.fault` injects one
fault on one route (optionally for ``times`` requests): ``timeout``, ``status`` (5xx), ``429``,
``garbage`` (an HTML page with 200), ``truncated`` (half a JSON body), ``empty`` (no participants),
``epoch_back``, ``missing`` (drop an address), ``jailed_null`` (``is_jailed: null`` for an address).
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from aiohttp import web

HF_CURRENT = "hf_current"
HF_PARTICIPANT = "hf_participant"
GA_PARTICIPANTS = "ga_participants"
GA_LATEST = "ga_latest"
GA_CHAIN = "ga_chain_participants"
GA_VALIDATORS = "ga_validators"
GA_SUMMARY = "ga_summary"
GA_BULK_SUMMARY = "ga_bulk_summary"
GA_ESTIMATE = "ga_estimate"
GA_PARAMS = "ga_params"
GA_EPOCH_GROUP = "ga_epoch_group_data"
GA_EXCLUDED = "ga_excluded_participants"
#: the grpc-gateway error body of a NotFound (shape of samples-2026 chain_grpc_gateway_error_notfound)
NOT_FOUND = {"code": 5, "message": "not found", "details": []}


@dataclass
class Fault:
    kind: str
    times: int | None = None
    status: int = 503
    retry_after: str | None = "1"
    address: str | None = None
    delay_s: float = 30.0


class TrackerServer:
    def __init__(self) -> None:
        self.hyperfusion: dict[str, Any] | None = None
        self.gonka_participants: dict[str, Any] | None = None
        self.gonka_latest: dict[str, Any] | None = None
        self.chain_participants: dict[str, Any] | None = None
        self.validators: list[dict[str, Any]] = []
        self.validators_page = 200
        self.rewards: dict[str, dict[str, Any]] = {}
        self.summaries: dict[tuple[int, str], dict[str, Any]] = {}
        #: epoch -> the bulk ``epoch_performance_summary/{epoch}`` body (else built from ``summaries``)
        self.bulk_summaries: dict[int, dict[str, Any]] = {}
        #: address -> ``estimate_bitcoin_reward/{address}`` body (missing: NotFound)
        self.estimates: dict[str, dict[str, Any]] = {}
        #: ``/chain-api/.../inference/params`` (None: NotFound, as on a node without it)
        self.params: dict[str, Any] | None = None
        #: epoch -> ``epoch_group_data/{epoch}`` (root group) and ``excluded_participants/{epoch}``
        self.epoch_group_data: dict[int, dict[str, Any]] = {}
        self.excluded: dict[int, dict[str, Any]] = {}
        self.faults: dict[str, Fault] = {}
        self.requests: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        #: reuse encoded bodies of unchanged payloads (the benchmark's 100,000 participants)
        self.cache_bodies = False
        self._encoded: dict[tuple[str, int], bytes] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- control ---------------------------------------------------------------------------------

    def fault(self, route: str, kind: str, **kw: Any) -> None:
        self.faults[route] = Fault(kind, **kw)

    def clear_faults(self) -> None:
        self.faults.clear()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/api/v1/inference/current", self._hf_current)
        app.router.add_get("/api/v1/participants/{pid}", self._hf_participant)
        app.router.add_get("/v1/epochs/current/participants", self._ga_participants)
        app.router.add_get("/v1/epochs/latest", self._ga_latest)
        app.router.add_get("/chain-api/productscience/inference/inference/participant", self._ga_chain)
        app.router.add_get("/chain-api/cosmos/staking/v1beta1/validators", self._ga_validators)
        app.router.add_get(
            "/chain-api/productscience/inference/inference/epoch_performance_summary/{epoch}/{addr}",
            self._ga_summary,
        )
        chain = "/chain-api/productscience/inference/inference"
        app.router.add_get(f"{chain}/epoch_performance_summary/{{epoch}}", self._ga_bulk_summary)
        app.router.add_get(f"{chain}/estimate_bitcoin_reward/{{addr}}", self._ga_estimate)
        app.router.add_get(f"{chain}/params", self._ga_params)
        app.router.add_get(f"{chain}/epoch_group_data/{{epoch}}", self._ga_epoch_group)
        app.router.add_get(f"{chain}/excluded_participants/{{epoch}}", self._ga_excluded)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- plumbing --------------------------------------------------------------------------------

    def _take_fault(self, route: str) -> Fault | None:
        f = self.faults.get(route)
        if f is None:
            return None
        if f.times is not None:
            f.times -= 1
            if f.times <= 0:
                del self.faults[route]
        return f

    async def _serve(self, request: web.Request, route: str, payload: Any) -> web.StreamResponse:
        self.requests[route] += 1
        self.user_agents.add(request.headers.get("User-Agent", ""))
        fault = self._take_fault(route)
        if payload is None:
            return web.json_response({"detail": "Service not initialized"}, status=503)
        if fault is not None:
            if fault.kind == "timeout":
                await asyncio.sleep(fault.delay_s)
            elif fault.kind == "status":
                return web.json_response({"detail": "Internal Server Error"}, status=fault.status)
            elif fault.kind == "429":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return web.json_response({"detail": "Too Many Requests"}, status=429, headers=headers)
            elif fault.kind == "garbage":  # a proxy's error page served with 200
                page = b"<html><body>502 Bad Gateway</body></html>"
                return web.Response(body=page, content_type="text/html")
            elif fault.kind == "truncated":
                body = json.dumps(payload).encode()
                return web.Response(body=body[: len(body) // 2], content_type="application/json")
            else:
                payload = _transform(copy.deepcopy(payload), fault)
                return web.Response(body=json.dumps(payload).encode(), content_type="application/json")
        key = (route, id(payload))
        body = self._encoded.get(key) if self.cache_bodies else None
        if body is None:
            body = json.dumps(payload).encode()
            self._encoded = {key: body} | {k: v for k, v in self._encoded.items() if k[0] != route}
        return web.Response(body=body, content_type="application/json")

    def invalidate(self) -> None:
        """Call after editing a payload in place."""
        self._encoded.clear()

    # -- handlers --------------------------------------------------------------------------------

    async def _hf_current(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, HF_CURRENT, self.hyperfusion)

    async def _hf_participant(self, request: web.Request) -> web.StreamResponse:
        pid = request.match_info["pid"]
        if pid not in self.rewards:
            self.requests[HF_PARTICIPANT] += 1
            return web.json_response({"detail": f"Participant {pid} not found in epoch"}, status=404)
        return await self._serve(request, HF_PARTICIPANT, self.rewards[pid])

    async def _ga_participants(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, GA_PARTICIPANTS, self.gonka_participants)

    async def _ga_latest(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, GA_LATEST, self.gonka_latest)

    async def _ga_chain(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, GA_CHAIN, self.chain_participants)

    async def _ga_validators(self, request: web.Request) -> web.StreamResponse:
        start = int(request.query.get("pagination.key") or 0)
        limit = min(int(request.query.get("pagination.limit") or 100), self.validators_page)
        page = self.validators[start : start + limit]
        nxt = str(start + limit) if start + limit < len(self.validators) else None
        return await self._serve(
            request, GA_VALIDATORS, {"validators": page, "pagination": {"next_key": nxt, "total": "0"}}
        )

    async def _ga_summary(self, request: web.Request) -> web.StreamResponse:
        key = (int(request.match_info["epoch"]), request.match_info["addr"])
        if key not in self.summaries:
            self.requests[GA_SUMMARY] += 1
            return web.json_response({"code": 5, "message": "not found", "details": []}, status=404)
        return await self._serve(request, GA_SUMMARY, self.summaries[key])

    async def _ga_bulk_summary(self, request: web.Request) -> web.StreamResponse:
        epoch = int(request.match_info["epoch"])
        payload = self.bulk_summaries.get(epoch)
        if payload is None:  # the per-node bodies of the epoch as one list (empty: not settled yet)
            rows = []
            for (e, addr), body in self.summaries.items():
                if e == epoch:
                    row = dict(body["epochPerformanceSummary"])
                    row.setdefault("participant_id", addr)
                    row.setdefault("epoch_index", str(epoch))
                    rows.append(row)
            payload = {"epochPerformanceSummary": rows}
        return await self._serve(request, GA_BULK_SUMMARY, payload)

    async def _ga_estimate(self, request: web.Request) -> web.StreamResponse:
        return await self._not_found_or_serve(
            request, GA_ESTIMATE, self.estimates.get(request.match_info["addr"])
        )

    async def _not_found_or_serve(
        self, request: web.Request, route: str, payload: dict[str, Any] | None
    ) -> web.StreamResponse:
        if payload is None:
            self.requests[route] += 1
            return web.json_response(NOT_FOUND, status=404)
        return await self._serve(request, route, payload)

    async def _ga_params(self, request: web.Request) -> web.StreamResponse:
        return await self._not_found_or_serve(request, GA_PARAMS, self.params)

    async def _ga_epoch_group(self, request: web.Request) -> web.StreamResponse:
        epoch = int(request.match_info["epoch"])
        return await self._not_found_or_serve(request, GA_EPOCH_GROUP, self.epoch_group_data.get(epoch))

    async def _ga_excluded(self, request: web.Request) -> web.StreamResponse:
        epoch = int(request.match_info["epoch"])
        return await self._not_found_or_serve(request, GA_EXCLUDED, self.excluded.get(epoch))


def _participants_of(payload: dict[str, Any]) -> list[dict[str, Any]] | None:
    if "participants" in payload:
        parts: list[dict[str, Any]] = payload["participants"]
        return parts
    if "active_participants" in payload:
        parts = payload["active_participants"]["participants"]
        return parts
    if "participant" in payload:
        parts = payload["participant"]
        return parts
    return None


def _transform(payload: Any, fault: Fault) -> Any:
    parts = _participants_of(payload) if isinstance(payload, dict) else None
    if fault.kind == "empty" and parts is not None:
        parts.clear()
    elif fault.kind == "epoch_back":
        if "epoch_id" in payload:
            payload["epoch_id"] -= 1
        if "active_participants" in payload:
            payload["active_participants"]["epoch_id"] -= 1
        if "latest_epoch" in payload:
            payload["latest_epoch"]["index"] -= 1
    elif fault.kind == "missing" and parts is not None:
        parts[:] = [p for p in parts if fault.address not in (p.get("address"), p.get("index"))]
    elif fault.kind == "jailed_null" and parts is not None:
        for p in parts:
            if fault.address in (p.get("address"), p.get("index")):
                p["is_jailed"] = None
    return payload
