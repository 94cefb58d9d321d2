"""Standing problems told to new watchers (filled in by step 5)."""

from __future__ import annotations

from bot.alerts.events import NodeEvent
from bot.db.types import Conn
from bot.domain.conditions import ConditionTable
from bot.domain.status import CycleReport


async def standing_events(
    conn: Conn, table: ConditionTable, report: CycleReport, *, first_cycle: bool
) -> list[NodeEvent]:
    return []
