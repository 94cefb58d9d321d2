"""The delivery worker: one per platform, draining the outbox through a :class:`Sender`.

A worker claims due rows (``FOR UPDATE SKIP LOCKED`` with a lease it renews while sending), sends each
through the platform's sender, and records the outcome:

* OK → ``delivered`` with the platform message ids (recoveries reply to them);
* rate limited → back to ``pending`` at ``retry_after`` (the attempt does not count; the sender sends
  nothing to the platform meanwhile);
* network error / 5xx / an unexpected error → back to ``pending`` with exponential backoff, until
  ``alerts.outbox_max_attempts``, then ``failed`` with the last error;
* target gone (Telegram 403, Discord 50007, chat deleted) → the target is disabled in
  ``delivery_targets`` and the row ``failed`` with the reason; later rows to it fail unsent;
* refused (400) → ``failed`` with the reason.

Nothing is dropped silently: every row ends ``delivered`` or ``failed`` with ``last_error``. A row is
marked delivered only after the platform said OK, so a crash between the two re-sends it once (at
least once; duplicates are bounded by the rows in flight). On cancellation (SIGTERM) the worker stops
claiming, gives in-flight sends ``alerts.shutdown_grace_s`` to finish, and returns the rest to
``pending``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bot.alerts.delivery.base import (
    ChatMoved,
    PermanentError,
    RetryLater,
    Sender,
    TargetGone,
    TransientError,
)
from bot.alerts.metrics import AlertMetrics
from bot.config import AlertsConfig
from bot.db import outbox_claims as q
from bot.db import routes as routes_db
from bot.db.types import Pool
from bot.domain.platforms import Target
from bot.render.message import Message, OutgoingMessage

log = logging.getLogger(__name__)

WAKE_CHANNEL = "minegnk_outbox"
#: what a database outage or failover raises (TimeoutError is an OSError)
DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
#: first retry of a failed lease renewal or result write; doubles up to the heartbeat interval
HEARTBEAT_RETRY_BASE_S = 0.2
RECORD_RETRY_BASE_S = 0.2
RECORD_RETRY_MAX_S = 5.0


def worker_id(platform: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{platform}:{uuid.uuid4().hex[:6]}"


class DeliveryWorker:
    """A component: ``run()`` delivers until cancelled."""

    def __init__(
        self,
        pool: Pool,
        sender: Sender,
        config: AlertsConfig,
        metrics: AlertMetrics | None = None,
        *,
        worker: str | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        self.platform = sender.platform
        self.name = f"delivery-{self.platform}"
        self.worker = worker or worker_id(self.platform)
        self._pool = pool
        self._sender = sender
        self._cfg = config
        self._metrics = metrics
        self._max_in_flight = max_in_flight or config.outbox_batch_size
        self._in_flight: dict[uuid.UUID, asyncio.Task[None]] = {}
        #: rows claimed whose send has not finished (their outcome is not being recorded yet)
        self._sending: set[uuid.UUID] = set()
        self._wake = asyncio.Event()
        #: set once the first claim ran (tests and benchmarks wait for it)
        self.ready = asyncio.Event()

    # ------------------------------------------------------------------ the loop
    async def run(self) -> None:
        await self._sender.start()
        listener = await self._pool.acquire()
        heartbeat: asyncio.Task[None] | None = None
        try:
            await listener.add_listener(WAKE_CHANNEL, self._on_notify)
            heartbeat = asyncio.create_task(self._heartbeat(), name=f"{self.name}-heartbeat")
            log.info("delivery worker %s started", self.worker, extra={"platform": self.platform})
            while True:
                room = self._max_in_flight - len(self._in_flight)
                claimed = []
                if room > 0:
                    self._wake.clear()
                    try:
                        claimed = await q.claim(
                            self._pool,
                            self.platform,
                            self.worker,
                            room,
                            self._cfg.outbox_lease_s,
                            in_flight=list(self._in_flight),
                        )
                    except DB_ERRORS as exc:
                        log.warning("claiming failed (%s); retrying", exc, extra={"platform": self.platform})
                        await asyncio.sleep(self._cfg.outbox_poll_interval_s)
                        continue
                    for row in claimed:
                        self._sending.add(row.id)
                        task = asyncio.create_task(self._deliver(row), name=f"send-{row.id}")
                        self._in_flight[row.id] = task
                        task.add_done_callback(functools.partial(self._done, row.id))
                    self.ready.set()
                if claimed and len(claimed) == room:
                    continue  # more may be due: claim again as soon as there is room
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
                # lands as a NOTIFY wakes the worker, and the worker would never stop
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._cfg.outbox_poll_interval_s):
                        await self._wake.wait()
        finally:
            await self._shutdown(listener, heartbeat)

    def _on_notify(self, *_args: Any) -> None:
        self._wake.set()

    def _done(self, notification_id: uuid.UUID, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(notification_id, None)
        self._sending.discard(notification_id)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "delivery of notification %s ended with an error",
                notification_id,
                exc_info=task.exception(),
                extra={"platform": self.platform, "notification": str(notification_id)},
            )
        if len(self._in_flight) <= self._max_in_flight // 2:
            self._wake.set()

    async def _shutdown(self, listener: Any, heartbeat: asyncio.Task[None] | None) -> None:
        if heartbeat is not None:
            heartbeat.cancel()
        pending = list(self._in_flight.values())
        if pending:
            _done, still = await asyncio.wait(pending, timeout=self._cfg.shutdown_grace_s)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        try:
            released = await q.release(self._pool, self.worker)
        except DB_ERRORS as exc:
            released = 0
            log.warning("could not return in-flight notifications: %s (their lease expires)", exc)
        if released:
            log.info("returned %d in-flight notifications to the outbox", released)
        with contextlib.suppress(*DB_ERRORS):
            await listener.remove_listener(WAKE_CHANNEL, self._on_notify)
        await self._pool.release(listener)
        await self._sender.close()
        log.info("delivery worker %s stopped", self.worker, extra={"platform": self.platform})

    async def _heartbeat(self) -> None:
        """Renew the leases of rows in flight, whatever the database does; refresh the outbox gauges.

        A failed renewal (a failover drops the connection mid-query, a new primary refuses
        connections for a while) is logged and retried with a short capped backoff, so the leases
        are renewed as soon as the database answers again, before another worker may take them.
        Should a lease still have run out and another worker have taken the row over, the renewal
        says so (the row is not returned) and this worker abandons that send if it has not gone out."""
        every = min(max(self._cfg.outbox_lease_s / 3, 1.0), 5.0)
        loop = asyncio.get_running_loop()
        failures = 0
        last_renewed = loop.time()
        while True:
            ids = list(self._in_flight)
            try:
                kept = await q.renew(self._pool, ids, self.worker, self._cfg.outbox_lease_s)
            except DB_ERRORS as exc:
                failures += 1
                delay = min(HEARTBEAT_RETRY_BASE_S * 2.0 ** (failures - 1), every) * random.uniform(0.8, 1.2)
                log.warning(
                    "outbox lease renewal failed (%d in a row, %d rows in flight, renewed %.1fs ago, "
                    "lease %.0fs): %s: %s; retrying in %.1fs",
                    failures,
                    len(ids),
                    loop.time() - last_renewed,
                    self._cfg.outbox_lease_s,
                    exc.__class__.__name__,
                    exc,
                    delay,
                    extra={"platform": self.platform, "worker": self.worker},
                )
                await asyncio.sleep(delay)
                continue
            if failures:
                log.info(
                    "outbox lease renewal works again after %d failures (%.1fs)",
                    failures,
                    loop.time() - last_renewed,
                    extra={"platform": self.platform, "worker": self.worker},
                )
            failures = 0
            last_renewed = loop.time()
            self._abandon_lost(ids, kept)
            await self._refresh_gauges()
            await asyncio.sleep(every)

    def _abandon_lost(self, ids: list[uuid.UUID], kept: set[uuid.UUID]) -> None:
        """Rows whose lease another worker took over: that worker sends them; this one must not."""
        for notification_id in ids:
            task = self._in_flight.get(notification_id)
            if notification_id in kept or task is None or notification_id not in self._sending:
                continue
            self._sending.discard(notification_id)
            task.cancel()
            if self._metrics is not None:
                self._metrics.retries.labels(self.platform, "lease_lost").inc()
            log.warning(
                "lease of notification %s ran out and was taken over: its send here is abandoned",
                notification_id,
                extra={"platform": self.platform, "notification": str(notification_id)},
            )

    async def _refresh_gauges(self) -> None:
        if self._metrics is None:
            return
        try:
            depth = await q.depth(self._pool)
        except DB_ERRORS as exc:
            log.warning("outbox depth not refreshed: %s", exc, extra={"platform": self.platform})
            return
        count, oldest = depth.get(self.platform, (0, 0.0))
        self._metrics.outbox_depth.labels(self.platform).set(count)
        self._metrics.outbox_oldest_age.labels(self.platform).set(oldest)

    # ------------------------------------------------------------------ one row
    def _backoff(self, attempts: int) -> float:
        delay = min(
            self._cfg.retry_backoff_base_s * 2.0 ** max(attempts - 1, 0), self._cfg.retry_backoff_max_s
        )
        return delay * random.uniform(0.8, 1.2)

    async def _deliver(self, row: q.Claimed) -> None:
        extra = {"platform": self.platform, "chat": row.target_id, "notification": str(row.id)}
        if row.disabled_reason is not None:
            self._sending.discard(row.id)
            reason = f"target disabled: {row.disabled_reason}"
            await self._record(
                "failed", extra, lambda: q.mark_failed(self._pool, row.id, reason, list(row.message_ids))
            )
            self._count_failed("target_disabled")
            log.info("not sent: target disabled (%s)", row.disabled_reason, extra=extra)
            return
        target = Target(self.platform, "user" if row.target_kind == "user" else "channel", row.target_id)
        outgoing = OutgoingMessage(message=Message.model_validate(row.payload))
        sent = list(row.message_ids)
        try:
            result = await self._sender.send(
                target,
                outgoing,
                reply_to=row.reply_to_message_id,
                skip_parts=len(sent),
                dm_channel_id=row.dm_channel_id,
            )
        except RetryLater as exc:
            self._sending.discard(row.id)
            done, wait, error = sent + list(exc.sent), exc.retry_after, str(exc)
            await self._record("retry", extra, lambda: self._retry(row, done, wait, error, False))
            self._count_retry("rate_limited")
            log.info("rate limited, retry in %.1fs", exc.retry_after, extra=extra)
        except ChatMoved as exc:
            await self._shielded(self._moved(row, sent + list(exc.sent), exc.new_target_id))
            log.warning(
                "the chat moved to %s: route and undelivered rows follow", exc.new_target_id, extra=extra
            )
        except TargetGone as exc:
            self._sending.discard(row.id)
            done, gone = sent + list(exc.sent), exc
            await self._record("failed", extra, lambda: self._gone(row, done, gone))
            self._count_failed("target_gone")
            log.warning("target gone, disabled: %s", exc, extra=extra)
        except PermanentError as exc:
            self._sending.discard(row.id)
            done, reason = sent + list(exc.sent), f"refused: {exc}"
            await self._record("failed", extra, lambda: q.mark_failed(self._pool, row.id, reason, done))
            self._count_failed("refused")
            log.error("refused by the platform: %s", exc, extra=extra)
        except TransientError as exc:
            self._sending.discard(row.id)
            await self._transient(row, sent + list(exc.sent), str(exc), extra)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._sending.discard(row.id)
            log.exception("unexpected send error (will retry)", extra=extra)
            await self._transient(row, sent, f"{exc.__class__.__name__}: {exc}", extra)
        else:
            self._sending.discard(row.id)
            ids = sent + list(result.message_ids)
            await self._record("delivered", extra, lambda: self._delivered(row, ids, result.dm_channel_id))

    async def _transient(self, row: q.Claimed, sent: list[str], error: str, extra: dict[str, str]) -> None:
        if row.attempts >= self._cfg.outbox_max_attempts:
            reason = f"gave up after {row.attempts} attempts: {error}"
            await self._record("failed", extra, lambda: q.mark_failed(self._pool, row.id, reason, sent))
            self._count_failed("attempts_exhausted")
            log.error("gave up after %d attempts: %s", row.attempts, error, extra=extra)
            return
        delay = self._backoff(row.attempts)
        await self._record("retry", extra, lambda: self._retry(row, sent, delay, error, True))
        self._count_retry("transient")
        log.warning("send failed (%s), retry %d in %.1fs", error, row.attempts, delay, extra=extra)

    async def _record(self, outcome: str, extra: dict[str, str], write: Callable[[], Awaitable[Any]]) -> None:
        """Write a send's outcome, retrying through a database outage; runs to the end even if the
        worker is being cancelled (the send already happened).

        The row stays in flight meanwhile, so the heartbeat keeps its lease and nobody sends it
        again. After ``alerts.outbox_lease_s`` of failures the worker gives up (logged): the row is
        sent again once its lease runs out (at least once, never lost)."""
        await self._shielded(self._record_with_retries(outcome, extra, write))

    async def _record_with_retries(
        self, outcome: str, extra: dict[str, str], write: Callable[[], Awaitable[Any]]
    ) -> None:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._cfg.outbox_lease_s
        failures = 0
        while True:
            try:
                await write()
            except DB_ERRORS as exc:
                failures += 1
                if loop.time() >= give_up_at:
                    log.error(
                        "could not record %s after %d tries: %s: %s; the notification is sent again "
                        "when its lease runs out",
                        outcome,
                        failures,
                        exc.__class__.__name__,
                        exc,
                        extra=extra,
                    )
                    return
                delay = min(RECORD_RETRY_BASE_S * 2.0 ** (failures - 1), RECORD_RETRY_MAX_S)
                log.warning(
                    "could not record %s (try %d): %s: %s; retrying in %.1fs",
                    outcome,
                    failures,
                    exc.__class__.__name__,
                    exc,
                    delay,
                    extra=extra,
                )
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                continue
            if failures:
                log.info("recorded %s after %d failed tries", outcome, failures, extra=extra)
            return

    async def _retry(self, row: q.Claimed, sent: list[str], delay: float, error: str, count: bool) -> None:
        await q.reschedule(
            self._pool, row.id, self.worker, delay_s=delay, error=error, count_attempt=count, message_ids=sent
        )

    async def _gone(self, row: q.Claimed, sent: list[str], exc: TargetGone) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await q.disable_target(conn, self.platform, row.target_id, str(exc), exc.code)
            await q.mark_failed(conn, row.id, f"target gone: {exc}", sent)

    async def _moved(self, row: q.Claimed, sent: list[str], new_target: str) -> None:
        """The chat has a new id: its route and undelivered rows (this one first) go there, now."""
        async with self._pool.acquire() as conn, conn.transaction():
            await routes_db.move_route(conn, self.platform, row.target_id, new_target)
            await q.retarget(conn, self.platform, row.target_id, new_target, including=row.id)
            await q.reschedule(
                conn,
                row.id,
                self.worker,
                delay_s=0,
                error="chat moved",
                count_attempt=False,
                message_ids=sent,
            )

    async def _delivered(self, row: q.Claimed, ids: list[str], dm_channel_id: str | None) -> None:
        delivered_at = await q.mark_delivered(self._pool, row.id, ids)
        if dm_channel_id is not None and dm_channel_id != row.dm_channel_id:
            await q.set_dm_channel(self._pool, self.platform, row.target_id, dm_channel_id)
        if self._metrics is not None:
            self._metrics.sent.labels(self.platform, row.kind).inc()
            if row.detected_at is not None:
                end = delivered_at or datetime.now(UTC)
                self._metrics.latency.labels(self.platform).observe(
                    max((end - row.detected_at).total_seconds(), 0.0)
                )

    @staticmethod
    async def _shielded(coro: Any) -> None:
        """Record an outcome even if the worker is being cancelled (the send already happened)."""
        task = asyncio.ensure_future(coro)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            await task
            raise

    def _count_failed(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.failed.labels(self.platform, reason).inc()

    def _count_retry(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.retries.labels(self.platform, reason).inc()
