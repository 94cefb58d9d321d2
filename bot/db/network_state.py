"""``network_state``: the one row the poller writes each cycle and the command services read."""

from __future__ import annotations

import json

from bot.db.types import Executor
from bot.domain.chain_params import EpochThresholds
from bot.domain.network import ConfirmationPoC, NetworkState, PocSchedule

# Without a block time from the source (the chain's /v1/epochs/latest has none), it is measured: the
# blocks and seconds since a base point at least MIN_BLOCKS ($12) back, smoothed (4/5 old, 1/5 new);
# the base moves to each point measured from (or restarts when the height goes backwards).
SAVE_SQL = """
INSERT INTO network_state AS s (id, epoch_id, poc_phase, cpoc_active, cpoc_phase, cpoc_epoch_id,
                                cpoc_event_sequence, thresholds, observed_at, block_height,
                                next_poc_height, avg_block_time_s, block_base_height, block_base_at)
VALUES (1, $1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $9, $8)
ON CONFLICT (id) DO UPDATE SET
    epoch_id = EXCLUDED.epoch_id,
    poc_phase = EXCLUDED.poc_phase,
    cpoc_active = EXCLUDED.cpoc_active,
    cpoc_phase = EXCLUDED.cpoc_phase,
    cpoc_epoch_id = EXCLUDED.cpoc_epoch_id,
    cpoc_event_sequence = EXCLUDED.cpoc_event_sequence,
    thresholds = EXCLUDED.thresholds,
    observed_at = EXCLUDED.observed_at,
    block_height = EXCLUDED.block_height,
    next_poc_height = EXCLUDED.next_poc_height,
    avg_block_time_s = coalesce(EXCLUDED.avg_block_time_s, CASE
        WHEN EXCLUDED.block_height >= s.block_base_height + $12 AND EXCLUDED.observed_at > s.block_base_at
        THEN round(coalesce(s.avg_block_time_s * 0.8, 0)
                   + (CASE WHEN s.avg_block_time_s IS NULL THEN 1 ELSE 0.2 END)
                   * extract(epoch FROM EXCLUDED.observed_at - s.block_base_at)
                   / (EXCLUDED.block_height - s.block_base_height), 3)
        ELSE s.avg_block_time_s END),
    block_base_height = CASE
        WHEN EXCLUDED.block_height IS NULL THEN s.block_base_height
        WHEN s.block_base_height IS NULL OR EXCLUDED.block_height < s.block_base_height
             OR EXCLUDED.block_height >= s.block_base_height + $12 THEN EXCLUDED.block_height
        ELSE s.block_base_height END,
    block_base_at = CASE
        WHEN EXCLUDED.block_height IS NULL THEN s.block_base_at
        WHEN s.block_base_height IS NULL OR EXCLUDED.block_height < s.block_base_height
             OR EXCLUDED.block_height >= s.block_base_height + $12 THEN EXCLUDED.observed_at
        ELSE s.block_base_at END
"""

#: blocks between two cycles for a block-time measurement (a minute's cycle is about ten)
MIN_BLOCKS = 5

LOAD_SQL = """
SELECT epoch_id, poc_phase, cpoc_active, cpoc_phase, cpoc_epoch_id, cpoc_event_sequence, thresholds,
       observed_at, block_height, next_poc_height, avg_block_time_s
FROM network_state WHERE id = 1
"""


async def save(db: Executor, state: NetworkState) -> None:
    cpoc = state.confirmation_poc
    sched = state.schedule
    await db.execute(
        SAVE_SQL,
        state.epoch_id,
        state.poc_phase,
        None if cpoc is None else cpoc.active,
        None if cpoc is None else (cpoc.phase or "")[:40] or None,
        None if cpoc is None else cpoc.epoch_id,
        None if cpoc is None else cpoc.event_sequence,
        None if state.thresholds is None else state.thresholds.as_json(),  # the pool's jsonb codec
        state.observed_at,
        None if sched is None else sched.block_height,
        None if sched is None else sched.next_poc_height,
        None if sched is None else sched.avg_block_time_s,
        MIN_BLOCKS,
    )


async def load(db: Executor) -> NetworkState | None:
    row = await db.fetchrow(LOAD_SQL)
    if row is None:
        return None
    thresholds = row["thresholds"]
    if isinstance(thresholds, str):
        thresholds = json.loads(thresholds)
    return NetworkState(
        epoch_id=row["epoch_id"],
        poc_phase=row["poc_phase"],
        confirmation_poc=None
        if row["cpoc_active"] is None
        else ConfirmationPoC(
            active=row["cpoc_active"],
            phase=row["cpoc_phase"],
            epoch_id=row["cpoc_epoch_id"],
            event_sequence=row["cpoc_event_sequence"],
        ),
        thresholds=None if thresholds is None else EpochThresholds.from_json(thresholds),
        observed_at=row["observed_at"],
        schedule=None
        if row["block_height"] is None or row["next_poc_height"] is None
        else PocSchedule(row["block_height"], row["next_poc_height"], row["avg_block_time_s"]),
    )
