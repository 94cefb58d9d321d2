"""Alert text and grouping: one message per recipient per cycle and category.

A cycle's events for one target become at most three messages: the new problems (ten nodes down →
one message listing all ten), the recoveries (a reply to the original alert) and the reminders.
Every notification has a dedup key built from its target and its events, so processing the same
transition twice never enqueues it twice.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from bot.alerts.events import EventKind, NodeEvent, SourceEvent, SourceEventKind
from bot.alerts.incidents import Incident, incident_of
from bot.config import Config
from bot.db.alert_recipients import NodeLabel, node_labels
from bot.db.outbox import NewNotification
from bot.db.types import Executor
from bot.domain.conditions import Condition, State
from bot.domain.platforms import Target
from bot.domain.tracker import tracker_link
from bot.render.message import Button, Message, Severity, Span, Style

Line = tuple[Span, ...]


def _sp(text: str, style: Style = "plain", url: str | None = None) -> Span:
    """A span built without re-validation (every value here is ours; a cycle may compose thousands)."""
    return Span.model_construct(text=text, style=style, url=url)


def _btn(label: str, action: str, args: tuple[str, ...]) -> Button:
    return Button.model_construct(label=label, action=action, args=args, url=None)


MUTE_DURATIONS = (("1h", "1h"), ("24h", "24h"), ("resolved", "until resolved"))
#: node rows of buttons under a multi-node alert (Discord allows five rows of buttons)
MAX_BUTTON_ROWS = 4


def fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def fmt_duration(d: timedelta) -> str:
    total = max(int(d.total_seconds()), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def _tracker_line(config: Config, node: NodeLabel, epoch_id: int | None, text: str, indent: str = "") -> Line:
    """A link to the node's participant on the tracker (none when its account is not known)."""
    url = tracker_link(config.trackers.tracker_link, node.identifier, epoch_id)
    if url is None:
        return ()
    return (_sp(indent), _sp(text, "link", url)) if indent else (_sp(text, "link", url),)


def _node_spans(node: NodeLabel) -> Line:
    if node.display_name and node.display_name != node.identifier:
        return (
            _sp(node.display_name, "bold"),
            _sp(" · "),
            _sp(node.identifier, "code"),
        )
    return (_sp(node.identifier, "code"),)


def _title(e: NodeEvent) -> str:
    if e.condition is None:
        return e.status
    title = e.condition.texts.title
    return f"{title} (warning)" if e.level is State.WARNING else title


def _happened(e: NodeEvent) -> str:
    if e.reading is not None and e.reading.summary:
        return e.reading.summary
    return e.condition.texts.what if e.condition is not None else e.status


def _cost(e: NodeEvent) -> str | None:
    if e.reading is not None and e.reading.cost:
        return e.reading.cost
    return e.condition.texts.cost if e.condition is not None else None


def _numbers(e: NodeEvent, indent: str = "") -> Iterator[Line]:
    if e.reading is None:
        return
    for label, value in e.reading.numbers:
        yield (_sp(f"{indent}{label}: {value}"),)


def _what_to_do(events: Sequence[NodeEvent]) -> tuple[Line, ...]:
    conditions = {e.condition.name: e.condition for e in events if e.condition is not None}
    return _advice(tuple(conditions[n] for n in sorted(conditions)), many=len(events) > 1)


@functools.cache
def _advice(conditions: tuple[Condition, ...], *, many: bool) -> tuple[Line, ...]:
    lines: list[Line] = []
    for c in conditions:
        if many:  # one node's message says the cost with its details
            lines.append((_sp(f"{c.texts.title}:", "bold"), _sp(" " + c.texts.what)))
            lines.append((_sp("What it costs: "), _sp(c.texts.cost)))
        if not c.texts.todo:
            continue
        lines.append((_sp(f"What to do ({c.texts.title}):", "bold"),))
        lines.extend((_sp(t),) for t in c.texts.todo)
        if c.texts.command:
            lines.append((_sp(c.texts.command, "code"),))
    return tuple(lines)


def _mute_buttons(node_id: str, label: str | None = None) -> tuple[Button, ...]:
    prefix = f"Mute {label} " if label else "Mute "
    return tuple(_btn(f"🔕 {prefix}{text}", "mute", (node_id, arg)) for arg, text in MUTE_DURATIONS)


def _details_button(node_id: str, label: str | None = None) -> Button:
    return _btn(f"ℹ️ {label}" if label else "ℹ️ Details", "details", (node_id,))


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _buttons(
    events: Sequence[NodeEvent], nodes: dict[UUID, NodeLabel], *, mute: bool
) -> tuple[tuple[Button, ...], ...]:
    if len(events) == 1:
        node_id = str(events[0].node_id)
        rows: list[tuple[Button, ...]] = []
        if mute:
            rows.append(_mute_buttons(node_id))
        rows.append((_details_button(node_id),))
        return tuple(rows)
    rows = []
    for event in events[:MAX_BUTTON_ROWS]:
        node_id, label = str(event.node_id), _short(nodes[event.node_id].label)
        row: tuple[Button, ...] = (_details_button(node_id, label),)
        if mute:
            row += (
                _btn("🔕 1h", "mute", (node_id, "1h")),
                _btn("🔕 24h", "mute", (node_id, "24h")),
                _btn("🔕 until resolved", "mute", (node_id, "resolved")),
            )
        rows.append(row)
    if mute:
        rows.append(tuple(_btn(f"🔕 All {text}", "mute", ("all", arg)) for arg, text in MUTE_DURATIONS))
    return tuple(rows)


def _footer(events: Sequence[NodeEvent]) -> str:
    epoch = next((e.epoch_id for e in events if e.epoch_id is not None), None)
    at = events[0].at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"MineGNK · {'epoch ' + str(epoch) + ' · ' if epoch is not None else ''}detected {at}"


@dataclasses.dataclass(frozen=True)
class _Shape:
    """The shape every node message shares: one node in full (its details, then a tracker link), or
    a bullet per node with its details; then what to do about the statuses, when ``advice``."""

    title_one: Callable[[NodeEvent, NodeLabel], str]
    title_many: str
    details_one: Callable[[NodeEvent, Config], Iterable[Line]]
    details_many: Callable[[NodeEvent, NodeLabel, Config], Iterable[Line]]
    severity: Callable[[Sequence[NodeEvent]], Severity]
    advice: bool
    mute: bool

    def compose(self, events: Sequence[NodeEvent], nodes: dict[UUID, NodeLabel], config: Config) -> Message:
        lines: list[Line] = []
        if len(events) == 1:
            e = events[0]
            node = nodes[e.node_id]
            title = self.title_one(e, node)
            lines.append(_node_spans(node))
            lines.extend(self.details_one(e, config))
            if link := _tracker_line(config, node, e.epoch_id, "Open in tracker"):
                lines.append(link)
        else:
            title = self.title_many.format(n=len(events))
            for e in events:
                node = nodes[e.node_id]
                lines.append((_sp("• "), *_node_spans(node)))
                lines.extend(self.details_many(e, node, config))
        if self.advice:
            lines.append((_sp(""),))
            lines.extend(_what_to_do(events))
        return _message(
            title=title,
            severity=self.severity(events),
            lines=tuple(lines),
            buttons=_buttons(events, nodes, mute=self.mute),
            footer=_footer(events),
        )


def _problem_one(e: NodeEvent, config: Config) -> Iterator[Line]:
    yield (_sp(f"What happened: {_happened(e)}"),)
    yield (_sp(f"Since: {fmt_time(e.since)}"),)
    if e.kind is EventKind.CHANGE:
        yield (_sp(f"Problem since: {fmt_time(e.incident_started_at)}"),)
    yield from _numbers(e)
    if (cost := _cost(e)) is not None:
        yield (_sp("What it costs:", "bold"), _sp(" " + cost))


def _problem_many(e: NodeEvent, node: NodeLabel, config: Config) -> Iterator[Line]:
    numbers = " · ".join(f"{label}: {value}" for label, value in (e.reading.numbers if e.reading else ()))
    yield (_sp(f"   {_title(e)} since {fmt_time(e.since)}" + (f" · {numbers}" if numbers else "")),)
    if e.reading is not None and e.reading.summary:
        yield (_sp(f"   {e.reading.summary}"),)
    if e.reading is not None and e.reading.cost:
        yield (_sp(f"   What it costs: {e.reading.cost}"),)
    if link := _tracker_line(config, node, e.epoch_id, "tracker", "   "):
        yield link


def _problem_severity(events: Sequence[NodeEvent]) -> Severity:
    return "critical" if any(e.urgent for e in events) else "warning"


def _recovery_text(e: NodeEvent) -> str:
    return e.condition.texts.recovery if e.condition is not None else "Back to normal."


def _recovery_one(e: NodeEvent, config: Config) -> Iterator[Line]:
    yield (_sp(f"What changed: {_title(e)} ended. {_recovery_text(e)}"),)
    yield (_sp(f"Healthy since: {fmt_time(e.since)}"),)
    yield (_sp(f"Down for {fmt_duration(e.duration)} (since {fmt_time(e.incident_started_at)})"),)


def _recovery_many(e: NodeEvent, node: NodeLabel, config: Config) -> Iterator[Line]:
    text = f"   {_title(e)} ended {fmt_time(e.since)} · down for {fmt_duration(e.duration)}"
    yield (_sp(text),)


def _reminder_one(e: NodeEvent, config: Config) -> Iterator[Line]:
    yield (_sp(f"{_title(e)} since {fmt_time(e.since)} (problem for {fmt_duration(e.duration)})"),)
    yield (_sp(f"What happened: {_happened(e)}"),)
    yield from _numbers(e)
    yield (_sp(f"Reminder {e.reminder_no} of {config.alerts.reminder_max}"),)


def _reminder_many(e: NodeEvent, node: NodeLabel, config: Config) -> Iterator[Line]:
    text = (
        f"   {_title(e)} since {fmt_time(e.since)} · problem for {fmt_duration(e.duration)} · "
        f"reminder {e.reminder_no} of {config.alerts.reminder_max}"
    )
    yield (_sp(text),)


def _standing_one(e: NodeEvent, config: Config) -> Iterator[Line]:
    yield (_sp("You just started watching this node, and it already has this problem."),)
    yield from _problem_one(e, config)


#: new alerts and changes of open incidents (healthy → jailed, offline → jailed …)
PROBLEMS = _Shape(
    title_one=lambda e, node: f"{_title(e)}: {node.label}",
    title_many="{n} nodes need attention",
    details_one=_problem_one,
    details_many=_problem_many,
    severity=_problem_severity,
    advice=True,
    mute=True,
)
RECOVERIES = _Shape(
    title_one=lambda e, node: f"Recovered: {node.label}",
    title_many="{n} nodes recovered",
    details_one=_recovery_one,
    details_many=_recovery_many,
    severity=lambda events: "success",
    advice=False,
    mute=False,
)
REMINDERS = _Shape(
    title_one=lambda e, node: f"Still {_title(e).lower()}: {node.label}",
    title_many="{n} nodes still need attention",
    details_one=_reminder_one,
    details_many=_reminder_many,
    severity=lambda events: "critical",
    advice=True,
    mute=True,
)
STANDING = _Shape(
    title_one=lambda e, node: f"Already {_title(e).lower()}: {node.label}",
    title_many="{n} problems your nodes already have",
    details_one=_standing_one,
    details_many=_problem_many,
    severity=_problem_severity,
    advice=True,
    mute=True,
)
compose_problems = PROBLEMS.compose
compose_recoveries = RECOVERIES.compose
compose_reminders = REMINDERS.compose
compose_standing = STANDING.compose


def _message(
    *,
    title: str,
    severity: Severity,
    lines: tuple[Line, ...],
    buttons: tuple[tuple[Button, ...], ...],
    footer: str,
) -> Message:
    """A message from parts already of the model's types (no re-validation of thousands per cycle)."""
    return Message.model_construct(
        title=title, severity=severity, lines=lines, fields=(), buttons=buttons, footer=footer, url=None
    )


def dedup_key(kind: str, target: Target, event_keys: Iterable[str]) -> str:
    digest = hashlib.sha256("|".join(sorted(event_keys)).encode()).hexdigest()[:32]
    return f"{kind}:{target.platform}:{target.kind}:{target.target_id}:{digest}"


_CATEGORIES = (
    ("node_alert", (EventKind.ALERT, EventKind.CHANGE), compose_problems),
    ("node_recovery", (EventKind.RECOVERY,), compose_recoveries),
    ("node_reminder", (EventKind.REMINDER,), compose_reminders),
    ("node_standing", (EventKind.STANDING,), compose_standing),
)


def _unique(ids: Iterable[UUID]) -> tuple[UUID, ...]:
    return tuple(dict.fromkeys(ids))


async def build_node_notifications(
    db: Executor,
    config: Config,
    deliveries: dict[Target, list[NodeEvent]],
    *,
    detected_at: datetime,
    incidents: Mapping[UUID, Incident] | None = None,
    watchers: Mapping[UUID, set[UUID]] | None = None,
) -> list[NewNotification]:
    """One notification per target and category, listing every node event of the cycle; the new
    problems of an incident (many nodes, one cause) as one message per owner naming it, and one
    summary with counts per channel."""
    nodes = await node_labels(db, sorted({e.node_id for evs in deliveries.values() for e in evs}))
    out: list[NewNotification] = []
    for target in sorted(deliveries):
        events = deliveries[target]
        if incidents:
            events = out_of_incidents(
                target, events, incidents, nodes, config, watchers or {}, detected_at, out
            )
        for kind, kinds, compose in _CATEGORIES:
            group = [e for e in events if e.kind in kinds and e.node_id in nodes]
            if not group:
                continue
            group.sort(key=lambda e: (nodes[e.node_id].label.lower(), nodes[e.node_id].identifier))
            replying = all(e.kind is not EventKind.ALERT for e in group)
            out.append(
                NewNotification(
                    platform=target.platform,
                    target_kind=target.kind,
                    target_id=target.target_id,
                    kind=kind,
                    message=compose(group, nodes, config),
                    dedup_key=dedup_key(kind, target, (e.key for e in group)),
                    incident_ids=_unique(e.incident_id for e in group),
                    reply_to_incident=group[0].incident_id if replying else None,
                    detected_at=detected_at,
                    conditions=tuple(dict.fromkeys(e.problem for e in group)),
                )
            )
    return out


def out_of_incidents(
    target: Target,
    events: list[NodeEvent],
    incidents: Mapping[UUID, Incident],
    nodes: dict[UUID, NodeLabel],
    config: Config,
    watchers: Mapping[UUID, set[UUID]],
    detected_at: datetime,
    out: list[NewNotification],
) -> list[NodeEvent]:
    """Append the incident messages of ``target`` to ``out``; the events left for the usual ones."""
    by_incident: dict[str, tuple[Incident, list[NodeEvent]]] = {}
    rest: list[NodeEvent] = []
    for e in events:
        incident = incident_of(incidents, e)
        if incident is None or e.node_id not in nodes:
            rest.append(e)
        else:
            by_incident.setdefault(incident.key, (incident, []))[1].append(e)
    for incident, group in by_incident.values():
        group.sort(key=lambda e: (nodes[e.node_id].label.lower(), nodes[e.node_id].identifier))
        if target.kind == "channel":
            owners = set().union(*(watchers.get(n, set()) for n in incident.node_ids))
            message = compose_incident_summary(incident, group, len(owners))
        else:
            message = compose_incident(incident, group, nodes, config)
        out.append(
            NewNotification(
                platform=target.platform,
                target_kind=target.kind,
                target_id=target.target_id,
                kind="node_incident",
                message=message,
                dedup_key=dedup_key("node_incident", target, (e.key for e in group)),
                incident_ids=_unique(e.incident_id for e in group),
                detected_at=detected_at,
                conditions=tuple(dict.fromkeys(e.problem for e in group)),
            )
        )
    return rest


def _share_text(incident: Incident) -> str | None:
    if incident.weight_share is None:
        return None
    return f"{incident.weight_share * 100:.1f} % of the network's weight"


def compose_incident(
    incident: Incident, events: Sequence[NodeEvent], nodes: dict[UUID, NodeLabel], config: Config
) -> Message:
    """One owner's message: the incident named, then their affected nodes."""
    lines: list[Line] = [
        (
            _sp(
                f"One cause hit {len(incident.node_ids)} watched nodes at once"
                + (f" ({share})" if (share := _share_text(incident)) else "")
                + "."
            ),
        ),
        (_sp(f"Your affected nodes ({len(events)}):", "bold"),),
    ]
    for e in events:
        node = nodes[e.node_id]
        lines.append((_sp("• "), *_node_spans(node)))
        lines.extend(_problem_many(e, node, config))
    lines.append((_sp(""),))
    lines.extend(
        _advice(tuple({e.condition.name: e.condition for e in events if e.condition}.values()), many=True)
    )
    return _message(
        title=f"Incident: {incident.title}",
        severity=_problem_severity(events),
        lines=tuple(lines),
        buttons=_buttons(events, nodes, mute=True),
        footer=_footer(events),
    )


def compose_incident_summary(incident: Incident, events: Sequence[NodeEvent], owners: int) -> Message:
    """The admin channel's summary: counts, not a line per node."""
    lines: list[Line] = [
        (_sp(f"Nodes hit: {len(incident.node_ids)}"),),
        (_sp(f"Owners told: {owners}"),),
    ]
    if (share := _share_text(incident)) is not None:
        lines.append((_sp(f"Weight: {share}"),))
    for title, n in incident.by_condition:
        lines.append((_sp(f"{title}: {n}"),))
    return _message(
        title=f"Incident: {incident.title}",
        severity=_problem_severity(events),
        lines=tuple(lines),
        buttons=(),
        footer=_footer(events),
    )


def compose_sources(events: Sequence[SourceEvent]) -> Message:
    lines: list[Line] = []
    degraded = [e for e in events if e.kind is SourceEventKind.DEGRADED]
    restored = [e for e in events if e.kind is SourceEventKind.RESTORED]
    for e in degraded:
        last_ok = fmt_time(e.last_ok_at) if e.last_ok_at else "never in this database"
        lines.append((_sp(f"⚠️ {e.source}: failed {e.failures} cycles in a row", "bold"),))
        lines.append((_sp(f"   last answered: {last_ok}"),))
        if e.last_error:
            lines.append((_sp(f"   last error: {e.last_error[:300]}"),))
    if degraded:
        lines.append(
            (
                _sp(
                    (
                        "Nodes this source reports are unknown meanwhile: their state is kept "
                        "and no node alert comes from it until it is back."
                    )
                ),
            )
        )
    for e in restored:
        lines.append((_sp(f"✅ {e.source}: answering again", "bold"),))
        lines.append((_sp(f"   degraded since {fmt_time(e.since)} ({fmt_duration(e.at - e.since)})"),))
    if degraded and not restored:
        title = "Monitoring degraded: " + ", ".join(e.source for e in degraded)
    elif restored and not degraded:
        title = "Monitoring restored: " + ", ".join(e.source for e in restored)
    else:
        title = "Monitoring sources changed"
    return Message(
        title=title,
        severity="warning" if degraded else "success",
        lines=tuple(lines),
        footer=f"MineGNK · {events[0].at.strftime('%Y-%m-%d %H:%M:%S UTC')}",
    )


def build_source_notifications(
    config: Config, targets: Sequence[Target], events: Sequence[SourceEvent]
) -> list[NewNotification]:
    if not events:
        return []
    message = compose_sources(events)
    return [
        NewNotification(
            platform=t.platform,
            target_kind=t.kind,
            target_id=t.target_id,
            kind="monitoring",
            message=message,
            dedup_key=dedup_key("monitoring", t, (e.key for e in events)),
            detected_at=events[0].at,
        )
        for t in targets
    ]


def build_startup_notifications(
    targets: Sequence[Target], *, instance: str, started_at: datetime, details: Sequence[str]
) -> list[NewNotification]:
    message = Message(
        title="MineGNK Bot started",
        severity="info",
        lines=(
            (_sp("Instance: "), _sp(instance, "code")),
            (_sp(f"Started: {started_at.strftime('%Y-%m-%d %H:%M:%S UTC')}"),),
            *((_sp(d),) for d in details),
            (_sp("Alerts for every node are delivered to this chat."),),
        ),
    )
    return [
        NewNotification(
            platform=t.platform,
            target_kind=t.kind,
            target_id=t.target_id,
            kind="startup",
            message=message,
            dedup_key=dedup_key("startup", t, [instance, started_at.isoformat()]),
            detected_at=started_at,
        )
        for t in targets
    ]
