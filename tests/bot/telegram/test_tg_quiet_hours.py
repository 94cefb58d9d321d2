"""Quiet hours on Telegram, end to end through the alert engine and the delivery worker: three offline
alerts inside the window are held and arrive as one message when it ends; a jail alert inside the
window goes at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import Config
from bot.domain.status import CycleReport, NodeStatus, Observation
from bot.quiet_hours.folder import QuietHoursFolder
from tests.bot.telegram.conftest import USER_TG, Tg
from tests.helpers import give_node, wallet


async def cycle(tg: Tg, config: Config, statuses: dict[UUID, NodeStatus], at: datetime) -> None:
    report = CycleReport(
        started_at=at - timedelta(seconds=1),
        finished_at=at,
        observations=tuple(
            Observation(node_id=n, status=s, reason=None, source="hyperfusion", observed_at=at, epoch_id=105)
            for n, s in statuses.items()
        ),
        sources=(),
        epoch_id=105,
    )
    async with tg.pool.acquire() as conn, conn.transaction():
        await AlertEngine(config).on_cycle(conn, report)


async def test_three_offline_alerts_wait_for_the_morning_and_a_jail_does_not(tg: Tg) -> None:
    config = tg.config.model_copy(
        update={"alerts": tg.config.alerts.model_copy(update={"confirm_polls": {"offline": 1}})}
    )
    await tg.user("op@example.com", telegram=USER_TG)
    nodes = [await give_node(tg.pool, "op@example.com", wallet(i), f"rig-{i}") for i in range(1, 5)]
    now = datetime.now(UTC)
    window = f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"
    assert "node alerts are held" in (await tg.reply(USER_TG, f"/quiet {window} UTC")).text
    t = now - timedelta(minutes=10)
    await cycle(tg, config, dict.fromkeys(nodes, NodeStatus.HEALTHY), t)  # silent baseline
    worker = DeliveryWorker(tg.pool, TelegramSender(config.telegram), config.alerts)
    task = asyncio.create_task(worker.run())
    try:
        for i, node in enumerate(nodes[:3], start=1):  # three cycles, three offline alerts
            await cycle(tg, config, {node: NodeStatus.OFFLINE}, t + timedelta(minutes=i))
        await cycle(tg, config, {nodes[3]: NodeStatus.JAILED}, t + timedelta(minutes=4))
        jail = (await tg.fake.wait_sent(USER_TG, 2))[-1]  # the /quiet answer, then the jail alert
        assert "rig-4" in jail.text and "jailed" in jail.text.lower()
        await asyncio.sleep(1.0)
        assert len(tg.fake.sent_to(USER_TG)) == 2  # the offline ones are held
        # the window ends
        ended = QuietHoursFolder(tg.pool, clock=lambda: datetime.now(UTC) + timedelta(hours=1, minutes=1))
        assert await ended.fold_due() == 1
        morning = (await tg.fake.wait_sent(USER_TG, 3))[-1]
        assert "quiet hours" in morning.text.lower() and "(3 held)" in morning.text
        assert all(f"rig-{i}" in morning.text for i in (1, 2, 3))
        await asyncio.sleep(0.5)
        assert len(tg.fake.sent_to(USER_TG)) == 3
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
