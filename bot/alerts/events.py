"""What the alert engine decided to tell people in one cycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID


class EventKind(enum.StrEnum):
    #: a node entered a confirmed problem status (healthy → jailed/offline/unhealthy)
    ALERT = "alert"
    #: an open incident changed problem (offline → jailed)
    CHANGE = "change"
    #: the node is healthy again after an alerted incident
    RECOVERY = "recovery"
    #: the problem is still ongoing
    REMINDER = "reminder"


@dataclass(frozen=True, slots=True)
class NodeEvent:
    kind: EventKind
    node_id: UUID
    incident_id: UUID
    #: the status now (the problem for alerts and reminders, ``healthy`` for recoveries)
    status: str
    #: the status before (``healthy`` for a new alert; the problem for a recovery)
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

    @property
    def problem(self) -> str:
        """The problem status this event is about (what recipients' settings filter on)."""
        return self.previous if self.kind is EventKind.RECOVERY else self.status

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
