"""``TelegramBot``: the component the composition root runs (name ``telegram``).

Polling by default (one consumer per token). In webhook mode the update route is mounted on the
shared HTTP server (``telegram.webhook_path``; :mod:`bot.telegram.webhook` checks the secret and
acknowledges an update once accepted)
and ``setWebhook`` is called at start, so several replicas can sit behind a load balancer; their
conversation state lives in PostgreSQL (:class:`~bot.telegram.fsm_storage.PostgresStorage`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError

from bot.config import Config
from bot.db.types import Pool
from bot.errors import ConfigError
from bot.metrics import Metrics
from bot.ratelimit import Budget
from bot.services.container import Services
from bot.telegram.client import make_bot
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.fsm_storage import PostgresStorage
from bot.telegram.menus import CommandMenus
from bot.telegram.webhook import WebhookUpdates
from bot.web.server import HttpServer

log = logging.getLogger(__name__)
_EXTRA = {"platform": "telegram"}
#: how long a stopping webhook replica waits for the updates it already acknowledged
_DRAIN_TIMEOUT_S = 25.0


class TelegramBot:
    name = "telegram"

    def __init__(
        self,
        config: Config,
        pool: Pool,
        services: Services,
        metrics: Metrics,
        http: HttpServer | None = None,
        *,
        polling_timeout_s: int = 10,
        send_budget: Budget | None = None,
    ) -> None:
        self._config = config.telegram
        self.bot: Bot = make_bot(self._config, budget=send_budget)
        self.menus = CommandMenus(pool, config, services.help, services.language.catalogs)
        self._max_concurrent = config.limits.max_concurrent_updates
        self.dispatcher: Dispatcher = build_dispatcher(
            services,
            self.menus,
            PostgresStorage(pool),
            metrics,
            max_concurrent_updates=self._max_concurrent,
        )
        self._polling_timeout_s = polling_timeout_s
        self.ready = asyncio.Event()
        self.webhook: WebhookUpdates | None = None
        if self._config.mode == "webhook":
            if http is None:
                raise ConfigError('telegram.mode = "webhook" needs the HTTP server (http.enabled = true)')
            secret = self._config.webhook_secret
            self.webhook = WebhookUpdates(
                self.dispatcher,
                self.bot,
                None if secret is None else secret.get_secret_value(),
                # accepted but not yet handled; beyond this Telegram is told to retry (503)
                max_pending=4 * self._max_concurrent,
            )
            self.webhook.register(http.app, self._config.webhook_path)

    async def run(self) -> None:
        try:
            me = await self.bot.get_me()
            log.info(
                "telegram bot @%s (%s) starting in %s mode",
                me.username,
                me.id,
                self._config.mode,
                extra=_EXTRA,
            )
            await self._install_menus()
            if self._config.mode == "webhook":
                await self._run_webhook()
            else:
                await self._run_polling()
        finally:
            await self.bot.session.close()

    async def _run_polling(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=self._polling_timeout_s,
                # no more updates fetched while this many are being handled
                tasks_concurrency_limit=self._max_concurrent,
            ),
            name="telegram-polling",
        )
        self.ready.set()
        try:
            await asyncio.shield(polling)
        finally:
            # aiogram leaves its polling loop running when start_polling is cancelled: stop it properly
            if not polling.done():
                try:
                    await asyncio.wait_for(self.dispatcher.stop_polling(), 10)
                except (RuntimeError, TimeoutError):
                    polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling

    async def _install_menus(self) -> None:
        try:
            await self.menus.install(self.bot)
        except TelegramAPIError as exc:  # menus are a convenience; the bot works without them
            log.warning("could not register the command menus: %s", exc, extra=_EXTRA)

    async def _run_webhook(self) -> None:
        assert self._config.webhook_url is not None and self._config.webhook_secret is not None
        assert self.webhook is not None
        self.webhook.open()
        try:
            await self.bot.set_webhook(
                str(self._config.webhook_url),
                secret_token=self._config.webhook_secret.get_secret_value(),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
            log.info("telegram webhook set to %s", self._config.webhook_url, extra=_EXTRA)
            self.ready.set()
            await asyncio.Event().wait()  # updates arrive through the HTTP server until cancelled
        finally:
            # every update answered 200 is handled before the session closes (the others got 503)
            await self.webhook.drain(timeout_s=_DRAIN_TIMEOUT_S)
