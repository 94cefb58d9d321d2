"""The alert state machine: confirmed transitions, persisted per node, turned into outbox rows.

The poller calls :meth:`AlertEngine.on_cycle` inside its cycle transaction. Per node (the rules of
``docs/architecture.md``, "Status → alert"):

* first sight of a node (no stored state) records a silent baseline;
* ``unknown`` never fires and neither advances nor resets a pending count;
* a status different from the notified one becomes *pending*; it is confirmed after
  ``alerts.confirm_polls[status]`` consecutive polls (jailed: 1, i.e. at once) or, back to healthy,
  after ``alerts.recovery_polls``; seeing the notified status again clears the pending one (flapping
  never confirms);
* offline is held (no advance, no reset) while the epoch is in its PoC phase or a confirmation PoC
  runs (``CycleReport.offline_held``);
* a confirmed problem opens an incident (one alert); a confirmed recovery closes it (one recovery,
  only when an alert was sent for it); an ongoing jailed/offline incident is reminded every
  ``alerts.reminder_interval_s``, at most ``alerts.reminder_max`` times.

Because the state is stored, a transition that happened while the bot was down is still a difference
from the stored state and fires once seen; one that was already notified is never notified again.
State changes and the notifications they cause are written in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.alerts.compose import build_node_notifications, build_source_notifications
from bot.alerts.events import EventKind, NodeEvent, SourceEvent, SourceEventKind
from bot.alerts.metrics import AlertMetrics
from bot.alerts.recipients import admin_targets, node_recipients
from bot.config import Config
from bot.db import alert_recipients, source_health
from bot.db.alert_state import AlertState, load_states, save_states
from bot.db.outbox import enqueue
from bot.db.types import Conn
from bot.domain.source_health import SourceHealth, SourcePoll, Transition, advance
from bot.domain.status import CycleReport, NodeStatus, Observation, SourceResult

log = logging.getLogger(__name__)

#: nodes stepped between two yields to the event loop
YIELD_EVERY = 1000

#: problems that get reminders while they last
REMINDED = frozenset({NodeStatus.JAILED.value, NodeStatus.OFFLINE.value})


@dataclass(frozen=True, slots=True)
class Rules:
    confirm_polls: Mapping[str, int]
    recovery_polls: int
    reminder_interval: timedelta
    reminder_max: int

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        a = config.alerts
        return cls(
            confirm_polls={"jailed": 1, "offline": 3, "unhealthy": 3}
            | {str(k): v for k, v in a.confirm_polls.items()},
            recovery_polls=a.recovery_polls,
            reminder_interval=timedelta(seconds=a.reminder_interval_s),
            reminder_max=a.reminder_max,
        )

    def needed(self, status: str) -> int:
        return self.recovery_polls if status == NodeStatus.HEALTHY else self.confirm_polls[status]


def step(
    state: AlertState | None, obs: Observation, rules: Rules, *, poc_phase: bool, now: datetime
) -> tuple[AlertState | None, NodeEvent | None]:
    """One observation applied to one node's state: the new state and the event to notify, if any."""
    status = obs.status.value
    if obs.status is NodeStatus.UNKNOWN:
        if state is None:
            return None, None
        return _observed(state, status, obs.observed_at), None
    if state is None:  # first sight: silent baseline
        return (
            AlertState(
                node_id=obs.node_id,
                notified_status=status,
                status_since=obs.observed_at,
                last_observed_status=status,
                last_observed_at=obs.observed_at,
                notified_reason=obs.reason,
                notified_source=obs.source,
            ),
            None,
        )
    st = _observed(state, status, obs.observed_at)
    if status == st.notified_status:
        if st.pending_status is not None or st.pending_count:
            st = replace(st, pending_status=None, pending_count=0, pending_since=None)
        return _maybe_remind(st, obs, rules, now)
    if obs.status is NodeStatus.OFFLINE and poc_phase:  # held: PoC makes nodes look absent
        return st, None
    if st.pending_status == status:
        st = replace(st, pending_count=st.pending_count + 1)
    else:
        st = replace(st, pending_status=status, pending_count=1, pending_since=obs.observed_at)
    if st.pending_count < rules.needed(status):
        return st, None
    return _confirm(st, obs, now)


def _observed(state: AlertState, status: str, at: datetime) -> AlertState:
    """``last_observed_status`` and when the node was first seen in it: unchanged (the same object,
    so nothing is written) while a node stays as it was, which is most nodes on most cycles."""
    if state.last_observed_status == status:
        return state
    return replace(state, last_observed_status=status, last_observed_at=at)


def _confirm(st: AlertState, obs: Observation, now: datetime) -> tuple[AlertState, NodeEvent | None]:
    status = obs.status.value
    since = st.pending_since or obs.observed_at
    previous = st.notified_status
    new = replace(
        st,
        notified_status=status,
        status_since=since,
        pending_status=None,
        pending_count=0,
        pending_since=None,
        reminders_sent=0,
        notified_reason=obs.reason,
        notified_source=obs.source,
    )

    def event(kind: EventKind, incident: uuid.UUID, started: datetime) -> NodeEvent:
        return NodeEvent(
            kind=kind,
            node_id=st.node_id,
            incident_id=incident,
            status=status,
            previous=previous,
            since=since,
            reason=obs.reason,
            source=obs.source,
            incident_started_at=started,
            at=now,
            epoch_id=obs.epoch_id,
            jailed_until=obs.jailed_until,
            ready_to_unjail=obs.ready_to_unjail,
        )

    if obs.status.is_problem:
        if st.incident_id is None or st.incident_started_at is None:
            incident = uuid.uuid4()
            new = replace(new, incident_id=incident, incident_started_at=since, last_notified_at=now)
            return new, event(EventKind.ALERT, incident, since)
        new = replace(new, last_notified_at=now)
        return new, event(EventKind.CHANGE, st.incident_id, st.incident_started_at)
    # back to healthy
    new = replace(new, incident_id=None, incident_started_at=None)
    if st.incident_id is None or st.incident_started_at is None:
        return new, None  # the problem was a silent baseline: nothing was said, nothing to resolve
    new = replace(new, last_notified_at=now)
    return new, event(EventKind.RECOVERY, st.incident_id, st.incident_started_at)


def _maybe_remind(
    st: AlertState, obs: Observation, rules: Rules, now: datetime
) -> tuple[AlertState, NodeEvent | None]:
    if (
        st.incident_id is None
        or st.incident_started_at is None
        or st.notified_status not in REMINDED
        or st.reminders_sent >= rules.reminder_max
        or st.last_notified_at is None
        or now - st.last_notified_at < rules.reminder_interval
    ):
        return st, None
    n = st.reminders_sent + 1
    new = replace(st, reminders_sent=n, last_notified_at=now)
    return new, NodeEvent(
        kind=EventKind.REMINDER,
        node_id=st.node_id,
        incident_id=st.incident_id,
        status=st.notified_status,
        previous=st.notified_status,
        since=st.status_since,
        reason=obs.reason or st.notified_reason,
        source=obs.source or st.notified_source,
        incident_started_at=st.incident_started_at,
        at=now,
        epoch_id=obs.epoch_id,
        jailed_until=obs.jailed_until,
        ready_to_unjail=obs.ready_to_unjail,
        reminder_no=n,
    )


def source_step(
    health: SourceHealth | None, result: SourceResult, at: datetime, degraded_after: int
) -> SourceEvent | None:
    """One cycle's result for one tracker source: one degraded alert after ``degraded_after`` failed
    cycles in a row, one restored alert when it answers again (the rule of
    :func:`bot.domain.source_health.advance`, which the poller applies to the stored record)."""
    prior = health or SourceHealth(result.source)
    new, transition = advance(prior, SourcePoll(result.source, result.ok, result.error), at, degraded_after)
    if transition is Transition.RESTORED and prior.degraded_since is not None:
        return SourceEvent(
            SourceEventKind.RESTORED,
            prior.source,
            prior.degraded_since,
            at,
            prior.consecutive_failures,
            prior.last_error,
        )
    if transition is Transition.DEGRADED:
        return SourceEvent(
            SourceEventKind.DEGRADED,
            prior.source,
            at,
            at,
            new.consecutive_failures,
            result.error,
            prior.last_ok_at,
        )
    return None


class AlertEngine:
    """The poller's :class:`~bot.domain.status.CycleObserver`."""

    def __init__(self, config: Config, metrics: AlertMetrics | None = None) -> None:
        self._config = config
        self._rules = Rules.from_config(config)
        self._metrics = metrics

    async def on_cycle(self, conn: Conn, report: CycleReport) -> None:
        async with conn.transaction():  # a savepoint inside the poller's transaction
            node_events = await self._node_transitions(conn, report)
            source_events = await self._source_transitions(conn, report)
            now = report.finished_at
            notifications = []
            if node_events:
                plan = await node_recipients(conn, self._config, node_events, now)
                notifications += await build_node_notifications(
                    conn, self._config, plan.deliveries, detected_at=now
                )
                if self._metrics is not None:
                    for platform, reason in plan.suppressed:
                        self._metrics.suppressed.labels(platform, reason).inc()
            if source_events:
                targets = await admin_targets(conn, self._config)
                notifications += build_source_notifications(self._config, targets, source_events)
            await enqueue(conn, notifications)
            recovered = [e.node_id for e in node_events if e.kind is EventKind.RECOVERY]
            await alert_recipients.end_until_resolved_mutes(conn, recovered)
        for e in node_events:
            log.info(
                "node %s: %s %s -> %s (incident %s)",
                e.node_id,
                e.kind.value,
                e.previous,
                e.status,
                e.incident_id,
                extra={"node": str(e.node_id)},
            )
        if notifications:
            log.info("cycle enqueued %d notifications", len(notifications))

    async def _node_transitions(self, conn: Conn, report: CycleReport) -> list[NodeEvent]:
        observations = {o.node_id: o for o in report.observations}
        states = await load_states(conn, list(observations))
        changed: list[AlertState] = []
        events: list[NodeEvent] = []
        for i, (node_id, obs) in enumerate(observations.items(), 1):
            if i % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # 10,000 nodes: let commands run between slices
            old = states.get(node_id)
            new, event = step(old, obs, self._rules, poc_phase=report.offline_held, now=report.finished_at)
            if new is not None and new is not old and new != old:
                changed.append(new)
            if event is not None:
                events.append(event)
        await save_states(conn, changed)
        return events

    async def _source_transitions(self, conn: Conn, report: CycleReport) -> list[SourceEvent]:
        """Degraded and restored sources. Read-only: the poller writes ``source_health`` after this
        call, in the same transaction, stepping the same rule on the same stored records."""
        results = {r.source: r for r in report.sources}
        stored = await source_health.load_for_update(conn, sorted(results))
        threshold = self._config.trackers.degraded_after_failures
        events: list[SourceEvent] = []
        for name in sorted(results):
            event = source_step(stored.get(name), results[name], report.finished_at, threshold)
            if event is not None:
                events.append(event)
        return events
