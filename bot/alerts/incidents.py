"""Incidents: one cause hitting many watched nodes in one cycle (filled in by step 3)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from bot.alerts.events import NodeEvent
from bot.config import Config
from bot.domain.status import CycleReport


def find_incidents(config: Config, report: CycleReport, events: Sequence[NodeEvent]) -> dict[UUID, str]:
    return {}
