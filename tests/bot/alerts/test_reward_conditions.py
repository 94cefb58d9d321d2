"""Conditions a-d, what each promises beyond the matrix: an exclusion once per epoch with only its
reason's true cost; the cPoC warning that becomes the loss; the early warning's configurable share;
a status explained by an exclusion is not told twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot.alerts.engine import AlertEngine
from bot.db.types import Pool
from bot.domain.status import CycleReport, NodeStatus, Observation
from tests.bot.alerts.conditions_scenarios import healthy, network
from tests.bot.alerts.helpers import T0, alert_config, notifications
from tests.helpers import make_node, make_user


class Run:
    def __init__(self, pool: Pool, engine: AlertEngine) -> None:
        self.pool, self.engine, self.minute = pool, engine, 0

    async def __call__(self, o: Observation, *, poc: bool = False) -> list[dict[str, Any]]:
        at = T0 + timedelta(minutes=self.minute)
        self.minute += 1
        o = replace(o, observed_at=at)
        before = len(await notifications(self.pool, target_id="1"))
        report = CycleReport(
            started_at=at, finished_at=at, observations=(o,), sources=(), epoch_id=o.epoch_id,
            network=replace(network(at, poc=poc), epoch_id=o.epoch_id),
        )  # fmt: skip
        async with self.pool.acquire() as conn, conn.transaction():
            await self.engine.on_cycle(conn, report)
        return (await notifications(self.pool, target_id="1"))[before:]


async def setup(pool: Pool, db_url: str, **alerts: Any) -> tuple[Run, Any]:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[], **alerts))
    user = await make_user(pool, telegram="1")
    node = await make_node(pool, "rig-1", owner=user.id)
    return Run(pool, engine), node.id


def excluded(node_id: Any, reason: str, epoch: int) -> Observation:
    why = f"excluded from epoch: {reason}"
    return healthy(node_id, T0, status=NodeStatus.OFFLINE, reason=why, excluded_reason=reason, epoch_id=epoch)


async def test_an_exclusion_is_told_once_per_epoch(pool: Pool, db_url: str) -> None:
    run, node = await setup(pool, db_url)
    assert await run(healthy(node, T0, epoch_id=105)) == []
    (alert,) = await run(excluded(node, "statistical_invalidations", 105))
    assert alert["payload"]["title"] == "Excluded from the epoch: rig-1"
    for _ in range(3):
        assert await run(excluded(node, "statistical_invalidations", 105)) == []
    (again,) = await run(excluded(node, "statistical_invalidations", 106))  # still out in the next epoch
    assert again["kind"] == "node_alert" and "epoch 106" in str(again["payload"])
    assert again["incident_ids"] != alert["incident_ids"]


async def test_an_exclusion_says_only_what_its_reason_costs(pool: Pool, db_url: str) -> None:
    run, node = await setup(pool, db_url)
    await run(healthy(node, T0, epoch_id=105))
    (cpoc,) = await run(excluded(node, "failed_confirmation_poc", 105))
    text = str(cpoc["payload"])
    assert "reward of this epoch is zeroed" in text and "Nothing is slashed" in text
    assert "reputation" not in text
    # and an offline status it explains is not told as well
    assert "Offline" not in cpoc["payload"]["title"] and len(cpoc["payload"]["lines"]) < 20
    (invalid,) = await run(excluded(node, "consecutive_failures", 106))
    text = str(invalid["payload"])
    assert "Collateral is slashed" in text and "reputation is reset" in text


async def test_a_low_cpoc_ratio_warns_then_tells_the_loss_when_final(pool: Pool, db_url: str) -> None:
    run, node = await setup(pool, db_url)
    await run(healthy(node, T0))
    low = healthy(node, T0, status=NodeStatus.UNHEALTHY, confirmation_poc_ratio=Decimal("0.4"))
    (warning,) = await run(low)
    assert warning["payload"]["title"] == "Low confirmation PoC (warning): rig-1"
    assert "can still recover" in str(warning["payload"]) and warning["payload"]["severity"] == "warning"
    assert await run(low) == []
    (final,) = await run(low, poc=True)  # the next PoC began: no confirmation PoC is left to lift it
    assert final["payload"]["title"] == "Low confirmation PoC: rig-1"
    assert final["reply_to_incident"] == warning["incident_ids"][0]  # a change of the open incident
    assert "ended the epoch" in str(final["payload"]) and final["payload"]["severity"] == "critical"


async def test_the_early_warning_share_is_configurable(pool: Pool, db_url: str) -> None:
    run, node = await setup(pool, db_url, llr_warning_share=0.8)
    await run(healthy(node, T0))
    assert await run(healthy(node, T0, inactive_llr=Decimal(75))) == []  # 75 % of 100: under 80 %
    (warning,) = await run(healthy(node, T0, inactive_llr=Decimal(85)))
    assert "inactiveLLR: 85 of 100 (85 %)" in str(warning["payload"])
    assert "makes the node INACTIVE" in str(warning["payload"])
