"""Sending outbox messages to Telegram through aiogram's real :class:`~aiogram.Bot`.

Rates: the process-wide :class:`~bot.ratelimit.SendBudget` at ``telegram.global_rate_per_s`` (no
one-second window over it; alerts paced evenly, command replies go first and together, alerts keep at
least a quarter when both wait);
1/s per chat (aiolimiter); for groups
(negative chat ids) also ``telegram.per_group_rate_per_min``. Per-chat limiters idle for two minutes
are evicted. A 429 pauses every send of this bot for ``retry_after`` (no request goes out during the
wait) and the row goes back to the outbox for that time. Messages are rendered by
:mod:`bot.render.telegram` (HTML, escaped, split on line boundaries within 4096); the buttons ride on
the last part.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from aiolimiter import AsyncLimiter

from bot.alerts.delivery.base import (
    DeliveryTarget,
    PermanentError,
    Platform,
    RetryLater,
    SendFailed,
    SendResult,
    TargetGone,
    TransientError,
)
from bot.config import TelegramConfig
from bot.domain.numbers import parse_uint
from bot.ratelimit import Priority, SendBudget
from bot.render.message import OutgoingMessage
from bot.render.telegram import TelegramChunk, render
from bot.telegram.client import make_session

log = logging.getLogger(__name__)

IDLE_EVICT_S = 120.0
_EVICT_EVERY = 512
#: 400 descriptions that mean the chat itself is unreachable, not this message
_GONE_400 = ("chat not found", "user not found", "peer_id_invalid", "bot was kicked", "not enough rights")


class ChatLimiters:
    """Per-chat limiters (1/s; groups also N/min), created on demand and evicted when idle."""

    def __init__(self, per_chat_per_s: float, per_group_per_min: float) -> None:
        self._per_chat = per_chat_per_s
        self._per_group = per_group_per_min
        self._limiters: dict[int, tuple[list[AsyncLimiter], float]] = {}
        self._uses = 0

    def __len__(self) -> int:
        return len(self._limiters)

    async def acquire(self, chat_id: int) -> None:
        now = time.monotonic()
        self._uses += 1
        if self._uses % _EVICT_EVERY == 0:
            self.evict(now)
        entry = self._limiters.get(chat_id)
        if entry is None:
            limiters = [AsyncLimiter(1, 1.0 / self._per_chat)]
            if chat_id < 0:
                limiters.append(AsyncLimiter(self._per_group, 60.0))
        else:
            limiters = entry[0]
        self._limiters[chat_id] = (limiters, now)
        for limiter in limiters:
            await limiter.acquire()
        self._limiters[chat_id] = (limiters, time.monotonic())

    def evict(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        idle = [c for c, (_, used) in self._limiters.items() if now - used > IDLE_EVICT_S]
        for chat_id in idle:
            del self._limiters[chat_id]
        return len(idle)


def send_budget(config: TelegramConfig) -> SendBudget:
    """The process-wide Telegram send budget, shared by alert delivery and command replies (replies
    first; see :mod:`bot.ratelimit`)."""
    return SendBudget(config.global_rate_per_s)


class TelegramSender:
    platform: Platform = "telegram"

    def __init__(
        self, config: TelegramConfig, *, bot: Bot | None = None, budget: SendBudget | None = None
    ) -> None:
        if bot is None:
            if config.token is None:
                raise ValueError("telegram.token is not set")
            bot = Bot(config.token.get_secret_value(), session=make_session(config))
        self.bot = bot
        self.budget = budget if budget is not None else send_budget(config)
        self.chats = ChatLimiters(config.per_chat_rate_per_s, config.per_group_rate_per_min)
        self._resume_at = 0.0
        self.rate_limited = 0

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        await self.bot.session.close()

    # ------------------------------------------------------------------ rate limiting
    def pause(self, seconds: float) -> None:
        """No request leaves until ``seconds`` from now (Telegram's retry_after)."""
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    async def _wait_pause(self) -> bool:
        waited = False
        while (delay := self._resume_at - time.monotonic()) > 0:
            waited = True
            await asyncio.sleep(delay)
        return waited

    async def _acquire(self, chat_id: int) -> None:
        await self._wait_pause()
        await self.chats.acquire(chat_id)
        while True:
            await self.budget.acquire(Priority.BULK)
            if not await self._wait_pause():
                return  # a pause that began while queued: take a fresh slot after it

    # ------------------------------------------------------------------ sending
    async def send(
        self,
        target: DeliveryTarget,
        message: OutgoingMessage,
        *,
        reply_to: str | None = None,
        skip_parts: int = 0,
    ) -> SendResult:
        try:
            chat_id = int(target.target_id)
        except ValueError:
            raise PermanentError(f"not a Telegram chat id: {target.target_id!r}") from None
        chunks = render(message.message)
        sent: list[str] = []
        for i, chunk in enumerate(chunks):
            if i < skip_parts:
                continue
            try:
                sent.append(await self._send_chunk(chat_id, chunk, reply_to if i == 0 else None))
            except SendFailed as exc:
                exc.sent = tuple(sent)
                raise
        return SendResult(tuple(sent))

    async def _send_chunk(self, chat_id: int, chunk: TelegramChunk, reply_to: str | None) -> str:
        await self._acquire(chat_id)
        markup = InlineKeyboardMarkup.model_validate(chunk.reply_markup) if chunk.reply_markup else None
        reply_id = parse_uint(reply_to)
        reply = (
            ReplyParameters(message_id=reply_id, allow_sending_without_reply=True)
            if reply_id is not None
            else None
        )
        try:
            msg = await self.bot.send_message(
                chat_id,
                chunk.text,
                parse_mode="HTML",
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramRetryAfter as exc:
            self.rate_limited += 1
            self.pause(exc.retry_after)
            raise RetryLater(float(exc.retry_after), "Telegram flood control") from exc
        except TelegramMigrateToChat as exc:
            raise PermanentError(f"the group became supergroup {exc.migrate_to_chat_id}") from exc
        except TelegramForbiddenError as exc:
            raise TargetGone(403, exc.message) from exc
        except TelegramEntityTooLarge as exc:
            raise PermanentError(exc.message) from exc
        except TelegramBadRequest as exc:
            if any(s in exc.message.lower() for s in _GONE_400):
                raise TargetGone(400, exc.message) from exc
            raise PermanentError(f"400: {exc.message}") from exc
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise TransientError(f"{exc.__class__.__name__}: {exc.message}") from exc
        except TelegramAPIError as exc:  # 401 (token), 404, 409 …: not this message's fault
            raise TransientError(f"{exc.__class__.__name__}: {exc.message}") from exc
        except TimeoutError as exc:
            raise TransientError("timeout") from exc
        return str(msg.message_id)
