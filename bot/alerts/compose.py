"""Alert text and grouping: one message per recipient per cycle and category.

A cycle's events for one target become at most three messages: the new problems (ten nodes down →
one message listing all ten), the recoveries (a reply to the original alert) and the reminders.
Every notification has a dedup key built from its target and its events, so processing the same
transition twice never enqueues it twice; it does not depend on the language, so a restart after a
``/language`` change does not send the same alert again. A person's messages are rendered in their
language (:func:`bot.db.languages.languages_of`: their ``/language`` choice, else the platform locale
they last used, else English); channels' in English.
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
from bot.db import languages as languages_db
from bot.db.alert_recipients import NodeLabel, node_labels
from bot.db.outbox import NewNotification
from bot.db.types import Executor
from bot.domain.conditions import Condition, State
from bot.domain.formatting import unit_text
from bot.domain.platforms import Target
from bot.domain.tracker import tracker_link
from bot.i18n.catalogs import ENGLISH, NP_, Catalogs, Text, Translator
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


def fmt_duration(d: timedelta, t: Translator = ENGLISH) -> str:
    """``2d 3h``, ``3h 20m``, ``20m``, ``45s`` in the reader's language (``3 ч 20 мин``, ``3小时 20分钟``)."""
    total = max(int(d.total_seconds()), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{unit_text(days, 'd', t)} {unit_text(hours, 'h', t)}"
    if hours:
        return f"{unit_text(hours, 'h', t)} {unit_text(minutes, 'm', t)}"
    if minutes:
        return unit_text(minutes, "m", t)
    return unit_text(seconds, "s", t)


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


def _title(e: NodeEvent, t: Translator) -> str:
    if e.condition is None:
        return e.status
    title = t(e.condition.texts.title)
    return t("{title} (warning)", title=title) if e.level is State.WARNING else title


def _happened(e: NodeEvent, t: Translator) -> str:
    if e.reading is not None and e.reading.summary:
        return t.text(e.reading.summary)
    return t(e.condition.texts.what) if e.condition is not None else e.status


def _cost(e: NodeEvent, t: Translator) -> str | None:
    if e.reading is not None and e.reading.cost:
        return t.text(e.reading.cost)
    return t(e.condition.texts.cost) if e.condition is not None else None


def _number(t: Translator, label: Text, value: Text) -> str:
    return t("{label}: {value}", label=t.text(label), value=t.text(value))


def _numbers(e: NodeEvent, t: Translator, indent: str = "") -> Iterator[Line]:
    if e.reading is None:
        return
    for label, value in e.reading.numbers:
        yield (_sp(indent + _number(t, label, value)),)


def _what_to_do(events: Sequence[NodeEvent], t: Translator) -> tuple[Line, ...]:
    conditions = {e.condition.name: e.condition for e in events if e.condition is not None}
    return _advice(tuple(conditions[n] for n in sorted(conditions)), t, many=len(events) > 1)


@functools.cache
def _advice(conditions: tuple[Condition, ...], t: Translator, *, many: bool) -> tuple[Line, ...]:
    lines: list[Line] = []
    for c in conditions:
        title = t(c.texts.title)
        if many:  # one node's message says the cost with its details
            head = t("{title}:", title=title)
            lines.append((_sp(head, "bold"), _sp(_labelled(head, t(c.texts.what))[len(head) :])))
            lines.append((_sp(_labelled(t("What it costs:"), t(c.texts.cost))),))
        if not c.texts.todo:
            continue
        lines.append((_sp(t("What to do ({title}):", title=title), "bold"),))
        lines.extend((_sp(t(todo)),) for todo in c.texts.todo)
        if c.texts.command:
            lines.append((_sp(c.texts.command, "code"),))
    return tuple(lines)


def _mute_label(arg: str, t: Translator) -> str:
    """``1h``, ``24h``, ``until resolved`` in the reader's language."""
    if arg == "resolved":
        return t("until resolved")
    return unit_text(int(arg[:-1]), arg[-1], t)


def _mute_text(arg: str, t: Translator) -> str:
    """``Mute 1h``, ``Mute until resolved``."""
    if arg == "resolved":
        return t("Mute until resolved")
    return t("Mute {duration}", duration=unit_text(int(arg[:-1]), arg[-1], t))


def _mute_buttons(node_id: str, t: Translator) -> tuple[Button, ...]:
    return tuple(_btn("🔕 " + _mute_text(arg, t), "mute", (node_id, arg)) for arg, _ in MUTE_DURATIONS)


def _labelled(label: str, text: str) -> str:
    """``What it costs: …``: a label and its text, without a space after a full-width colon."""
    return label + text if label.endswith("：") else f"{label} {text}"


def _details_button(node_id: str, t: Translator, label: str | None = None) -> Button:
    return _btn(f"ℹ️ {label}" if label else "ℹ️ " + t("Details"), "details", (node_id,))


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _buttons(
    events: Sequence[NodeEvent], nodes: dict[UUID, NodeLabel], t: Translator, *, mute: bool
) -> tuple[tuple[Button, ...], ...]:
    if len(events) == 1:
        node_id = str(events[0].node_id)
        rows: list[tuple[Button, ...]] = []
        if mute:
            rows.append(_mute_buttons(node_id, t))
        rows.append((_details_button(node_id, t),))
        return tuple(rows)
    rows = []
    for event in events[:MAX_BUTTON_ROWS]:
        node_id, label = str(event.node_id), _short(nodes[event.node_id].label)
        row: tuple[Button, ...] = (_details_button(node_id, t, label),)
        if mute:
            row += tuple(
                _btn("🔕 " + _mute_label(arg, t), "mute", (node_id, arg)) for arg, _ in MUTE_DURATIONS
            )
        rows.append(row)
    if mute:
        rows.append(
            tuple(
                _btn("🔕 " + t("All {duration}", duration=_mute_label(arg, t)), "mute", ("all", arg))
                for arg, _ in MUTE_DURATIONS
            )
        )
    return tuple(rows)


def _footer(events: Sequence[NodeEvent], t: Translator) -> str:
    epoch = next((e.epoch_id for e in events if e.epoch_id is not None), None)
    at = t.utc(events[0].at, seconds=True)
    if epoch is None:
        return t("MineGNK · detected {time}", time=at)
    return t("MineGNK · epoch {epoch} · detected {time}", epoch=epoch, time=at)


@dataclasses.dataclass(frozen=True)
class _Shape:
    """The shape every node message shares: one node in full (its details, then a tracker link), or
    a bullet per node with its details; then what to do about the statuses, when ``advice``. Every
    text is in the reader's language (``t``)."""

    title_one: Callable[[NodeEvent, NodeLabel, Translator], str]
    #: the title of several nodes' message: singular and plural source strings of ``{n}``
    title_many: tuple[str, str]
    details_one: Callable[[NodeEvent, Config, Translator], Iterable[Line]]
    details_many: Callable[[NodeEvent, NodeLabel, Config, Translator], Iterable[Line]]
    severity: Callable[[Sequence[NodeEvent]], Severity]
    advice: bool
    mute: bool

    def compose(
        self,
        events: Sequence[NodeEvent],
        nodes: dict[UUID, NodeLabel],
        config: Config,
        t: Translator = ENGLISH,
    ) -> Message:
        lines: list[Line] = []
        if len(events) == 1:
            e = events[0]
            node = nodes[e.node_id]
            title = self.title_one(e, node, t)
            lines.append(_node_spans(node))
            lines.extend(self.details_one(e, config, t))
            if link := _tracker_line(config, node, e.epoch_id, t("Open in tracker")):
                lines.append(link)
        else:
            title = t.plural(*self.title_many, len(events))
            for e in events:
                node = nodes[e.node_id]
                lines.append((_sp("• "), *_node_spans(node)))
                lines.extend(self.details_many(e, node, config, t))
        if self.advice:
            lines.append((_sp(""),))
            lines.extend(_what_to_do(events, t))
        return _message(
            title=title,
            severity=self.severity(events),
            lines=tuple(lines),
            buttons=_buttons(events, nodes, t, mute=self.mute),
            footer=_footer(events, t),
        )


def _problem_one(e: NodeEvent, config: Config, t: Translator) -> Iterator[Line]:
    yield (_sp(t("What happened: {text}", text=_happened(e, t))),)
    yield (_sp(t("Since: {time}", time=t.utc(e.since))),)
    if e.kind is EventKind.CHANGE:
        yield (_sp(t("Problem since: {time}", time=t.utc(e.incident_started_at))),)
    yield from _numbers(e, t)
    if (cost := _cost(e, t)) is not None:
        head = t("What it costs:")
        yield (_sp(head, "bold"), _sp(_labelled(head, cost)[len(head) :]))


def _problem_many(e: NodeEvent, node: NodeLabel, config: Config, t: Translator) -> Iterator[Line]:
    numbers = " · ".join(
        _number(t, label, value) for label, value in (e.reading.numbers if e.reading else ())
    )
    since = t("{title} since {time}", title=_title(e, t), time=t.utc(e.since))
    yield (_sp("   " + since + (f" · {numbers}" if numbers else "")),)
    if e.reading is not None and e.reading.summary:
        yield (_sp("   " + t.text(e.reading.summary)),)
    if e.reading is not None and e.reading.cost:
        yield (_sp("   " + _labelled(t("What it costs:"), t.text(e.reading.cost))),)
    if link := _tracker_line(config, node, e.epoch_id, t("tracker"), "   "):
        yield link


def _problem_severity(events: Sequence[NodeEvent]) -> Severity:
    return "critical" if any(e.urgent for e in events) else "warning"


def _recovery_text(e: NodeEvent, t: Translator) -> str:
    return t(e.condition.texts.recovery) if e.condition is not None else t("Back to normal.")


def _recovery_one(e: NodeEvent, config: Config, t: Translator) -> Iterator[Line]:
    yield (
        _sp(t("What changed: {title} ended. {recovery}", title=_title(e, t), recovery=_recovery_text(e, t))),
    )
    yield (_sp(t("Healthy since: {time}", time=t.utc(e.since))),)
    yield (
        _sp(
            t(
                "Down for {duration} (since {time})",
                duration=fmt_duration(e.duration, t),
                time=t.utc(e.incident_started_at),
            )
        ),
    )


def _recovery_many(e: NodeEvent, node: NodeLabel, config: Config, t: Translator) -> Iterator[Line]:
    text = t(
        "{title} ended {time} · down for {duration}",
        title=_title(e, t),
        time=t.utc(e.since),
        duration=fmt_duration(e.duration, t),
    )
    yield (_sp("   " + text),)


def _reminder_one(e: NodeEvent, config: Config, t: Translator) -> Iterator[Line]:
    yield (
        _sp(
            t(
                "{title} since {time} (problem for {duration})",
                title=_title(e, t),
                time=t.utc(e.since),
                duration=fmt_duration(e.duration, t),
            )
        ),
    )
    yield (_sp(t("What happened: {text}", text=_happened(e, t))),)
    yield from _numbers(e, t)
    yield (_sp(t("Reminder {n} of {total}", n=e.reminder_no, total=config.alerts.reminder_max)),)


def _reminder_many(e: NodeEvent, node: NodeLabel, config: Config, t: Translator) -> Iterator[Line]:
    text = t(
        "{title} since {time} · problem for {duration} · reminder {n} of {total}",
        title=_title(e, t),
        time=t.utc(e.since),
        duration=fmt_duration(e.duration, t),
        n=e.reminder_no,
        total=config.alerts.reminder_max,
    )
    yield (_sp("   " + text),)


def _standing_one(e: NodeEvent, config: Config, t: Translator) -> Iterator[Line]:
    yield (_sp(t("You just started watching this node, and it already has this problem.")),)
    yield from _problem_one(e, config, t)


#: new alerts and changes of open incidents (healthy → jailed, offline → jailed …)
PROBLEMS = _Shape(
    title_one=lambda e, node, t: t("{title}: {node}", title=_title(e, t), node=node.label),
    title_many=NP_("{n} node needs attention", "{n} nodes need attention"),
    details_one=_problem_one,
    details_many=_problem_many,
    severity=_problem_severity,
    advice=True,
    mute=True,
)
RECOVERIES = _Shape(
    title_one=lambda e, node, t: t("Recovered: {node}", node=node.label),
    title_many=NP_("{n} node recovered", "{n} nodes recovered"),
    details_one=_recovery_one,
    details_many=_recovery_many,
    severity=lambda events: "success",
    advice=False,
    mute=False,
)
REMINDERS = _Shape(
    title_one=lambda e, node, t: t("Still {title}: {node}", title=_title(e, t).lower(), node=node.label),
    title_many=NP_("{n} node still needs attention", "{n} nodes still need attention"),
    details_one=_reminder_one,
    details_many=_reminder_many,
    severity=lambda events: "critical",
    advice=True,
    mute=True,
)
STANDING = _Shape(
    title_one=lambda e, node, t: t("Already {title}: {node}", title=_title(e, t).lower(), node=node.label),
    title_many=NP_("{n} problem your nodes already have", "{n} problems your nodes already have"),
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
    catalogs: Catalogs | None = None,
) -> list[NewNotification]:
    """One notification per target and category, listing every node event of the cycle; the new
    problems of an incident (many nodes, one cause) as one message per owner naming it, and one
    summary with counts per channel. Each person's messages are in their language (one lookup for the
    cycle's recipients); channels' in English. The dedup keys do not depend on the language."""
    nodes = await node_labels(db, sorted({e.node_id for evs in deliveries.values() for e in evs}))
    people = [(t.platform, t.target_id) for t in sorted(deliveries) if t.kind == "user"]
    languages = await languages_db.languages_of(db, people) if people and catalogs is not None else {}
    out: list[NewNotification] = []
    for target in sorted(deliveries):
        language = languages.get((target.platform, target.target_id)) if target.kind == "user" else None
        t = catalogs.translator(language) if catalogs is not None else ENGLISH
        events = deliveries[target]
        if incidents:
            events = out_of_incidents(
                target, events, incidents, nodes, config, watchers or {}, detected_at, out, t
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
                    message=compose(group, nodes, config, t),
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
    t: Translator = ENGLISH,
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
            message = compose_incident_summary(incident, group, len(owners), t)
        else:
            message = compose_incident(incident, group, nodes, config, t)
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


def _share_text(incident: Incident, t: Translator) -> str | None:
    if incident.weight_share is None:
        return None
    return t("{percent} % of the network's weight", percent=f"{incident.weight_share * 100:.1f}")


def compose_incident(
    incident: Incident,
    events: Sequence[NodeEvent],
    nodes: dict[UUID, NodeLabel],
    config: Config,
    t: Translator = ENGLISH,
) -> Message:
    """One owner's message: the incident named, then their affected nodes."""
    n = len(incident.node_ids)
    share = _share_text(incident, t)
    hit = (
        t.plural(
            "One cause hit {n} watched node at once ({share}).",
            "One cause hit {n} watched nodes at once ({share}).",
            n,
            share=share,
        )
        if share
        else t.plural(
            "One cause hit {n} watched node at once.", "One cause hit {n} watched nodes at once.", n
        )
    )
    lines: list[Line] = [
        (_sp(hit),),
        (_sp(t("Your affected nodes ({count}):", count=len(events)), "bold"),),
    ]
    for e in events:
        node = nodes[e.node_id]
        lines.append((_sp("• "), *_node_spans(node)))
        lines.extend(_problem_many(e, node, config, t))
    lines.append((_sp(""),))
    lines.extend(
        _advice(tuple({e.condition.name: e.condition for e in events if e.condition}.values()), t, many=True)
    )
    return _message(
        title=t("Incident: {title}", title=t.text(incident.title)),
        severity=_problem_severity(events),
        lines=tuple(lines),
        buttons=_buttons(events, nodes, t, mute=True),
        footer=_footer(events, t),
    )


def compose_incident_summary(
    incident: Incident, events: Sequence[NodeEvent], owners: int, t: Translator = ENGLISH
) -> Message:
    """The admin channel's summary: counts, not a line per node."""
    lines: list[Line] = [
        (_sp(t("Nodes hit: {count}", count=len(incident.node_ids))),),
        (_sp(t("Owners told: {count}", count=owners)),),
    ]
    if (share := _share_text(incident, t)) is not None:
        lines.append((_sp(t("Weight: {share}", share=share)),))
    for title, n in incident.by_condition:
        lines.append((_sp(t("{title}: {count}", title=t(title), count=n)),))
    return _message(
        title=t("Incident: {title}", title=t.text(incident.title)),
        severity=_problem_severity(events),
        lines=tuple(lines),
        buttons=(),
        footer=_footer(events, t),
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
