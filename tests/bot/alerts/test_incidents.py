"""Item 3: one cause hitting many watched nodes in one cycle is one incident: each owner gets one
message naming it and listing their nodes; the admin channel one summary with counts."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from bot.alerts.engine import AlertEngine
from bot.db.types import Pool
from bot.domain.status import CycleReport, NodeStatus, Observation
from tests.bot.alerts.conditions_scenarios import healthy, network
from tests.bot.alerts.helpers import T0, alert_config, notifications
from tests.helpers import make_node, make_user

MODEL = "Qwen/QwQ-32B"
OTHER = "moonshotai/Kimi-K2"


def _report(observations: list[Observation], minute: int) -> CycleReport:
    at = T0 + timedelta(minutes=minute)
    return CycleReport(
        started_at=at - timedelta(seconds=1),
        finished_at=at,
        observations=tuple(observations),
        sources=(),
        epoch_id=105,
        network=network(at),
        network_weight=1000 * 400,
    )


def invalid(node_id: UUID, minute: int) -> Observation:
    at = T0 + timedelta(minutes=minute)
    return healthy(
        node_id,
        at,
        status=NodeStatus.UNHEALTHY,
        reason="invalid inferences",
        chain_status="INVALID",
        models=(MODEL,),
    )


async def test_a_model_group_knocked_out_is_one_message_per_owner_and_one_admin_summary(
    pool: Pool, db_url: str
) -> None:
    engine = AlertEngine(alert_config(db_url))  # admin chat -1001; incident_min_nodes 10
    owners = [await make_user(pool, telegram=str(1000 + i)) for i in range(50)]
    hit = [(await make_node(pool, f"qwq-{i:03d}", owner=owners[i // 4].id)).id for i in range(200)]
    spared = [(await make_node(pool, f"kimi-{i:02d}", owner=owners[i].id)).id for i in range(20)]

    def cycle(minute: int, failing: bool) -> list[Observation]:
        at = T0 + timedelta(minutes=minute)
        obs = [invalid(n, minute) if failing else healthy(n, at, models=(MODEL,)) for n in hit]
        return obs + [healthy(n, at, models=(OTHER,)) for n in spared]

    for minute, failing in ((0, False), (1, True), (2, True)):
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, _report(cycle(minute, failing), minute))

    rows = await notifications(pool)
    per_target: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        per_target.setdefault(r["target_id"], []).append(r)
    assert len(per_target) == 51  # 50 owners and the admin chat
    for i in range(len(owners)):
        (msg,) = per_target[str(1000 + i)]
        payload = msg["payload"]
        assert msg["kind"] == "node_incident"
        assert payload["title"] == f"Incident: Chain status: nodes serving {MODEL}: 200 nodes"
        text = str(payload)
        mine = [f"qwq-{j:03d}" for j in range(4 * i, 4 * i + 4)]
        assert all(name in text for name in mine) and "Your affected nodes (4)" in text
        assert "qwq-" + f"{(4 * i + 4) % 200:03d}" not in text  # only their own nodes
        assert "INVALID" in text and "What to do" in text
    (summary,) = per_target["-1001"]
    text = str(summary["payload"])
    assert summary["kind"] == "node_incident"
    assert "Nodes hit: 200" in text and "Owners told: 50" in text and "50.0 %" in text
    assert "qwq-000" not in text  # counts, not a line per node


async def test_a_few_nodes_failing_together_are_no_incident(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, incident_weight_share=0.5))
    owner = await make_user(pool, telegram="7")
    nodes = [(await make_node(pool, f"rig-{i}", owner=owner.id)).id for i in range(3)]
    for minute, failing in ((0, False), (1, True)):
        at = T0 + timedelta(minutes=minute)
        obs = [invalid(n, minute) if failing else healthy(n, at) for n in nodes]
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, _report(obs, minute))
    assert sorted(r["kind"] for r in await notifications(pool)) == ["node_alert", "node_alert"]
    (mine,) = await notifications(pool, target_id="7")
    assert mine["payload"]["title"] == "3 nodes need attention"


async def _two_cycles(
    pool: Pool, db_url: str, failing: list[Observation], healthy_first: list[Observation]
) -> None:
    engine = AlertEngine(alert_config(db_url))
    for minute, obs in ((0, healthy_first), (1, failing)):
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, _report(obs, minute))


async def test_one_exclusion_reason_over_many_nodes_is_one_incident(pool: Pool, db_url: str) -> None:
    owner = await make_user(pool, telegram="8")
    nodes = [(await make_node(pool, f"rig-{i:02d}", owner=owner.id)).id for i in range(12)]
    t1 = T0 + timedelta(minutes=1)
    excluded = [
        healthy(
            n, t1, status=NodeStatus.OFFLINE, excluded_reason="failed_confirmation_poc", models=(f"m{i}",)
        )
        for i, n in enumerate(nodes)
    ]
    await _two_cycles(
        pool, db_url, excluded, [healthy(n, T0, models=(f"m{i}",)) for i, n in enumerate(nodes)]
    )
    (mine,) = await notifications(pool, target_id="8")
    assert mine["payload"]["title"] == "Incident: Excluded from the epoch (failed_confirmation_poc): 12 nodes"
    (summary,) = await notifications(pool, target_id="-1001")
    assert "Nodes hit: 12" in str(summary["payload"]) and "Owners told: 1" in str(summary["payload"])


async def test_a_condition_on_a_large_share_of_the_weight_is_one_incident(pool: Pool, db_url: str) -> None:
    owner = await make_user(pool, telegram="9")
    nodes = [(await make_node(pool, f"big-{i}", owner=owner.id)).id for i in range(3)]
    t1 = T0 + timedelta(minutes=1)
    jailed = [
        healthy(n, t1, status=NodeStatus.JAILED, reason="validator jailed", weight=30_000, models=(f"m{i}",))
        for i, n in enumerate(nodes)
    ]
    await _two_cycles(pool, db_url, jailed, [healthy(n, T0, weight=30_000) for n in nodes])
    (mine,) = await notifications(pool, target_id="9")
    # 90,000 of the network's 400,000: more than the default 10 %
    assert mine["payload"]["title"] == "Incident: Jailed across the network: 3 nodes"
    assert "22.5 % of the network's weight" in str(mine["payload"])
