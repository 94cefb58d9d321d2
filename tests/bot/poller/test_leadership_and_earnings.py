"""Only one replica polls (advisory lock, released on crash); earnings survive restarts, one row a day
(the epochs that settled that day: tests/bot/poller/test_ledger.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal

from bot.db.nodes import upsert_node
from bot.db.types import Pool
from bot.poller.poller import Poller
from tests.bot.poller.conftest import HF1, HF2, HF3, make_poller, metric, tracker_config
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_server import TrackerServer


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_two_pollers_on_one_database_only_one_polls(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet")
    cfg = tracker_config(db_url, tracker.url)
    a, b = (make_poller(cfg, pool, db_url, interval_s=0.1) for _ in range(2))
    ta, tb = asyncio.create_task(a.run()), asyncio.create_task(b.run())
    try:
        await eventually(lambda: a.cycles_run + b.cycles_run >= 5)
        leader, standby = (a, b) if a.cycles_run else (b, a)
        assert standby.cycles_run == 0
        assert metric(leader, "minegnk_poller_leader") == 1 and metric(standby, "minegnk_poller_leader") == 0
        assert tracker.requests[ts.HF_CURRENT] == leader.cycles_run  # the standby never asked
        # the leader crashes (its task dies, its lock session ends): the standby takes over
        await stop(ta if leader is a else tb)
        await eventually(lambda: standby.cycles_run >= 2)
        assert metric(standby, "minegnk_poller_leader") == 1
    finally:
        await stop(ta)
        await stop(tb)


async def test_a_lost_lock_session_is_noticed_and_leadership_is_retaken(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet")
    cfg = tracker_config(db_url, tracker.url)
    a = make_poller(cfg, pool, db_url, interval_s=0.1)
    ta = asyncio.create_task(a.run())
    # this test's database only (other tests run beside it), and the leader's lock only: one bigint key
    # (objsubid 1); a cycle's write lock has two int4 keys (objsubid 2)
    leader_locks = (
        "FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    lock_pid = f"SELECT pid {leader_locks}"
    try:
        await eventually(lambda: a.cycles_run >= 2)
        old_pid = await pool.fetchval(lock_pid)
        # end the lock session server-side, as a crash or a network partition would: the lock is free
        assert await pool.fetchval("SELECT pg_terminate_backend($1)", old_pid)
        cycles = a.cycles_run

        async def retaken() -> bool:
            pid = await pool.fetchval(lock_pid)
            return pid is not None and pid != old_pid and a.cycles_run > cycles

        await eventually(retaken)
        assert await pool.fetchval(f"SELECT count(*) {leader_locks}") == 1
    finally:
        await stop(ta)


def summary(rewarded: int, earned: int = 0) -> dict[str, object]:
    return {
        "epochPerformanceSummary": {
            "rewarded_coins": str(rewarded),
            "earned_coins": str(earned),
            "claimed": True,
        }
    }


async def test_earnings_history_one_row_per_node_per_day_across_cycles_and_a_restart(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    nodes = [(await upsert_node(pool, a, "wallet"))[0] for a in (HF1, HF2, HF3)]
    tracker.summaries = {(104, HF1): summary(48_552_031_736_571), (104, HF3): summary(1_000_000_000, 5)}
    cfg = tracker_config(
        db_url, tracker.url, sources=("hyperfusion", "gonka_api"), income_lookups_per_cycle=10
    )
    poller = make_poller(cfg, pool, db_url)
    for _ in range(6):
        await poller.poll_cycle()
    # one bulk summary for the epoch, however many cycles and restarts; no per-node look-up
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 1 and tracker.requests[ts.GA_SUMMARY] == 0
    restarted = make_poller(cfg, pool, db_url)
    for _ in range(4):
        await restarted.poll_cycle()
    rows = await pool.fetch(
        "SELECT node_id, date, earnings_gnk, source FROM earnings_history ORDER BY earnings_gnk"
    )
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 1
    assert [(r["earnings_gnk"], r["source"]) for r in rows] == [
        (Decimal("0E-8"), "gonka_api"),  # HF2 is not in the epoch's summary: it earned nothing
        (Decimal("1.00000000"), "gonka_api"),
        (Decimal("48552.03173657"), "gonka_api"),
    ]
    assert len({(r["node_id"], r["date"]) for r in rows}) == len(rows)
    assert await pool.fetchval("SELECT count(*) FROM node_epoch_earnings") == 3

    # the next epoch settles: total adds up, still one history row per node for the day
    assert tracker.hyperfusion is not None and tracker.gonka_latest is not None and tracker.gonka_participants
    tracker.hyperfusion["epoch_id"] = 106
    tracker.gonka_latest["latest_epoch"]["index"] = 106
    tracker.gonka_participants["active_participants"]["epoch_id"] = 106
    tracker.summaries[(105, HF1)] = summary(2_000_000_000)
    for _ in range(3):
        await restarted.poll_cycle()
    one = await pool.fetchrow(
        "SELECT earnings_day, earnings_total FROM node_stats_cache WHERE node_id = $1", nodes[0].id
    )
    assert one is not None
    assert one["earnings_day"] == Decimal("2.00000000")
    assert one["earnings_total"] == Decimal("48554.03173657")
    per_day = await pool.fetch("SELECT node_id, date, count(*) AS n FROM earnings_history GROUP BY 1, 2")
    assert {r["n"] for r in per_day} == {1} and len(per_day) == 3
    day = await pool.fetchval("SELECT earnings_gnk FROM earnings_history WHERE node_id = $1", nodes[0].id)
    if await pool.fetchval("SELECT count(DISTINCT settled_day) FROM settled_epochs") == 1:
        assert day == Decimal("48554.03173657")  # both epochs settled today: their sum


async def test_earnings_total_is_rebuilt_from_the_ledger_after_a_restart(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    node, _ = await upsert_node(pool, HF1, "wallet")
    await pool.execute(
        "INSERT INTO node_epoch_earnings (node_id, epoch_id, income_ngonka, source) VALUES"
        " ($1, 100, 1500000000, 'gonka_api'), ($1, 101, 2500000000, 'gonka_api')",
        node.id,
    )
    cfg = tracker_config(db_url, tracker.url)
    poller: Poller = make_poller(cfg, pool, db_url)
    await poller.poll_cycle()
    row = await pool.fetchrow(
        "SELECT earnings_day, earnings_total FROM node_stats_cache WHERE node_id = $1", node.id
    )
    assert row is not None and (row["earnings_day"], row["earnings_total"]) == (Decimal("2.5"), Decimal("4"))


async def test_hyperfusion_rewards_backfill_when_the_chain_api_is_off(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    node, _ = await upsert_node(pool, HF1, "wallet")
    tracker.rewards[HF1] = {
        "participant": {},
        "rewards": [
            {"epoch_id": 104, "assigned_reward_gnk": 38, "claimed": True},
            {"epoch_id": 103, "assigned_reward_gnk": 41, "claimed": True},
        ],
    }
    cfg = tracker_config(db_url, tracker.url, income_lookups_per_cycle=5)
    poller = make_poller(cfg, pool, db_url)
    await poller.poll_cycle()
    await poller.poll_cycle()
    assert tracker.requests[ts.HF_PARTICIPANT] == 1
    row = await pool.fetchrow(
        "SELECT earnings_day, earnings_total FROM node_stats_cache WHERE node_id = $1", node.id
    )
    assert row is not None and (row["earnings_day"], row["earnings_total"]) == (Decimal(38), Decimal(79))


async def test_a_failing_cycle_does_not_stop_the_loop(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    from tests.bot.poller.conftest import RecordingObserver

    await upsert_node(pool, HF1, "wallet")
    rec = RecordingObserver(fail=True)
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url, rec, interval_s=0.05)
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: metric(poller, "minegnk_poll_cycles_total", outcome="failed") >= 2)
        rec.fail = False
        await eventually(lambda: poller.cycles_run >= 1)
        assert await pool.fetchval("SELECT status FROM node_stats_cache") == "healthy"
    finally:
        await stop(task)
