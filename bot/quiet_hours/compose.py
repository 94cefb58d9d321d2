"""The one message a quiet window ends with: what it held, in order, a recovery folded into its alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from uuid import UUID

from bot.db.quiet_hours import HeldNotification
from bot.i18n.catalogs import Translator
from bot.render.message import Message, Severity, Span

Line = tuple[Span, ...]


@dataclass(slots=True)
class _Entry:
    held: HeldNotification
    message: Message
    recovered: list[str] = field(default_factory=list)


def compose_fold(held: Sequence[HeldNotification], zone: tzinfo, t: Translator) -> Message:
    """``held``: one chat's held rows, oldest first; the frame in ``t``'s language (the held messages
    themselves as they were written)."""
    entries: list[_Entry] = []
    by_incident: dict[UUID, _Entry] = {}
    for h in held:
        message = Message.model_validate(h.payload)
        opened = [by_incident[i] for i in h.incident_ids if i in by_incident]
        if h.kind == "node_recovery" and h.incident_ids and len(opened) == len(h.incident_ids):
            for target in {id(e): e for e in opened}.values():
                target.recovered.append(f"{h.created_at.astimezone(zone):%H:%M}")
            continue
        entry = _Entry(h, message)
        entries.append(entry)
        for i in h.incident_ids:
            by_incident.setdefault(i, entry)
    lines: list[Line] = []
    for e in entries:
        if lines:
            lines.append(())
        head = f"{e.held.created_at.astimezone(zone):%H:%M} {e.message.title or ''}".rstrip()
        header: list[Span] = [Span(text=head, style="bold")]
        if e.recovered:
            header.append(Span(text=" → " + t("recovered {time}", time=", ".join(e.recovered))))
        lines.append(tuple(header))
        lines.extend(e.message.lines)
    severity: Severity = (
        "warning" if any(e.message.severity != "success" and not e.recovered for e in entries) else "success"
    )
    return Message(
        title=t("While your quiet hours were on ({count} held)", count=len(held)),
        severity=severity,
        lines=tuple(lines),
        footer=t("Held by /quiet. Urgent alerts are never held."),
    )
