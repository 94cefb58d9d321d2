"""``network_state``: the next PoC survives a save and load; a block time no source gives is measured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.db import network_state
from bot.db.types import Pool
from bot.domain.network import NetworkState, PocSchedule

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def seen(at: datetime, height: int, block_time: Decimal | None = None) -> NetworkState:
    return NetworkState(
        epoch_id=367,
        poc_phase=False,
        confirmation_poc=None,
        thresholds=None,
        observed_at=at,
        schedule=PocSchedule(height, 1_001_200, block_time),
    )


async def test_a_source_block_time_is_kept(pool: Pool) -> None:
    await network_state.save(pool, seen(T0, 1_000_000, Decimal("6.02")))
    loaded = await network_state.load(pool)
    assert loaded is not None and loaded.schedule == PocSchedule(1_000_000, 1_001_200, Decimal("6.020"))


async def test_without_one_the_block_time_is_measured_across_cycles(pool: Pool) -> None:
    await network_state.save(pool, seen(T0, 1_000_000))
    first = await network_state.load(pool)
    assert first is not None and first.schedule is not None and first.schedule.avg_block_time_s is None
    assert first.schedule.next_poc_at(T0) is None  # no time promised before it is known
    # cycles of 2 blocks (12 s) each: too few blocks for one measurement, measured across them
    for n in range(1, 4):
        await network_state.save(pool, seen(T0 + timedelta(seconds=12 * n), 1_000_000 + 2 * n))
    after = await network_state.load(pool)
    assert after is not None and after.schedule is not None
    assert after.schedule.avg_block_time_s == Decimal("6.000")
    assert after.schedule.next_poc_at(after.observed_at) == after.observed_at + timedelta(seconds=1194 * 6)
