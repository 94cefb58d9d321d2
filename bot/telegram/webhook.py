"""The Telegram webhook route: an update is acknowledged only once it is accepted for processing.

Telegram redelivers an update until its webhook answers 2xx, so the answer is the delivery receipt:

- a missing or wrong ``X-Telegram-Bot-Api-Secret-Token`` answers 401; the header is compared as bytes,
  so a malformed (non-ASCII) one is a 401 too, never a 500 with a traceback;
- a body that is not a JSON object answers 400 (Telegram does not resend what it cannot fix);
- before the component runs, while it shuts down, or when ``max_pending`` accepted updates are still
  being handled, the answer is 503: Telegram keeps the update and sends it again later (to this
  replica or another);
- otherwise the update is accepted: it is handed to the dispatcher as a tracked task and 200 goes back.
  :meth:`WebhookUpdates.drain` (called when the component stops) stops accepting, then waits for every
  accepted update to be handled before the bot's HTTP session closes, so a shutdown loses none.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiohttp import web

log = logging.getLogger(__name__)
_EXTRA = {"platform": "telegram"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison that accepts any header text (aiohttp hands undecodable bytes over as
    surrogates; ``hmac.compare_digest`` refuses non-ASCII ``str``, so both sides are compared as bytes)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


class WebhookUpdates:
    """The aiohttp handler for ``telegram.webhook_path``."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str | None, *, max_pending: int) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._secret = secret
        self._max_pending = max_pending
        self._pending: set[asyncio.Task[None]] = set()
        self._accepting = False  # until the component runs (see open); Telegram retries a 503

    def register(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if self._secret is not None and not secret_matches(given, self._secret):
            return web.Response(status=401, text="Unauthorized")
        if not self._accepting or len(self._pending) >= self._max_pending:
            # not accepted: Telegram keeps the update and retries
            return web.Response(status=503, text="Busy", headers={"Retry-After": "1"})
        try:
            update: Any = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            update = None
        if not isinstance(update, dict):
            log.warning("webhook: a request body that is not an update was refused", extra=_EXTRA)
            return web.Response(status=400, text="Bad Request")
        task = asyncio.create_task(self._feed(update), name=f"telegram-update-{update.get('update_id')}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return web.json_response({})

    async def _feed(self, update: dict[str, Any]) -> None:
        # the dispatcher's error handler answers a failing handler; what reaches here is aiogram's own
        try:
            result = await self._dispatcher.feed_raw_update(bot=self._bot, update=update)
            if isinstance(result, TelegramMethod):
                await self._dispatcher.silent_call_request(bot=self._bot, result=result)
        except Exception:  # the task's edge: logged once, never an unretrieved task exception
            log.exception("webhook: update %s failed", update.get("update_id"), extra=_EXTRA)

    def open(self) -> None:
        """Start accepting updates (the component is running and its bot session usable)."""
        self._accepting = True

    async def drain(self, timeout_s: float) -> None:
        """Stop accepting (new updates answer 503) and wait up to ``timeout_s`` for the accepted ones."""
        self._accepting = False
        if not self._pending:
            return
        log.info("webhook: finishing %d accepted updates before stopping", len(self._pending), extra=_EXTRA)
        _, late = await asyncio.wait(set(self._pending), timeout=timeout_s)
        if late:
            log.warning(
                "webhook: %d accepted updates still running after %.0f s; cancelled",
                len(late),
                timeout_s,
                extra=_EXTRA,
            )
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
