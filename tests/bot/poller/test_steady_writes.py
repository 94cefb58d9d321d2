"""A steady poll cycle rewrites no cache row, yet every node's freshness stays readable."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from bot.db import source_health
from bot.db.stats_read import get_stats
from bot.db.types import Pool
from tests.bot.poller.conftest import HF1, HF3, make_poller, tracker_config
from tests.bot.poller.test_poll_cycle import add_nodes
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_server import TrackerServer


async def row_versions(pool: Pool) -> dict[UUID, str]:
    """Each cache row's xmin: it changes whenever the row is rewritten (or locked for an update)."""
    return {r[0]: r[1] for r in await pool.fetch("SELECT node_id, xmin::text FROM node_stats_cache")}


async def fresh_at(pool: Pool, node_id: object) -> datetime:
    stats = await get_stats(pool, [node_id])  # type: ignore[list-item]
    return stats[node_id].fetched_at  # type: ignore[index]


async def last_snapshot_at(pool: Pool) -> datetime | None:
    return {h.source: h for h in await source_health.list_all(pool)}["hyperfusion"].last_fetched_at


def jail(tracker: TrackerServer, address: str) -> None:
    assert tracker.hyperfusion is not None
    for p in tracker.hyperfusion["participants"]:
        if p["index"] == address:
            p["is_jailed"] = True


async def test_a_steady_cycle_rewrites_no_row_and_freshness_moves_on(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    versions = await row_versions(pool)
    first = await fresh_at(pool, ids[HF1])
    await poller.poll_cycle()
    assert await row_versions(pool) == versions  # nothing rewritten
    second = await fresh_at(pool, ids[HF1])
    assert second > first and second == await last_snapshot_at(pool)
    assert await fresh_at(pool, ids[HF3]) == second


async def test_after_a_restart_a_steady_cycle_still_rewrites_nothing(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    cfg = tracker_config(db_url, tracker.url)
    await make_poller(cfg, pool, db_url).poll_cycle()
    versions = await row_versions(pool)
    await make_poller(cfg, pool, db_url).poll_cycle()  # remembers nothing: sends every row
    assert await row_versions(pool) == versions


async def test_a_changed_node_is_written_and_only_it(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    versions = await row_versions(pool)
    jail(tracker, HF1)
    await poller.poll_cycle()
    after = await row_versions(pool)
    assert after[ids[HF1]] != versions[ids[HF1]] and after[ids[HF3]] == versions[ids[HF3]]  # type: ignore[index]
    stats = await get_stats(pool, [ids[HF1]])  # type: ignore[list-item]
    assert stats[ids[HF1]].status == "jailed"  # type: ignore[index]


async def test_a_node_no_source_could_judge_keeps_its_last_confirmed_freshness(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    await poller.poll_cycle()
    confirmed = await fresh_at(pool, ids[HF1])
    tracker.fault(ts.HF_CURRENT, kind="status", status=503)
    await poller.poll_cycle()
    await poller.poll_cycle()
    assert await fresh_at(pool, ids[HF1]) == confirmed  # unknown: data as old as its last confirmation
    tracker.clear_faults()
    await poller.poll_cycle()
    assert await fresh_at(pool, ids[HF1]) > confirmed


async def test_a_node_skipped_by_its_source_is_not_made_fresh_by_the_others(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    confirmed = await fresh_at(pool, ids[HF1])
    tracker.fault(ts.HF_CURRENT, kind="jailed_null", address=HF1)  # the source answers, HF1 unknown
    await poller.poll_cycle()
    assert await fresh_at(pool, ids[HF1]) == confirmed
    assert await fresh_at(pool, ids[HF3]) > confirmed
