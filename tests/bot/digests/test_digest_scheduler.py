"""The daily digest goes out once a day at the user's local hour: not before, not twice (restarts,
replicas), not late in a burst after the bot was down; and it says what the user's day was."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from bot.config import DigestConfig
from bot.db import digests as digests_db
from bot.db import network_state
from bot.db.digests import DigestChoice
from bot.db.types import Pool
from bot.digests.scheduler import Digests
from bot.domain.network import NetworkState, PocSchedule
from bot.render.message import Message
from tests.helpers import give_node, make_user, wallet

MOSCOW_7AM = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 07:00 Europe/Moscow (UTC+3, no DST)


def scheduler(pool: Pool, at: datetime) -> Digests:
    return Digests(pool, DigestConfig(), clock=lambda: at)


async def digests_sent(pool: Pool) -> list[dict[str, object]]:
    rows = await pool.fetch(
        "SELECT platform, target_id, dedup_key, payload FROM notifications"
        " WHERE kind = 'digest' ORDER BY platform"
    )
    return [dict(r) for r in rows]


async def moscow_user(pool: Pool, *, telegram: str = "1001", discord: str | None = None) -> None:
    user = await make_user(pool, "op@example.com", telegram=telegram, discord=discord)
    await digests_db.set_choice(pool, user.id, DigestChoice(time(7, 0), "Europe/Moscow"))


async def test_a_restart_at_0659_sends_the_0700_digest_once(pool: Pool) -> None:
    await moscow_user(pool)
    assert await scheduler(pool, MOSCOW_7AM - timedelta(minutes=1)).send_due() == 0  # 06:59: not yet
    # the process restarts: a new scheduler, the same database
    assert await scheduler(pool, MOSCOW_7AM + timedelta(seconds=20)).send_due() == 1
    assert await scheduler(pool, MOSCOW_7AM + timedelta(minutes=1)).send_due() == 0
    [sent] = await digests_sent(pool)
    user_id = await pool.fetchval("SELECT id FROM users")
    assert sent["target_id"] == "1001" and sent["dedup_key"] == f"digest:{user_id}:2026-12-07:telegram"


async def test_two_replicas_at_the_same_minute_send_one(pool: Pool) -> None:
    await moscow_user(pool, discord="55501")
    at = MOSCOW_7AM + timedelta(seconds=5)
    results = await asyncio.gather(*(scheduler(pool, at).send_due() for _ in range(2)))
    assert sorted(r or 0 for r in results) == [0, 2]  # one replica composed both chats' digests
    again = await asyncio.gather(*(scheduler(pool, at + timedelta(minutes=1)).send_due() for _ in range(2)))
    assert all(not r for r in again)
    assert [d["platform"] for d in await digests_sent(pool)] == ["discord", "telegram"]


async def test_a_day_the_bot_was_down_at_the_hour_is_skipped_not_sent_late(pool: Pool) -> None:
    await moscow_user(pool)
    late = MOSCOW_7AM + timedelta(minutes=DigestConfig().max_delay_minutes + 1)
    assert await scheduler(pool, late).send_due() == 0
    assert await digests_sent(pool) == []
    # the next day at the hour it comes as usual
    assert await scheduler(pool, MOSCOW_7AM + timedelta(days=1, seconds=10)).send_due() == 1


async def test_the_digest_says_states_last_epoch_alerts_and_the_next_poc(pool: Pool) -> None:
    await moscow_user(pool)
    healthy = await give_node(pool, "op@example.com", wallet(1), "rig-a", status="healthy")
    jailed = await give_node(pool, "op@example.com", wallet(2), "rig-b", status="jailed")
    # the ledger: epoch 366 settled for both (exact ngonka), an older epoch for one
    await pool.executemany(
        "INSERT INTO node_epoch_earnings (node_id, epoch_id, income_ngonka) VALUES ($1, $2, $3)",
        [(healthy, 365, 7), (healthy, 366, 50502650000123), (jailed, 366, 1009087205)],
    )
    await pool.execute(
        "INSERT INTO notifications (platform, target_kind, target_id, kind, payload, status, created_at)"
        " VALUES ('telegram', 'user', '1001', 'node_alert', $1::jsonb, 'delivered', $2)",
        {"title": "Node rig-b jailed"},  # the pool's jsonb codec encodes it
        MOSCOW_7AM - timedelta(hours=3),
    )
    observed = MOSCOW_7AM - timedelta(minutes=1)
    await network_state.save(
        pool,
        NetworkState(
            epoch_id=367,
            poc_phase=False,
            confirmation_poc=None,
            thresholds=None,
            observed_at=observed,
            # 1,200 blocks of 6 s from 06:59: the next PoC at 08:59 Moscow time
            schedule=PocSchedule(1_000_000, 1_001_200, Decimal("6.000")),
        ),
    )
    assert await scheduler(pool, MOSCOW_7AM).send_due() == 1
    [sent] = await digests_sent(pool)
    text = json.dumps(sent["payload"], ensure_ascii=False)
    assert "rig-a" in text and "rig-b" in text and "jailed" in text
    assert "Last settled epoch 366" in text
    assert "50,503.65908733 GNK" in text  # 50,503,659,087,328 ngonka (both nodes' epoch 366), 8 places
    shown = Message.model_validate(sent["payload"]).plain()
    assert "rig-b: 🔴 jailed" in shown
    assert "04:00 Node rig-b jailed" in shown  # sent 01:00 UTC, shown in Moscow time
    assert "Next PoC: about 08:59 (in 1h 59m)" in shown
    assert "Safe upgrade window: about 08:29–08:59" in shown  # the 300 blocks of 6 s before it


async def test_the_digest_is_written_in_the_language_the_user_chose(pool: Pool) -> None:
    await moscow_user(pool)
    await give_node(pool, "op@example.com", wallet(1), "rig-a", status="jailed")
    await pool.execute(
        "INSERT INTO chat_languages (platform, platform_user_id, language) VALUES ('telegram', '1001', 'ru')"
    )
    assert await scheduler(pool, MOSCOW_7AM).send_due() == 1
    [sent] = await digests_sent(pool)
    shown = Message.model_validate(sent["payload"]).plain()
    assert "Ежедневная сводка" in shown and "rig-a: 🔴 в джейле" in shown
    assert "Время указано для Europe/Moscow" in shown
