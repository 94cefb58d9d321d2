"""One user's digest as a platform-neutral :class:`~bot.render.message.Message` (pure: data in, text out)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from uuid import UUID

from bot.db.digests import DigestNode, EpochIncome, SentAlert
from bot.domain.formatting import format_duration, format_gnk, status_badge
from bot.domain.network import NetworkState
from bot.domain.node_stats import NGONKA_PER_GNK
from bot.render.message import Message, Span

Line = tuple[Span, ...]

#: alert titles listed by name; the rest are counted
MAX_ALERTS_LISTED = 5
#: network data older than this is shown with its age
STALE_NETWORK = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DigestData:
    """What one digest shows; every time is shown in ``zone``."""

    zone: tzinfo
    zone_name: str
    now: datetime
    nodes: Sequence[DigestNode]
    last_epochs: dict[UUID, EpochIncome]
    alerts: Sequence[SentAlert]
    network: NetworkState | None
    upgrade_window_blocks: int


def _bold(text: str) -> Span:
    return Span(text=text, style="bold")


def compose_digest(d: DigestData) -> Message:
    lines: list[Line] = []
    lines.extend(_nodes(d))
    lines.append(())
    lines.extend(_earnings(d))
    lines.append(())
    lines.extend(_alerts(d))
    lines.append(())
    lines.extend(_schedule(d))
    local = d.now.astimezone(d.zone)
    return Message(
        title=f"Daily digest · {local:%a %d %b}",
        lines=tuple(lines),
        footer=f"Times in {d.zone_name}. Change or stop: /digest",
    )


def _nodes(d: DigestData) -> list[Line]:
    if not d.nodes:
        return [(Span(text="No nodes are linked to your account yet."),)]
    counts = Counter(n.status or "unknown" for n in d.nodes)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    out: list[Line] = [(Span(text=f"Your nodes ({len(d.nodes)}): ", style="bold"), Span(text=summary))]
    for n in d.nodes:
        reason = f" — {n.status_reason}" if n.status_reason and n.status not in (None, "healthy") else ""
        out.append((_bold(n.label), Span(text=f": {status_badge(n.status)}{reason}")))
    return out


def _earnings(d: DigestData) -> list[Line]:
    incomes = [d.last_epochs[n.node_id] for n in d.nodes if n.node_id in d.last_epochs]
    if not incomes:
        return [
            (Span(text="Last settled epoch: ", style="bold"), Span(text="no settled income recorded yet."))
        ]
    epoch = max(i.epoch_id for i in incomes)
    in_epoch = {i.node_id: i.income_ngonka for i in incomes if i.epoch_id == epoch}
    total = sum(in_epoch.values(), Decimal(0)) / NGONKA_PER_GNK
    out: list[Line] = [
        (Span(text=f"Last settled epoch {epoch}: ", style="bold"), Span(text=format_gnk(total), style="code"))
    ]
    if len(d.nodes) > 1:
        for n in d.nodes:
            amount = in_epoch.get(n.node_id)
            shown = "nothing recorded" if amount is None else format_gnk(amount / NGONKA_PER_GNK)
            out.append((Span(text=f"  {n.label}: {shown}"),))
    return out


def _alerts(d: DigestData) -> list[Line]:
    if not d.alerts:
        return [(Span(text="Alerts in the last 24 hours: ", style="bold"), Span(text="none."))]
    out: list[Line] = [(Span(text=f"Alerts in the last 24 hours: {len(d.alerts)}", style="bold"),)]
    for a in d.alerts[-MAX_ALERTS_LISTED:]:
        out.append((Span(text=f"  {a.created_at.astimezone(d.zone):%H:%M} {a.title or a.kind}"),))
    if len(d.alerts) > MAX_ALERTS_LISTED:
        out.append((Span(text=f"  … and {len(d.alerts) - MAX_ALERTS_LISTED} earlier"),))
    return out


def _at(when: datetime, d: DigestData) -> str:
    local = when.astimezone(d.zone)
    same_day = local.date() == d.now.astimezone(d.zone).date()
    return f"{local:%H:%M}" if same_day else f"{local:%a %H:%M}"


def _schedule(d: DigestData) -> list[Line]:
    net = d.network
    if net is None or net.schedule is None:
        return [(Span(text="Next PoC: ", style="bold"), Span(text="not known yet (no tracker reports it)."))]
    out: list[Line] = []
    if net.phase_text():
        out.append((Span(text=f"Now: {net.phase_text()}. ", style="bold"), Span(text="Do not upgrade now.")))
    sched = net.schedule
    poc_at = sched.next_poc_at(net.observed_at)
    if poc_at is None:
        out.append(
            (
                Span(text="Next PoC: ", style="bold"),
                Span(text=f"at block {sched.next_poc_height:,} (the time is not known yet)."),
            )
        )
        return out
    out.append(
        (
            Span(text="Next PoC: ", style="bold"),
            Span(text=f"about {_at(poc_at, d)} (in {format_duration(max(poc_at - d.now, timedelta(0)))})"),
        )
    )
    window = sched.upgrade_window(net.observed_at, d.upgrade_window_blocks)
    if window is not None and window[1] > d.now:
        start, end = window
        out.append(
            (
                Span(text="Safe upgrade window: ", style="bold"),
                Span(
                    text=f"about {_at(max(start, d.now), d)}–{_at(end, d)}, if no confirmation PoC is "
                    "running then; one machine at a time."
                ),
            )
        )
    if d.now - net.observed_at > STALE_NETWORK:
        out.append((Span(text=f"(network data from {_at(net.observed_at, d)})", style="italic"),))
    return out
