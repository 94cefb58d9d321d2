"""The cache upsert, built from one column list: every field of a record reaches its row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from bot.db import node_cache
from bot.db.nodes import upsert_node
from bot.db.stats_read import get_stats
from bot.db.types import Pool
from bot.domain.node_stats import NodeStats, ParticipantView
from bot.domain.status import NodeStatus

ADDRESS = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"
AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def record(node_id: object, **view: object) -> NodeStats:
    v = ParticipantView(
        address=ADDRESS,
        is_jailed=False,
        jailed_until=AT,
        ready_to_unjail=True,
        chain_status="ACTIVE",
        node_healthy=True,
        missed_rate=0.0541,
        invalidation_rate=0.01,
        confirmation_poc_ratio=Decimal("0.9249193959949900"),
        weight=3965,
        models=("Qwen/Qwen3-235B",),
        ml_nodes=("node1", "node2"),
        inference_count=6,
        earned_coins=3805,
    )
    return NodeStats(node_id, NodeStatus.HEALTHY, None, "gonka_api", AT, 366, replace(v, **view), 2)  # type: ignore[arg-type]


async def test_every_field_reaches_the_row(pool: Pool) -> None:
    node, _ = await upsert_node(pool, ADDRESS, "wallet")
    await node_cache.upsert(pool, [node_cache.row_of(record(node.id))])
    row = (await get_stats(pool, [node.id]))[node.id]
    assert (row.status, row.source, row.epoch_id, row.fetched_at) == ("healthy", "gonka_api", 366, AT)
    assert (row.voting_weight, row.jobs_day, row.active_model) == (Decimal(3965), 6, "Qwen/Qwen3-235B")
    assert (row.jailed_until, row.ready_to_unjail, row.uptime_percent) == (AT, True, Decimal("94.59"))
    assert row.details == {
        "health_failures": 2,
        "missed_rate": 0.0541,
        "invalidation_rate": 0.01,
        "confirmation_poc_ratio": 0.92491939599499,
        "chain_status": "ACTIVE",
        "node_healthy": True,
        "epoch_earned_ngonka": "3805",
        "ml_nodes": ["node1", "node2"],
    }


async def test_an_unchanged_record_is_not_rewritten_and_a_changed_one_is(pool: Pool) -> None:
    node, _ = await upsert_node(pool, ADDRESS, "wallet")
    await node_cache.upsert(pool, [node_cache.row_of(record(node.id))])
    xmin = "SELECT xmin::text FROM node_stats_cache WHERE node_id = $1"
    first = await pool.fetchval(xmin, node.id)
    await node_cache.upsert(pool, [node_cache.row_of(record(node.id))])
    assert await pool.fetchval(xmin, node.id) == first
    await node_cache.upsert(pool, [node_cache.row_of(record(node.id, inference_count=7))])
    assert await pool.fetchval(xmin, node.id) != first
