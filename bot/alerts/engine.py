"""The alert state machine: confirmed transitions, persisted per node and condition group, turned
into outbox rows.

The poller calls :meth:`AlertEngine.on_cycle` inside its cycle transaction. Each node's observation
(plus what collectors add) is read by every condition of the table (:mod:`bot.domain.conditions`);
each condition group's value (``ok``, a failing condition, ``<condition>:warning``, or unknown) steps
that group's state machine (the rules of ``docs/architecture.md``, "Status → alert"):

* first sight of a node's group (never seen: not in ``alert_nodes``) records a silent baseline;
* ``unknown`` never fires and neither advances nor resets a pending count;
* a value different from the notified one becomes *pending*; it is confirmed after
  ``alerts.confirm_polls[condition]`` consecutive polls (the table's default; jailed: 1, i.e. at once)
  or, back to ok, after ``alerts.recovery_polls``; seeing the notified value again clears the pending
  one (flapping never confirms);
* a condition ``held_in_poc`` (offline) is held (no advance, no reset) while the epoch is in its PoC
  phase or a confirmation PoC runs (``CycleReport.offline_held``);
* a confirmed problem opens an incident (one alert); another problem of the same group is a change
  of it; a confirmed recovery closes it (one recovery, only when an alert was sent for it); the same
  problem in a new *episode* (an exclusion in the next epoch) is a new alert; an ongoing failing
  incident of a condition with ``reminders`` is reminded every ``alerts.reminder_interval_s``, at most
  ``alerts.reminder_max`` times.

Then new watchers hear their nodes' standing problems (:mod:`bot.alerts.standing`), many nodes hit by
one cause become one incident (:mod:`bot.alerts.incidents`), and the recipients' messages are
composed. Because the state is stored, a transition that happened while the bot was down is still a
difference from the stored state and fires once seen; one that was already notified is never notified
again. State changes and the notifications they cause are written in one transaction.

What a steady cycle costs: only groups that are not plainly ok have a row (``bot.db.alert_state``), so
a steady fleet loads a few rows, not one per node and group; and a node whose detectors' inputs (its
observation and collected facts, the network without its clock and block height) are what they were
last cycle, whose every group then read ok or unknown, and which has no row and was seen in each of
those groups, is not stepped at all: stepping it would change nothing (:class:`_Memo`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Protocol

from bot.alerts.compose import build_node_notifications, build_source_notifications
from bot.alerts.events import EventKind, NodeEvent, SourceEvent, SourceEventKind
from bot.alerts.incidents import find_incidents
from bot.alerts.metrics import AlertMetrics
from bot.alerts.recipients import admin_targets, node_recipients
from bot.alerts.standing import standing_events
from bot.config import Config
from bot.db import alert_recipients, source_health
from bot.db import alert_state as alert_state_db
from bot.db import mutes as mutes_db
from bot.db.alert_state import (
    AlertState,
    delete_states,
    is_quiet,
    load_states,
    quiet_state,
    record_seen,
    save_states,
    unseen_groups,
)
from bot.db.outbox import enqueue
from bot.db.types import Conn
from bot.domain.conditions import (
    CONDITIONS,
    OK_VALUE,
    Condition,
    ConditionTable,
    GroupReading,
    NodeFacts,
    Options,
    Reading,
    State,
    parse_value,
)
from bot.domain.network import NetworkState
from bot.domain.source_health import SourceHealth, SourcePoll, Transition, advance
from bot.domain.status import CycleReport, Observation, SourceResult
from bot.errors import ConfigError
from bot.i18n.catalogs import Catalogs

log = logging.getLogger(__name__)

#: nodes stepped between two yields to the event loop
YIELD_EVERY = 1000
_NO_EXTRA: Mapping[str, object] = {}


@dataclass(frozen=True, slots=True)
class Rules:
    confirm_polls: Mapping[str, int]
    recovery_polls: int
    reminder_interval: timedelta
    reminder_max: int

    @classmethod
    def from_config(cls, config: Config, table: ConditionTable = CONDITIONS) -> Rules:
        a = config.alerts
        unknown = sorted(set(a.confirm_polls) - {c.name for c in table})
        if unknown:
            raise ConfigError(
                f"alerts.confirm_polls names no condition: {', '.join(unknown)} "
                f"(conditions: {', '.join(c.name for c in table)})"
            )
        return cls(
            confirm_polls={c.name: c.confirm_polls for c in table}
            | {str(k): v for k, v in a.confirm_polls.items()},
            recovery_polls=a.recovery_polls,
            reminder_interval=timedelta(seconds=a.reminder_interval_s),
            reminder_max=a.reminder_max,
        )

    def needed(self, value: str) -> int:
        if value == OK_VALUE:
            return self.recovery_polls
        name, _ = parse_value(value)
        return self.confirm_polls.get(name or "", 1)


@dataclass(frozen=True, slots=True)
class Seen:
    """One condition group of one node as this cycle saw it."""

    obs: Observation
    group: str
    #: ``ok``, ``<condition>``, ``<condition>:warning``; None when unknown
    value: str | None
    #: the member that decided a problem value
    condition: Condition | None = None
    reading: Reading | None = None

    @classmethod
    def of(cls, obs: Observation, gr: GroupReading) -> Seen:
        return cls(obs, gr.group, gr.value, gr.condition, gr.reading)


def step(
    state: AlertState | None,
    seen: Seen,
    rules: Rules,
    table: ConditionTable,
    *,
    poc_phase: bool,
    now: datetime,
) -> tuple[AlertState | None, NodeEvent | None]:
    """One cycle applied to one node's state of one condition group: the new state and the event to
    notify, if any."""
    obs = seen.obs
    value = seen.value
    if value is None:  # unknown
        if state is None:
            return None, None
        return _observed(state, "unknown", obs.observed_at), None
    episode = seen.reading.episode if seen.reading is not None else None
    if state is None:  # first sight: silent baseline
        return (
            AlertState(
                node_id=obs.node_id,
                condition_group=seen.group,
                notified_status=value,
                status_since=obs.observed_at,
                last_observed_status=value,
                last_observed_at=obs.observed_at,
                notified_reason=obs.reason if value != OK_VALUE else None,
                notified_source=obs.source,
                episode=episode,
            ),
            None,
        )
    st = _observed(state, value, obs.observed_at)
    if value == st.notified_status:
        if st.pending_status is not None or st.pending_count:
            st = replace(st, pending_status=None, pending_count=0, pending_since=None)
        if value != OK_VALUE and episode is not None and st.episode is not None and episode != st.episode:
            # the same problem in a new episode (excluded again in the next epoch): a new incident
            st = replace(st, incident_id=None, incident_started_at=None, pending_since=obs.observed_at)
            return _confirm(st, seen, table, now)
        if episode is not None and st.episode is None and value != OK_VALUE:
            st = replace(st, episode=episode)
        return _maybe_remind(st, seen, rules, table, now)
    if seen.condition is not None and seen.condition.held_in_poc and poc_phase:
        return st, None  # held: PoC makes nodes look absent
    if st.pending_status == value:
        st = replace(st, pending_count=st.pending_count + 1)
    else:
        st = replace(st, pending_status=value, pending_count=1, pending_since=obs.observed_at)
    if st.pending_count < rules.needed(value):
        return st, None
    return _confirm(st, seen, table, now)


def _observed(state: AlertState, value: str, at: datetime) -> AlertState:
    """``last_observed_status`` and when the node was first seen in it: unchanged (the same object,
    so nothing is written) while a node stays as it was, which is most nodes on most cycles."""
    if state.last_observed_status == value:
        return state
    return replace(state, last_observed_status=value, last_observed_at=at)


def _condition_of(value: str, table: ConditionTable) -> tuple[Condition | None, State]:
    name, level = parse_value(value)
    return (table.get(name) if name else None), level


def _confirm(
    st: AlertState, seen: Seen, table: ConditionTable, now: datetime
) -> tuple[AlertState, NodeEvent | None]:
    obs = seen.obs
    value = seen.value or OK_VALUE
    since = st.pending_since or obs.observed_at
    previous = st.notified_status
    episode = seen.reading.episode if seen.reading is not None else None
    new = replace(
        st,
        notified_status=value,
        status_since=since,
        pending_status=None,
        pending_count=0,
        pending_since=None,
        reminders_sent=0,
        notified_reason=obs.reason if value != OK_VALUE else None,
        notified_source=obs.source,
        episode=episode if value != OK_VALUE else None,
    )

    def event(
        kind: EventKind, incident: uuid.UUID, started: datetime, cond: Condition | None, level: State
    ) -> NodeEvent:
        return NodeEvent(
            kind=kind,
            node_id=st.node_id,
            incident_id=incident,
            status=value,
            previous=previous,
            since=since,
            reason=obs.reason,
            source=obs.source,
            incident_started_at=started,
            at=now,
            epoch_id=obs.epoch_id,
            jailed_until=obs.jailed_until,
            ready_to_unjail=obs.ready_to_unjail,
            condition=cond,
            level=level,
            reading=seen.reading,
        )

    if value != OK_VALUE:
        cond, level = seen.condition, seen.reading.state if seen.reading else State.FAILING
        if st.incident_id is None or st.incident_started_at is None:
            incident = uuid.uuid4()
            new = replace(new, incident_id=incident, incident_started_at=since, last_notified_at=now)
            return new, event(EventKind.ALERT, incident, since, cond, level)
        new = replace(new, last_notified_at=now)
        return new, event(EventKind.CHANGE, st.incident_id, st.incident_started_at, cond, level)
    # back to ok
    new = replace(new, incident_id=None, incident_started_at=None)
    if st.incident_id is None or st.incident_started_at is None:
        return new, None  # the problem was a silent baseline: nothing was said, nothing to resolve
    ended, level = _condition_of(previous, table)
    if ended is None:
        return new, None  # a condition no longer in the table: nothing to say about it
    new = replace(new, last_notified_at=now)
    return new, event(EventKind.RECOVERY, st.incident_id, st.incident_started_at, ended, level)


def _maybe_remind(
    st: AlertState, seen: Seen, rules: Rules, table: ConditionTable, now: datetime
) -> tuple[AlertState, NodeEvent | None]:
    cond, level = _condition_of(st.notified_status, table)
    if (
        st.incident_id is None
        or st.incident_started_at is None
        or cond is None
        or not cond.reminders
        or level is not State.FAILING
        or st.reminders_sent >= rules.reminder_max
        or st.last_notified_at is None
        or now - st.last_notified_at < rules.reminder_interval
    ):
        return st, None
    obs = seen.obs
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
        condition=cond,
        level=level,
        reading=seen.reading,
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


#: stands in for the network's time in :class:`_Memo` keys
_NO_TIME = datetime.min
#: an observation's fields detectors may read: all but the node and the time
_OBS_KEY = attrgetter(*(f.name for f in fields(Observation) if f.name not in ("node_id", "observed_at")))


@dataclass(frozen=True, slots=True)
class _Memo:
    """What a node's detectors read last cycle and what they said: the same inputs give the same
    readings (detectors are pure functions of them)."""

    #: the observation without its node and time (:data:`_OBS_KEY`)
    obs: tuple[object, ...]
    extra: Mapping[str, object]
    #: every group read ok or unknown
    quiet: bool
    #: the groups whose value was known (a node not seen in one of them is a first sight: stepped)
    known: frozenset[str]
    #: ``(metric, state)`` per condition, for the gauge of nodes by condition and state
    states: tuple[tuple[str, str], ...]


def _detector_network(network: NetworkState | None) -> NetworkState | None:
    """The network as detectors see it: without its clock and block height, which change every cycle
    (no detector judges by them), so a steady network is the same input cycle after cycle."""
    if network is None:
        return None
    return replace(network, observed_at=_NO_TIME, schedule=None)


class FactsCollector(Protocol):
    """Adds per-node data for detectors (``NodeFacts.extra[name]``), read inside the cycle's
    transaction; a node it has nothing for is absent from the mapping (its detectors read unknown)."""

    name: str

    async def collect(self, conn: Conn, node_ids: list[uuid.UUID]) -> Mapping[uuid.UUID, object]: ...


class AlertEngine:
    """The poller's :class:`~bot.domain.status.CycleObserver`."""

    def __init__(
        self,
        config: Config,
        metrics: AlertMetrics | None = None,
        *,
        conditions: ConditionTable = CONDITIONS,
        collectors: Sequence[FactsCollector] = (),
        catalogs: Catalogs | None = None,
    ) -> None:
        self._config = config
        #: each recipient's messages are rendered in their language
        self._catalogs = catalogs or Catalogs()
        self._table = conditions
        self._rules = Rules.from_config(config, conditions)
        self._options = Options(llr_warning_share=config.alerts.llr_warning_share)
        self._metrics = metrics
        self._collectors = tuple(collectors)
        #: per node, what its detectors read and said last cycle (:class:`_Memo`)
        self._memo: dict[uuid.UUID, _Memo] = {}
        self._memo_network: NetworkState | None = None

    @property
    def conditions(self) -> ConditionTable:
        return self._table

    async def on_cycle(self, conn: Conn, report: CycleReport) -> None:
        async with conn.transaction():  # a savepoint inside the poller's transaction
            first_cycle = not await alert_state_db.any_state(conn)
            node_events, problems = await self._node_transitions(conn, report)
            node_events += await standing_events(
                conn, self._table, report.finished_at, problems, first_cycle=first_cycle
            )
            source_events = await self._source_transitions(conn, report)
            now = report.finished_at
            notifications = []
            if node_events:
                incidents = find_incidents(self._config, report, node_events)
                plan = await node_recipients(conn, self._config, node_events, now)
                notifications += await build_node_notifications(
                    conn,
                    self._config,
                    plan.deliveries,
                    detected_at=now,
                    incidents=incidents,
                    watchers=plan.watchers,
                    catalogs=self._catalogs,
                )
                for incident in {i.key: i for i in incidents.values()}.values():
                    log.warning(
                        "incident %s: %d nodes (%s)", incident.key, len(incident.node_ids), incident.title
                    )
                if self._metrics is not None:
                    for platform, reason in plan.suppressed:
                        self._metrics.suppressed.labels(platform, reason).inc()
                    for e in node_events:
                        if e.condition is not None:
                            self._metrics.condition_events.labels(e.condition.metric, e.kind.value).inc()
            if source_events:
                targets = await admin_targets(conn, self._config)
                notifications += build_source_notifications(self._config, targets, source_events)
            await enqueue(conn, notifications)
            recovered = [e.node_id for e in node_events if e.kind is EventKind.RECOVERY]
            await alert_recipients.end_until_resolved_mutes(conn, recovered)
            await mutes_db.end_resolved_channel_mutes(conn, recovered)
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

    async def _extra(self, conn: Conn, node_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, object]]:
        out: dict[uuid.UUID, dict[str, object]] = {}
        for collector in self._collectors:
            for node_id, data in (await collector.collect(conn, node_ids)).items():
                out.setdefault(node_id, {})[collector.name] = data
        return out

    async def _node_transitions(
        self, conn: Conn, report: CycleReport
    ) -> tuple[list[NodeEvent], dict[tuple[uuid.UUID, str], Reading]]:
        """Every group of every observed node stepped; the events, and this cycle's problem readings."""
        observations = {o.node_id: o for o in report.observations}
        node_ids = list(observations)
        table, options = self._table, self._options
        groups = list(table.groups)
        states = await load_states(conn, node_ids)
        unseen = await unseen_groups(conn, node_ids, groups)
        extra = await self._extra(conn, node_ids) if self._collectors else {}
        network = _detector_network(report.network)
        if network != self._memo_network:  # every memo was read against another network
            self._memo = {}
            self._memo_network = network
        with_rows = {node_id for node_id, _ in states}
        memo: dict[uuid.UUID, _Memo] = {}
        previous = self._memo
        self._memo = {}  # until this cycle's states are known to be stepped
        changed: list[AlertState] = []
        quieted: list[tuple[uuid.UUID, str]] = []
        seen: list[tuple[uuid.UUID, str]] = []
        events: list[NodeEvent] = []
        problems: dict[tuple[uuid.UUID, str], Reading] = {}
        counts: Counter[tuple[str, str]] = Counter()
        by_states: Counter[tuple[tuple[str, str], ...]] = Counter()
        skipped = 0
        for i, (node_id, obs) in enumerate(observations.items(), 1):
            if i % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # 10,000 nodes: let commands run between slices
            key = _OBS_KEY(obs)
            node_extra = extra.get(node_id, _NO_EXTRA)
            last = previous.get(node_id)
            node_seen = unseen.get(node_id)
            if (
                last is not None
                and last.quiet
                and node_id not in with_rows
                and last.obs == key
                and last.extra == node_extra
                and (node_seen is None or last.known <= node_seen)
            ):
                memo[node_id] = last  # stepping it would change nothing
                by_states[last.states] += 1
                skipped += 1
                continue
            readings = table.read(NodeFacts(obs, network, options, node_extra))
            cycle_states = tuple((table[name].metric, r.state.value) for name, r in readings.items())
            by_states[cycle_states] += 1
            quiet, known = True, set()
            for gr in table.read_groups(readings):
                if gr.value is not None:
                    known.add(gr.group)
                    quiet = quiet and gr.value == OK_VALUE
                if gr.condition is not None:
                    problems[(node_id, gr.group)] = gr.reading
                stored = states.get((node_id, gr.group))
                old = stored
                if old is None and (node_seen is None or gr.group in node_seen):
                    if gr.value is None or gr.value == OK_VALUE:
                        continue  # a seen group with no row, ok or unknown: it stays as it is
                    old = quiet_state(node_id, gr.group, obs.observed_at)
                new, event = step(
                    old,
                    Seen.of(obs, gr),
                    self._rules,
                    table,
                    poc_phase=report.offline_held,
                    now=report.finished_at,
                )
                if event is not None:
                    events.append(event)
                if new is None:
                    continue
                if old is None:
                    seen.append((node_id, gr.group))  # first sight: the silent baseline
                if is_quiet(new):
                    if stored is not None:
                        quieted.append((node_id, gr.group))
                elif stored is None or (new is not stored and new != stored):
                    changed.append(new)
            memo[node_id] = _Memo(key, node_extra, quiet, frozenset(known), cycle_states)
        for cycle_states, n in by_states.items():
            for metric_state in cycle_states:
                counts[metric_state] += n
        await record_seen(conn, seen, report.finished_at)
        await save_states(conn, changed)
        await delete_states(conn, quieted)
        self._memo = memo
        if skipped:
            log.debug("alert step: %d of %d nodes unchanged and ok, not stepped", skipped, len(observations))
        if self._metrics is not None:
            gauge = self._metrics.nodes_by_condition
            for c in table:
                for st in State:
                    gauge.labels(c.metric, st.value).set(counts.get((c.metric, st.value), 0))
        return events, problems

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
