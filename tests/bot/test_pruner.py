"""Nothing grows forever (issue 15, item 12): finished rows are pruned after their retention period,
in small batches, by one replica, while writers keep writing; nothing undelivered is ever lost; the
admin statistics read bounded index ranges, never the whole outbox."""

from __future__ import annotations

import asyncio
import json

from bot.config import RetentionConfig
from bot.db import fleet
from bot.db.retention import PRUNE_NOTIFICATIONS_SQL
from bot.db.types import Pool
from bot.pruner import Pruner

INSERT_NOTIFICATIONS = """
INSERT INTO notifications (platform, target_kind, target_id, kind, payload, status, created_at)
SELECT 'telegram', 'user', ($1::text || g), 'node_alert', '{"title": "x"}'::jsonb, $2,
       now() - $3::float8 * interval '1 day'
FROM generate_series(1, $4) g
RETURNING id
"""


async def _notifications(pool: Pool, n: int, status: str, age_days: float, prefix: str = "t") -> set[object]:
    return {r["id"] for r in await pool.fetch(INSERT_NOTIFICATIONS, prefix, status, age_days, n)}


def test_the_default_retention_periods() -> None:
    cfg = RetentionConfig()
    assert cfg.notifications_days == 30
    assert cfg.login_records_days == 90
    assert cfg.link_codes_days == 1
    assert cfg.admin_audit_days == 365
    assert cfg.batch_size == 1000


async def test_pruning_under_concurrent_writes_loses_nothing_undelivered(pool: Pool) -> None:
    old_done = await _notifications(pool, 2500, "delivered", 40)
    old_done |= await _notifications(pool, 300, "failed", 40)
    old_pending = await _notifications(pool, 300, "pending", 40, "stuck")
    old_sending = await _notifications(pool, 100, "sending", 40, "inflight")
    recent_done = await _notifications(pool, 200, "delivered", 29)
    user = await pool.fetchval("INSERT INTO users (email, password_hash) VALUES ('a@x.io', 'x') RETURNING id")
    await pool.execute(
        """INSERT INTO login_records (platform, method, success, created_at)
           SELECT 'telegram', 'code', false, now() - (90 + g % 2 * 2 - 1) * interval '1 day'
           FROM generate_series(1, 400) g"""
    )
    await pool.execute(
        """INSERT INTO link_codes (user_id, code_hash, created_at, expires_at, used_at)
           SELECT $1, md5(g::text) || md5(g::text), now() - interval '3 days',
                  now() - interval '3 days' + interval '15 minutes',
                  CASE WHEN g % 2 = 0 THEN now() - interval '2 days' END
           FROM generate_series(1, 100) g""",
        user,
    )
    fresh_code = await pool.fetchval(
        "INSERT INTO link_codes (user_id, code_hash, expires_at) VALUES ($1, repeat('f', 64), now() + "
        "interval '15 minutes') RETURNING id",
        user,
    )
    await pool.execute(
        """INSERT INTO admin_audit_log (platform, action, outcome, created_at)
           SELECT 'cli', 'assign', 'ok', now() - (365 + g % 2 * 2 - 1) * interval '1 day'
           FROM generate_series(1, 300) g"""
    )

    written: set[object] = set()
    stop = asyncio.Event()

    async def writer() -> None:
        # the engine keeps enqueuing (some rows backdated, as a row stuck for weeks would be) and the
        # workers keep finishing recent rows, while the pruner deletes
        i = 0
        while not stop.is_set():
            i += 1
            written.update(await _notifications(pool, 20, "pending", 45 if i % 2 else 0, f"w{i}-"))
            await _notifications(pool, 5, "pending", 0, f"x{i}-")
            await pool.execute(
                "UPDATE notifications SET status = 'delivered', delivered_at = now() "
                "WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND target_id LIKE 'x%' "
                "LIMIT 5)"
            )
            await asyncio.sleep(0)

    pruner = Pruner(pool, RetentionConfig(batch_size=100), first_delay_s=0)
    task = asyncio.create_task(writer())
    try:
        deleted = await pruner.prune_once()
    finally:
        stop.set()
        await task
    assert deleted is not None
    assert deleted["notifications"] == len(old_done)
    assert deleted["login_records"] == 200
    assert deleted["link_codes"] == 100
    assert deleted["admin_audit_log"] == 150

    undelivered = old_pending | old_sending | written
    kept = {
        r["id"]
        for r in await pool.fetch(
            "SELECT id FROM notifications WHERE status IN ('pending', 'sending') AND id = ANY($1::uuid[])",
            list(undelivered),
        )
    }
    assert kept == undelivered  # every undelivered row survived, however old
    assert len(written) > 0
    left = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE id = ANY($1::uuid[])", list(old_done)
    )
    assert left == 0
    recent = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE id = ANY($1::uuid[])", list(recent_done)
    )
    assert recent == len(recent_done)
    assert await pool.fetchval("SELECT count(*) FROM link_codes WHERE id = $1", fresh_code) == 1


async def test_one_replica_prunes_at_a_time(pool: Pool) -> None:
    cfg = RetentionConfig()
    await _notifications(pool, 10, "delivered", 40)
    async with pool.acquire() as other:
        await other.fetchval("SELECT pg_advisory_lock($1)", cfg.lock_key)  # another replica is pruning
        try:
            assert await Pruner(pool, cfg).prune_once() is None
        finally:
            await other.fetchval("SELECT pg_advisory_unlock($1)", cfg.lock_key)
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 10
    assert (await Pruner(pool, cfg).prune_once() or {})["notifications"] == 10


async def test_stats_and_pruning_read_index_ranges_not_the_whole_outbox(pool: Pool) -> None:
    await _notifications(pool, 20000, "delivered", 10)
    await _notifications(pool, 50, "failed", 0.5)
    await _notifications(pool, 20, "pending", 0)
    await pool.execute("ANALYZE notifications")
    plans = {
        "outbox depth": (fleet.OUTBOX_DEPTH_SQL, ()),
        "alerts 24h": (fleet.ALERTS_24H_SQL, (fleet.SERVICE_KINDS,)),
        "prune": (PRUNE_NOTIFICATIONS_SQL, (30.0, 1000)),
    }
    for name, (sql, args) in plans.items():
        rows = await pool.fetch("EXPLAIN (FORMAT JSON) " + sql, *args)
        plan = json.dumps(rows[0][0])
        assert '"Seq Scan"' not in plan, f"{name} scans the outbox: {plan}"
    depth = await fleet.outbox_depth(pool)
    assert (depth.pending, depth.failed_24h) == (20, 50)
