"""The composition root: the one place that builds everything and runs it.

``run(config)`` resolves the database (configured URL or the embedded server), applies migrations,
opens the pool, builds each configured component and runs them all in one TaskGroup until SIGTERM or
SIGINT, each under the :class:`~bot.supervisor.Supervisor` (a failing component is restarted with
backoff while the others run). A component is anything with a ``name`` and an ``async run()`` that
works until cancelled and cleans up in ``finally`` (returning in-flight work to the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from contextlib import AsyncExitStack

from bot.alerts.components import ComponentAlerts
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.alerts.metrics import AlertMetrics
from bot.alerts.startup import StartupAnnouncement
from bot.config import Config
from bot.digests.scheduler import Digests
from bot.i18n.catalogs import Catalogs
from bot.looplag import LoopLagMonitor
from bot.poller.metrics import PollerMetrics
from bot.poller.poller import Poller
from bot.poller.probes import ProbeFactsCollector, ProbeMetrics, ProbeStep
from bot.pruner import Pruner
from bot.quiet_hours.folder import QuietHoursFolder
from bot.resources import Resources, open_resources
from bot.services.container import Services
from bot.supervisor import Component, Supervisor
from bot.web.server import HttpServer

log = logging.getLogger(__name__)

GIL_SWITCH_INTERVAL_S = 0.001


def build_components(
    res: Resources, stack: AsyncExitStack, supervisor: Supervisor | None = None
) -> list[Component]:
    """Every component this configuration asks for; a platform with no token is not started."""
    cfg = res.config
    components: list[Component] = [LoopLagMonitor(res.metrics)]
    report = None if supervisor is None else supervisor.report
    http = (
        HttpServer(cfg.http.host, cfg.http.port, res.pool, res.metrics, components=report)
        if cfg.http.enabled
        else None
    )
    if http is not None:
        components.append(http)
    alert_metrics = AlertMetrics(res.metrics.registry)
    trackers = cfg.trackers
    registry = res.metrics.registry
    # per-host probes and chain look-ups (conditions e-h): run by the poller, read by the engine
    probes = ProbeStep(trackers, res.pool, ProbeMetrics(registry)) if trackers.probes.enabled else None
    catalogs = Catalogs()  # every language's messages, compiled once: alerts, replies, digests
    engine = AlertEngine(
        cfg, alert_metrics, collectors=[ProbeFactsCollector(probes)] if probes else (), catalogs=catalogs
    )
    if trackers.hyperfusion.enabled or trackers.gonka_api.enabled or trackers.hashiro.enabled:
        components.append(
            Poller(trackers, res.pool, res.dsn, PollerMetrics(registry), observer=engine, probes=probes)
        )
    else:
        log.warning("every tracker source is disabled: the poller is not started")
    if cfg.retention.enabled:
        components.append(Pruner(res.pool, cfg.retention))
    # the command core both chat frontends call (built once, shared)
    services = Services.build(res.pool, cfg, catalogs=catalogs)
    stack.push_async_callback(services.aclose)
    platforms: list[str] = []
    if cfg.telegram.token is None:
        log.info("telegram.token not set: the Telegram bot is not started", extra={"platform": "telegram"})
    else:
        from bot.alerts.delivery.telegram import TelegramSender, send_budget  # aiogram: only when used
        from bot.telegram.component import TelegramBot

        # replies and alerts share one send budget, so together they stay under Telegram's ~30/s
        budget = send_budget(cfg.telegram, res.pool)  # and with the other replicas, via PostgreSQL
        components.append(TelegramBot(cfg, res.pool, services, res.metrics, http, send_budget=budget))
        sender = TelegramSender(cfg.telegram, budget=budget)
        components.append(DeliveryWorker(res.pool, sender, cfg.alerts, alert_metrics))
        platforms.append("telegram")
    if cfg.discord.token is None:
        log.info("discord.token not set: the Discord bot is not started", extra={"platform": "discord"})
    else:
        from bot.alerts.delivery.discord import DiscordSender
        from bot.discord.component import DiscordBot

        components.append(DiscordBot(cfg, res.pool, services, res.metrics))
        components.append(DeliveryWorker(res.pool, DiscordSender(cfg.discord), cfg.alerts, alert_metrics))
        platforms.append("discord")
    if platforms and cfg.digest.enabled:
        components.append(Digests(res.pool, cfg.digest, catalogs=services.language.catalogs))
    if platforms:
        components.append(QuietHoursFolder(res.pool, catalogs=services.language.catalogs))
    if platforms and cfg.alerts.send_startup_message:
        components.append(StartupAnnouncement(res.pool, cfg, platforms))
    return components


def freeze_startup_heap() -> int:
    """Move everything imported and built so far out of the cyclic GC's reach (``gc.freeze``).

    Those objects live as long as the process; left in the oldest generation, each full collection
    walked all of them, pausing every command and send (docs/performance.md has the measurement).
    Garbage is collected first so that none of it is frozen. Returns the number of objects frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("startup heap frozen: %d objects kept out of garbage collection", frozen)
    return frozen


class _Stop(Exception):
    """Raised inside the TaskGroup to end it on a signal."""


async def run_components(components: list[Component], stop: asyncio.Event, supervisor: Supervisor) -> None:
    """Run every component under ``supervisor`` (plus its alert watch) until ``stop`` is set."""

    async def watch_stop() -> None:
        await stop.wait()
        raise _Stop

    supervisor.register([c.name for c in components])
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(watch_stop(), name="stop-watcher")
            tg.create_task(supervisor.watch(), name="supervisor-watch")
            for component in components:
                tg.create_task(supervisor.supervise(component), name=component.name)
    except* _Stop:
        log.info("stopped")


async def run(config: Config, *, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGTERM/SIGINT (or until ``stop`` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        res = await stack.enter_async_context(open_resources(config))
        res.metrics.up.set(1)
        supervisor = Supervisor(config.components, res.metrics, alert=ComponentAlerts(res.pool, config))
        components = build_components(res, stack, supervisor)
        freeze_startup_heap()
        # a worker thread holding the GIL (mapping 10,000 nodes, drawing a chart) hands it back to
        # the event loop after this long: at the default 5 ms every await paid up to 5 ms meanwhile
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        log.info("starting: %s", ", ".join(c.name for c in components) or "nothing to run")
        await run_components(components, stop, supervisor)
