"""Where the GNK price in fiat comes from: nothing, a static table, or an HTTP JSON endpoint.

The HTTP endpoint answers ``{"USD": 1.23, "EUR": 1.1, ...}`` (price of 1 GNK). Answers are cached for
``prices.cache_ttl_s``; a failed refresh keeps serving the last good table (and says nothing is known
when there never was one). Amounts become :class:`~decimal.Decimal` via their text, never float maths.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Protocol

import aiohttp

from bot.config import PricesConfig

log = logging.getLogger(__name__)


class PriceSource(Protocol):
    #: "none", "static" or "http" (shown to users when no price is known)
    kind: str

    async def price(self, currency: str) -> Decimal | None:
        """The price of 1 GNK in ``currency`` (upper-case ISO code), or ``None`` when unknown."""
        ...

    async def aclose(self) -> None: ...


def _table(raw: Mapping[str, object]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            continue
        if d.is_finite() and d >= 0:
            out[str(key).upper()] = d
    return out


class NoPrices:
    kind = "none"

    async def price(self, currency: str) -> Decimal | None:
        return None

    async def aclose(self) -> None:
        return None


class StaticPrices:
    kind = "static"

    def __init__(self, table: Mapping[str, object]) -> None:
        self._table = _table(table)

    async def price(self, currency: str) -> Decimal | None:
        return self._table.get(currency.upper())

    async def aclose(self) -> None:
        return None


class HttpPrices:
    kind = "http"

    def __init__(self, url: str, *, ttl_s: float, timeout_s: float, user_agent: str = "minegnk-bot") -> None:
        self._url = url
        self._ttl = ttl_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._headers = {"User-Agent": user_agent, "Accept": "application/json"}
        self._table: dict[str, Decimal] | None = None
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def price(self, currency: str) -> Decimal | None:
        table = await self._current()
        return None if table is None else table.get(currency.upper())

    async def _current(self) -> dict[str, Decimal] | None:
        async with self._lock:
            if time.monotonic() - self._fetched < self._ttl:
                return self._table
            try:
                self._table = await self._fetch()
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                log.warning("price source %s failed: %s", self._url, exc)
            # a failure is not retried on every command: it waits for the next TTL too
            self._fetched = time.monotonic()
            return self._table

    async def _fetch(self) -> dict[str, Decimal]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        async with self._session.get(self._url) as resp:
            resp.raise_for_status()
            data = await resp.json(content_type=None)
        if not isinstance(data, dict):
            raise ValueError("price endpoint did not return a JSON object")
        return _table(data)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def build_price_source(cfg: PricesConfig, user_agent: str = "minegnk-bot") -> PriceSource:
    if cfg.source == "static":
        return StaticPrices(cfg.static)
    if cfg.source == "http" and cfg.http_url is not None:
        return HttpPrices(
            str(cfg.http_url), ttl_s=cfg.cache_ttl_s, timeout_s=cfg.request_timeout_s, user_agent=user_agent
        )
    return NoPrices()
