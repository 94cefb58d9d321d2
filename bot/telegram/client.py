"""The aiogram ``Bot``: pointed at ``telegram.api_base``, bounded timeouts, ``retry_after`` honoured,
a Bot API 5xx retried a few times with a short backoff (a reply must not be lost to one 502), and the
answer types aiogram parses into kept alive (:class:`PinnedResponseTypes`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.config import TelegramConfig
from bot.ratelimit import Budget, ChatLimiters, Priority, SendBudget

log = logging.getLogger(__name__)

_COUNTED_PREFIXES = ("Send", "Edit", "Copy", "Forward")
#: replies one chat may get at once before its 1/s applies (a command answered in a few parts)
REPLY_BURST = 3


class FloodControl(BaseRequestMiddleware):
    """Keeps every message sent under the global send rate (as a reply: ahead of alert delivery) and
    each chat's rate (``chats``: a short burst, then Telegram's 1/s; a person typing twenty commands
    in a second gets their answers paced instead of 429s that waste the budget), retries a 429 after
    its ``retry_after`` and a 5xx (Telegram's side failed: nothing was done) after
    ``server_error_backoff_s`` doubling."""

    def __init__(
        self,
        global_rate_per_s: float,
        *,
        budget: Budget | None = None,
        chats: ChatLimiters | None = None,
        max_retries: int = 3,
        max_wait_s: float = 60.0,
        server_error_backoff_s: float = 0.5,
    ) -> None:
        # the process-wide send budget when given (shared with alert delivery), else one of its own
        self.budget: Budget = budget if budget is not None else SendBudget(global_rate_per_s)
        self._chats = chats
        self._max_retries = max_retries
        self._max_wait_s = max_wait_s
        self._backoff_s = server_error_backoff_s

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 0
        while True:
            if counts_against_send_rate(method):
                to = getattr(method, "chat_id", None)
                if self._chats is not None and isinstance(to, int) and attempt == 0:
                    await self._chats.acquire(to)
                await self.budget.acquire(Priority.REPLY)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self._max_retries or exc.retry_after > self._max_wait_s:
                    raise
                delay = float(exc.retry_after)
                why = "flood control"
            except TelegramServerError:
                if attempt >= self._max_retries:
                    raise
                delay = self._backoff_s * 2**attempt
                why = "server error"
            attempt += 1
            chat: Any = getattr(method, "chat_id", None)
            log.warning(
                "telegram %s on %s: retrying in %.1f s",
                why,
                type(method).__name__,
                delay,
                extra={"platform": "telegram", "chat": chat},
            )
            await asyncio.sleep(delay)


class PinnedResponseTypes(BaseRequestMiddleware):
    """Holds every ``Response[T]`` that aiogram validates answers with.

    aiogram parametrises ``Response[method.__returning__]`` for every answer. pydantic 2 caches a
    parametrised generic only weakly, and a class lives in reference cycles, so each cyclic garbage
    collection dropped them and the next answer rebuilt the model and its schema from scratch, on the
    event loop (docs/performance.md has what it cost). There are as many types as
    Bot API methods in use, so holding them costs a few classes.
    """

    def __init__(self) -> None:
        self._pinned: dict[Any, type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._pinned:
            self._pinned[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


def counts_against_send_rate(method: TelegramMethod[Any]) -> bool:
    """Whether Telegram counts ``method`` as a message sent (sends, edits, copies, forwards); reads,
    ``getUpdates``, ``answerCallbackQuery``, chat actions and deletes do not."""
    name = type(method).__name__
    return name.startswith(_COUNTED_PREFIXES) and name != "SendChatAction"


def make_session(config: TelegramConfig) -> AiohttpSession:
    """A session on ``config.api_base`` with the request timeout, keeping answer types alive."""
    base = str(config.api_base).rstrip("/")
    session = AiohttpSession(api=TelegramAPIServer.from_base(base), timeout=config.request_timeout_s)
    session.middleware(PinnedResponseTypes())
    return session


def make_bot(config: TelegramConfig, *, budget: Budget | None = None) -> Bot:
    """The real client for ``config`` (its token must be set); ``budget`` is the shared send limiter."""
    assert config.token is not None
    session = make_session(config)
    chats = ChatLimiters(config.per_chat_rate_per_s, config.per_group_rate_per_min, burst=REPLY_BURST)
    session.middleware(FloodControl(config.global_rate_per_s, budget=budget, chats=chats))
    return Bot(
        config.token.get_secret_value(), session=session, default=DefaultBotProperties(parse_mode="HTML")
    )
