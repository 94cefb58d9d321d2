"""The one interface every platform sender implements, and the errors it raises.

A sender renders a stored :class:`~bot.render.message.Message` for its platform (splitting long
messages), sends it with the platform's rate limits, and either returns the platform message ids or
raises exactly one of:

* :class:`RetryLater` — rate limited; nothing may be sent to the platform before ``retry_after``;
* :class:`TargetGone` — the platform says this chat can never be reached (blocked bot, closed DMs,
  deleted chat); the worker disables the target and records the failure;
* :class:`ChatMoved` — the chat has a new id: the worker moves its route and undelivered rows there;
* :class:`TransientError` — network error, timeout, 5xx: retried with backoff;
* :class:`PermanentError` — the platform refused this message (it would refuse it again).

Each carries ``sent``: ids of the parts of a split message that were delivered before the error, so a
retry sends only the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.platforms import Platform, Target
from bot.errors import DeliveryError
from bot.render.message import OutgoingMessage


class SendFailed(DeliveryError):
    def __init__(self, message: str, *, sent: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.sent = sent


class RetryLater(SendFailed):
    def __init__(
        self, retry_after: float, message: str = "rate limited", *, sent: tuple[str, ...] = ()
    ) -> None:
        super().__init__(f"{message} (retry after {retry_after:g}s)", sent=sent)
        self.retry_after = retry_after


class TargetGone(SendFailed):
    def __init__(self, code: int, message: str, *, sent: tuple[str, ...] = ()) -> None:
        super().__init__(f"{code}: {message}", sent=sent)
        self.code = code


class ChatMoved(SendFailed):
    """The chat has a new id (a Telegram group upgraded to a supergroup): send there instead."""

    def __init__(self, new_target_id: str, *, sent: tuple[str, ...] = ()) -> None:
        super().__init__(f"the chat moved to {new_target_id}", sent=sent)
        self.new_target_id = new_target_id


class TransientError(SendFailed):
    """Worth retrying later."""


class PermanentError(SendFailed):
    """Retrying would fail the same way."""


@dataclass(frozen=True, slots=True)
class SendResult:
    message_ids: tuple[str, ...]
    #: Discord: the DM channel opened for a user target (the worker caches it)
    dm_channel_id: str | None = None


class Sender(Protocol):
    platform: Platform

    async def start(self) -> None:
        """Open sessions (log in); called once by the worker before the first send."""

    async def send(
        self,
        target: Target,
        message: OutgoingMessage,
        *,
        reply_to: str | None = None,
        skip_parts: int = 0,
        dm_channel_id: str | None = None,
    ) -> SendResult:
        """Send the message (its parts from ``skip_parts`` on); ``reply_to`` is the platform id of the
        message to reply to, where the platform allows; ``dm_channel_id`` is the cached DM channel of a
        Discord user target."""

    async def close(self) -> None: ...
