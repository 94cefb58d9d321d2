"""Sending outbox messages to Telegram through aiogram's real :class:`~aiogram.Bot`.

Rates: the bot's send budget at ``telegram.global_rate_per_s`` (no one-second window over it, all
replicas together; alerts paced evenly, command replies go first and together, alerts keep at least a
quarter when both wait; :func:`send_budget`);
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
import math
import os
import socket
import time
import uuid

import asyncpg
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

from bot.alerts.delivery.base import (
    ChatMoved,
    PermanentError,
    RetryLater,
    SendFailed,
    SendResult,
    TargetGone,
    TransientError,
)
from bot.config import TelegramConfig
from bot.db.send_budget import take_slot
from bot.db.types import Pool
from bot.domain.numbers import parse_uint
from bot.domain.platforms import Platform, Target
from bot.ratelimit import IDLE_EVICT_S, Budget, ChatLimiters, Priority, SendBudget, SharedSendBudget
from bot.render.message import OutgoingMessage
from bot.render.telegram import TelegramChunk, render
from bot.telegram.client import make_session

log = logging.getLogger(__name__)

__all__ = ["IDLE_EVICT_S", "ChatLimiters", "SharedSlots", "TelegramSender", "send_budget"]

#: 400 descriptions that mean the chat itself is unreachable, not this message
_GONE_400 = ("chat not found", "user not found", "peer_id_invalid", "bot was kicked", "not enough rights")


def send_budget(config: TelegramConfig, pool: Pool | None = None) -> Budget:
    """The Telegram send budget, shared by alert delivery and command replies (replies first; see
    :mod:`bot.ratelimit`) and, with a ``pool`` and ``telegram.shared_send_budget``, by every replica on
    the same token (through PostgreSQL)."""
    local = SendBudget(config.global_rate_per_s)
    if pool is None or not config.shared_send_budget or config.token is None:
        return local
    bot_id = int(config.token.get_secret_value().split(":", 1)[0])
    slots = SharedSlots(pool, bot_id, local.window_s, margin_s=config.replica_window_margin_s)
    return SharedSendBudget(local, slots)


class SharedSlots:
    """Slots of the window every replica shares (:func:`bot.db.send_budget.take_slot`).

    When the database cannot answer, the send goes ahead on this process's own budget (a failover
    must not stop alerts; Telegram's 429s, honoured, cover a short excess) and that is logged, at
    most once a minute."""

    def __init__(self, pool: Pool, bot_id: int, window_s: float, *, margin_s: float = 0.0) -> None:
        self._pool = pool
        self._bot_id = bot_id
        self._window_s = window_s
        self._margin_s = margin_s
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._warned_at = -math.inf

    async def __call__(self, room: int) -> float:
        try:
            answer = await take_slot(
                self._pool, self._bot_id, room, self._window_s, owner=self._owner, margin_s=self._margin_s
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            now = time.monotonic()
            if now - self._warned_at >= 60:
                self._warned_at = now
                log.warning(
                    "shared send budget unavailable (%s): sending on this replica's own budget",
                    exc,
                    extra={"platform": "telegram"},
                )
            return 0.0
        return answer.wait_s


class TelegramSender:
    platform: Platform = "telegram"

    def __init__(
        self, config: TelegramConfig, *, bot: Bot | None = None, budget: Budget | None = None
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
        target: Target,
        message: OutgoingMessage,
        *,
        reply_to: str | None = None,
        skip_parts: int = 0,
        dm_channel_id: str | None = None,
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
            raise ChatMoved(str(exc.migrate_to_chat_id)) from exc
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
