"""Item 5: a node already failing when its owner starts watching it (a new assignment, a new link)
is told once, to that owner only; the bot's first start over an existing fleet stays silent."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from bot.alerts.engine import AlertEngine
from bot.db import users as users_db
from bot.db.nodes import assign_node
from bot.db.types import Pool
from tests.bot.alerts.helpers import T0, alert_config, notifications, obs, report
from tests.helpers import make_node, make_user


async def cycle(pool: Pool, engine: AlertEngine, minute: int, seen: dict[UUID, str]) -> None:
    at = T0 + timedelta(minutes=minute)
    async with pool.acquire() as conn, conn.transaction():
        await engine.on_cycle(conn, report([obs(n, s, at) for n, s in seen.items()], at))


async def test_first_start_over_an_existing_fleet_is_silent(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))
    owner = await make_user(pool, telegram="1")
    node = await make_node(pool, "rig-1", owner=owner.id)
    for minute in range(3):
        await cycle(pool, engine, minute, {node.id: "J"})
    assert await notifications(pool) == []


async def test_a_new_assignment_to_a_jailed_node_tells_that_owner_once(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))
    first = await make_user(pool, telegram="1")
    node = await make_node(pool, "rig-1", owner=first.id)
    await cycle(pool, engine, 0, {node.id: "H"})
    await cycle(pool, engine, 1, {node.id: "J"})  # the first owner and the admin chat hear it
    assert {r["target_id"] for r in await notifications(pool)} == {"1", "-1001"}
    second = await make_user(pool, telegram="2")
    await assign_node(pool, second.id, node.id, None)
    await cycle(pool, engine, 2, {node.id: "J"})
    await cycle(pool, engine, 3, {node.id: "J"})
    told = await notifications(pool, kind="node_standing")
    assert [r["target_id"] for r in told] == ["2"]  # only the new owner, once; not the admin chat again
    payload = told[0]["payload"]
    assert payload["title"] == "Already jailed: rig-1"
    assert "already has this problem" in str(payload) and "What to do" in str(payload)
    # its recovery reaches both owners
    await cycle(pool, engine, 4, {node.id: "H"})
    await cycle(pool, engine, 5, {node.id: "H"})
    assert {r["target_id"] for r in await notifications(pool, kind="node_recovery")} == {"1", "2", "-1001"}


async def test_a_new_link_tells_the_owner_about_a_standing_problem(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    owner = await make_user(pool)  # assigned by the portal, not linked to any chat yet
    node = await make_node(pool, "rig-1", owner=owner.id)
    await cycle(pool, engine, 0, {node.id: "H"})
    for minute in (1, 2, 3):
        await cycle(pool, engine, minute, {node.id: "O"})
    assert await notifications(pool) == []
    await users_db.link_identity(pool, owner.id, "telegram", "77")
    await cycle(pool, engine, 4, {node.id: "O"})
    await cycle(pool, engine, 5, {node.id: "O"})
    (told,) = await notifications(pool)
    assert (told["kind"], told["target_id"], told["payload"]["title"]) == (
        "node_standing",
        "77",
        "Already offline: rig-1",
    )


async def test_a_new_node_failing_at_first_sight_is_told_to_its_new_owner(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    other = await make_node(pool, "existing")
    await cycle(pool, engine, 0, {other.id: "H"})  # the fleet's first start
    owner = await make_user(pool, telegram="9")
    node = await make_node(pool, "new-rig", owner=owner.id)
    await cycle(pool, engine, 1, {other.id: "H", node.id: "J"})
    await cycle(pool, engine, 2, {other.id: "H", node.id: "J"})
    told = await notifications(pool)
    assert [(r["kind"], r["target_id"]) for r in told] == [("node_standing", "9")]
    await cycle(pool, engine, 3, {other.id: "H", node.id: "H"})
    await cycle(pool, engine, 4, {other.id: "H", node.id: "H"})
    assert [r["kind"] for r in await notifications(pool)] == ["node_standing", "node_recovery"]


async def test_a_healthy_node_assigned_later_says_nothing(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, admin_telegram_chat_ids=[]))
    node = await make_node(pool, "rig-1")
    await cycle(pool, engine, 0, {node.id: "H"})
    owner = await make_user(pool, telegram="5")
    await assign_node(pool, owner.id, node.id, None)
    await cycle(pool, engine, 1, {node.id: "H"})
    assert await notifications(pool) == []
    assert await pool.fetchval("SELECT count(*) FROM watch_intros WHERE user_id = $1", owner.id) == 1
