"""GET with bounded time, retries with jittered backoff, fail-over across base URLs and 429 respect.

:class:`JsonFetcher` is shared by the clients. One call tries at most ``retries + 1`` times, moving to
the next base URL after a failure and sticking to the last one that worked. A 429 blocks that base URL
for its ``Retry-After`` (also across calls, so the next cycle does not knock on a door that said
"later"). Every failure is one of :mod:`integrations.errors`; ``CancelledError`` propagates.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import aiohttp

from bot.domain.numbers import parse_uint
from integrations.errors import (
    BadPayloadError,
    SourceConnectionError,
    SourceError,
    SourceHTTPError,
    SourceNotFoundError,
    SourceRateLimitedError,
    SourceTimeoutError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
Parser = Callable[[AsyncIterator[bytes]], Awaitable[T]]
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout_s: float = 10.0
    retries: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 10.0
    user_agent: str = "minegnk-bot"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` when absent/bad."""
    if not value:
        return None
    value = value.strip()
    seconds = parse_uint(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class JsonFetcher:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        source: str,
        base_urls: Sequence[str],
        settings: HttpSettings,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not base_urls:
            raise ValueError("at least one base URL is needed")
        self.source = source
        self._session = session
        self._bases = [u.rstrip("/") for u in base_urls]
        self._settings = settings
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._preferred = 0
        self._blocked_until: dict[int, float] = {}
        self.requests = 0

    @property
    def base_urls(self) -> tuple[str, ...]:
        return tuple(self._bases)

    def backoff(self, attempt: int) -> float:
        """Equal-jitter exponential backoff: half fixed, half random, capped at backoff_max_s."""
        s = self._settings
        ceiling = min(s.backoff_max_s, s.backoff_base_s * (2**attempt))
        return float(ceiling / 2 + self._rng.uniform(0, ceiling / 2))

    def _next_open(self, start: int) -> tuple[int | None, float]:
        """The first base URL from ``start`` that is not rate-limited, else the shortest wait."""
        now = self._clock()
        waits = []
        for k in range(len(self._bases)):
            i = (start + k) % len(self._bases)
            until = self._blocked_until.get(i, 0.0)
            if until <= now:
                return i, 0.0
            waits.append(until - now)
        return None, min(waits)

    async def get(
        self,
        path: str,
        parse: Parser[T],
        params: Mapping[str, str] | None = None,
        *,
        accept: str = "application/json",
    ) -> T:
        attempts = self._settings.retries + 1
        index = self._preferred
        last: SourceError | None = None
        for attempt in range(attempts):
            chosen, wait = self._next_open(index)
            if chosen is None:
                if wait > self._settings.backoff_max_s or attempt == attempts - 1:
                    raise last or SourceRateLimitedError(
                        self.source, f"rate limited, retry in {wait:.0f}s", retry_after_s=wait
                    )
                await self._sleep(wait)
                chosen, _ = self._next_open(index)
                assert chosen is not None
            try:
                result = await self._once(self._bases[chosen], path, params, parse, accept)
            except SourceRateLimitedError as exc:
                block = exc.retry_after_s if exc.retry_after_s is not None else self.backoff(attempt)
                self._blocked_until[chosen] = self._clock() + block
                last = exc
            except SourceHTTPError as exc:
                last = exc
                if exc.status < 500 and len(self._bases) == 1:
                    raise  # a 4xx from the only server will not change on retry
            except (SourceTimeoutError, SourceConnectionError, BadPayloadError) as exc:
                last = exc
            else:
                self._preferred = chosen
                return result
            log.warning(
                "%s %s failed on %s (attempt %d/%d): %s",
                self.source,
                path,
                self._bases[chosen],
                attempt + 1,
                attempts,
                last.message,
            )
            index = chosen + 1
            if attempt < attempts - 1:
                await self._sleep(self.backoff(attempt))
        assert last is not None
        raise last

    async def _once(
        self, base: str, path: str, params: Mapping[str, str] | None, parse: Parser[T], accept: str
    ) -> T:
        url = base + path
        headers = {"User-Agent": self._settings.user_agent, "Accept": accept}
        self.requests += 1
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                async with self._session.get(url, params=params, headers=headers) as resp:
                    if resp.status == 429:
                        retry = parse_retry_after(resp.headers.get("Retry-After"))
                        raise SourceRateLimitedError(self.source, f"429 from {base}", retry_after_s=retry)
                    if resp.status >= 400:
                        detail = (await resp.content.read(300)).decode("utf-8", "replace")
                        if resp.status == 404:
                            raise SourceNotFoundError(
                                self.source, f"HTTP 404 from {base}{path}: {detail}", detail
                            )
                        raise SourceHTTPError(
                            self.source, f"HTTP {resp.status} from {base}{path}: {detail}", resp.status
                        )
                    return await parse(resp.content.iter_chunked(CHUNK))
        except TimeoutError:
            raise SourceTimeoutError(
                self.source, f"no answer from {base}{path} within {self._settings.timeout_s:g}s"
            ) from None
        except aiohttp.ClientPayloadError as exc:
            raise BadPayloadError(self.source, f"truncated body from {base}{path}: {exc}") from None
        except aiohttp.ClientResponseError as exc:
            raise SourceHTTPError(self.source, f"HTTP {exc.status} from {base}{path}", exc.status) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise SourceConnectionError(
                self.source, f"{base}{path}: {exc.__class__.__name__}: {exc}"
            ) from None
        except ValueError as exc:  # json and pydantic (ValidationError is a ValueError)
            raise BadPayloadError(
                self.source, f"unexpected payload from {base}{path}: {_short(exc)}"
            ) from None


def _short(exc: Exception) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 300 else text[:297] + "..."
