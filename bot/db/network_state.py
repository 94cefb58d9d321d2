"""``network_state``: the one row the poller writes each cycle and the command services read."""

from __future__ import annotations

import json

from bot.db.types import Executor
from bot.domain.chain_params import EpochThresholds
from bot.domain.network import ConfirmationPoC, NetworkState

SAVE_SQL = """
INSERT INTO network_state AS s (id, epoch_id, poc_phase, cpoc_active, cpoc_phase, cpoc_epoch_id,
                                cpoc_event_sequence, thresholds, observed_at)
VALUES (1, $1, $2, $3, $4, $5, $6, $7::jsonb, $8)
ON CONFLICT (id) DO UPDATE SET
    epoch_id = EXCLUDED.epoch_id,
    poc_phase = EXCLUDED.poc_phase,
    cpoc_active = EXCLUDED.cpoc_active,
    cpoc_phase = EXCLUDED.cpoc_phase,
    cpoc_epoch_id = EXCLUDED.cpoc_epoch_id,
    cpoc_event_sequence = EXCLUDED.cpoc_event_sequence,
    thresholds = EXCLUDED.thresholds,
    observed_at = EXCLUDED.observed_at
"""

LOAD_SQL = """
SELECT epoch_id, poc_phase, cpoc_active, cpoc_phase, cpoc_epoch_id, cpoc_event_sequence, thresholds,
       observed_at
FROM network_state WHERE id = 1
"""


async def save(db: Executor, state: NetworkState) -> None:
    cpoc = state.confirmation_poc
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
    )
