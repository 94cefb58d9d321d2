"""What the alert engine decided to tell people in one cycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from bot.domain.conditions import Condition, Reading, State


class EventKind(enum.StrEnum):
    #: a node entered a confirmed problem of a condition group (ok → jailed, ok → cpoc_ratio:warning)
    ALERT = "alert"
    #: an open incident changed problem (offline → jailed, a warning became the loss)
    CHANGE = "change"
    #: a watcher who just started watching is told about a problem the node already has
    STANDING = "standing"
    #: the node is healthy again after an alerted incident
    RECOVERY = "recovery"
    #: the problem is still ongoing
    REMINDER = "reminder"


@dataclass(frozen=True, slots=True)
class NodeEvent:
    kind: EventKind
    node_id: UUID
    incident_id: UUID
    #: the group's value now (the problem for alerts and reminders, ``ok`` for recoveries)
    status: str
    #: the value before (``ok`` for a new alert; the problem for a recovery)
    previous: str
    #: when ``status`` began (first observation of it)
    since: datetime
    reason: str | None
    source: str | None
    #: when the outage began (same as ``since`` for an alert)
    incident_started_at: datetime
    #: the cycle that produced the event
    at: datetime
    epoch_id: int | None = None
    jailed_until: datetime | None = None
    ready_to_unjail: bool | None = None
    #: 1-based reminder number
    reminder_no: int = 0
    #: the condition this event is about (for a recovery: the one that ended); its table entry gives
    #: the setting, the texts, the urgency and the metric label
    condition: Condition | None = None
    #: warning or failing (the problem's level; for a recovery, the level that ended)
    level: State = State.FAILING
    #: the detector's reading this cycle (its summary and numbers)
    reading: Reading | None = None
    #: STANDING events go to this one user only (the watcher who just started watching)
    for_user: UUID | None = None

    @property
    def problem(self) -> str:
        """The condition this event is about (what recipients' settings filter on)."""
        if self.condition is not None:
            return self.condition.name
        return self.previous if self.kind is EventKind.RECOVERY else self.status

    @property
    def urgent(self) -> bool:
        return self.condition is not None and self.condition.urgent and self.level is State.FAILING

    @property
    def duration(self) -> timedelta:
        """For recoveries: how long the node was down; otherwise how long the problem has lasted."""
        end = self.since if self.kind is EventKind.RECOVERY else self.at
        return end - self.incident_started_at

    @property
    def key(self) -> str:
        """Stable identity of this event (the idempotency part of dedup keys)."""
        if self.kind is EventKind.ALERT:
            return f"a:{self.incident_id}"
        if self.kind is EventKind.CHANGE:
            return f"c:{self.incident_id}:{self.status}:{self.since.isoformat()}"
        if self.kind is EventKind.RECOVERY:
            return f"r:{self.incident_id}"
        if self.kind is EventKind.STANDING:
            return f"s:{self.incident_id}:{self.for_user}"
        return f"m:{self.incident_id}:{self.reminder_no}"


class SourceEventKind(enum.StrEnum):
    DEGRADED = "degraded"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class SourceEvent:
    kind: SourceEventKind
    source: str
    #: when the outage began (first failed cycle)
    since: datetime
    at: datetime
    failures: int
    last_error: str | None
    last_ok_at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.source}:{self.since.isoformat()}"
