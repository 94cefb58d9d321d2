"""The aiogram ``Dispatcher``: the feature routers, the one error handler, the shared dependencies."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage

from bot.metrics import Metrics
from bot.services.container import Services
from bot.telegram.actor_middleware import ResolveActor
from bot.telegram.errors import on_error
from bot.telegram.identity_middleware import SharedSenders
from bot.telegram.input_middleware import CleanInput
from bot.telegram.menus import CommandMenus
from bot.telegram.metrics_middleware import CommandMetrics
from bot.telegram.private_answers import PrivateAnswers
from bot.telegram.routers import all_routers
from bot.telegram.throttle_middleware import ThrottleUpdates


def build_dispatcher(
    services: Services,
    menus: CommandMenus,
    storage: BaseStorage,
    metrics: Metrics,
    *,
    max_concurrent_updates: int = 32,
) -> Dispatcher:
    """Handlers receive ``services`` and ``menus`` by name (aiogram's workflow data). Every update
    passes the per-person limits and the concurrency bound first."""
    dp = Dispatcher(storage=storage, services=services, menus=menus)
    # ahead of the conversation state (a database read per update): a refused update costs nothing
    dp.update.outer_middleware.unregister(dp.fsm)
    dp.update.outer_middleware(ThrottleUpdates(services.throttle, max_concurrent_updates, services.language))
    dp.update.outer_middleware(dp.fsm)
    dp.message.outer_middleware(CleanInput())
    dp.callback_query.outer_middleware(CleanInput())
    dp.message.outer_middleware(CommandMetrics(metrics))
    dp.callback_query.outer_middleware(CommandMetrics(metrics))
    # no one person behind it (anonymous admin, channel, automatic forward, bot): refused before handlers
    dp.message.outer_middleware(SharedSenders())
    dp.callback_query.outer_middleware(SharedSenders())
    # codes, emails and request details are answered in the sender's private chat (CommandSpec.private_only)
    dp.message.outer_middleware(PrivateAnswers())
    # inner: once a handler took the update, who sent it is resolved once and handed to it as ``actor``
    dp.message.middleware(ResolveActor())
    dp.callback_query.middleware(ResolveActor())
    dp.errors.register(on_error)
    dp.include_routers(*all_routers())
    return dp
