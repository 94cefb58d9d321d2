"""One user's digest as a platform-neutral :class:`~bot.render.message.Message` in their language
(pure: data in, text out)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from uuid import UUID

from bot.db.digests import DigestNode, EpochIncome, SentAlert
from bot.domain.formatting import format_duration, format_gnk
from bot.domain.network import NetworkState
from bot.domain.node_stats import NGONKA_PER_GNK
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Message, Span

Line = tuple[Span, ...]

#: alert titles listed by name; the rest are counted
MAX_ALERTS_LISTED = 5
#: network data older than this is shown with its age
STALE_NETWORK = timedelta(minutes=15)
_STATUS: dict[str, tuple[str, str]] = {
    "healthy": ("🟢", N_("healthy")),
    "unhealthy": ("🟡", N_("unhealthy")),
    "jailed": ("🔴", N_("jailed")),
    "offline": ("⚫", N_("offline")),
    "unknown": ("⚪", N_("unknown")),
}


@dataclass(frozen=True, slots=True)
class DigestData:
    """What one digest shows; every time is shown in ``zone``, every word in ``t``'s language."""

    t: Translator
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


def _status(t: Translator, status: str | None) -> str:
    icon, word = _STATUS.get(status or "unknown", _STATUS["unknown"])
    return f"{icon} {t(word)}"


def compose_digest(d: DigestData) -> Message:
    t = d.t
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
        title=t("Daily digest · {date}", date=t.when(local, pattern="EEE d MMM")),
        lines=tuple(lines),
        footer=t("Times in {zone}. Change or stop: /digest", zone=d.zone_name),
    )


def _nodes(d: DigestData) -> list[Line]:
    t = d.t
    if not d.nodes:
        return [(Span(text=t("No nodes are linked to your account yet.")),)]
    counts = Counter(n.status or "unknown" for n in d.nodes)
    summary = ", ".join(
        f"{n} {t(_STATUS.get(status, _STATUS['unknown'])[1])}"
        for status, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    out: list[Line] = [(_bold(t("Your nodes ({count}): ", count=len(d.nodes))), Span(text=summary))]
    for n in d.nodes:
        reason = f" — {n.status_reason}" if n.status_reason and n.status not in (None, "healthy") else ""
        out.append((_bold(n.label), Span(text=f": {_status(t, n.status)}{reason}")))
    return out


def _earnings(d: DigestData) -> list[Line]:
    t = d.t
    incomes = [d.last_epochs[n.node_id] for n in d.nodes if n.node_id in d.last_epochs]
    if not incomes:
        return [(_bold(t("Last settled epoch: ")), Span(text=t("no settled income recorded yet.")))]
    epoch = max(i.epoch_id for i in incomes)
    in_epoch = {i.node_id: i.income_ngonka for i in incomes if i.epoch_id == epoch}
    total = sum(in_epoch.values(), Decimal(0)) / NGONKA_PER_GNK
    out: list[Line] = [
        (_bold(t("Last settled epoch {epoch}: ", epoch=epoch)), Span(text=format_gnk(total), style="code"))
    ]
    if len(d.nodes) > 1:
        for n in d.nodes:
            amount = in_epoch.get(n.node_id)
            shown = t("nothing recorded") if amount is None else format_gnk(amount / NGONKA_PER_GNK)
            out.append((Span(text=f"  {n.label}: {shown}"),))
    return out


def _alerts(d: DigestData) -> list[Line]:
    t = d.t
    if not d.alerts:
        return [(_bold(t("Alerts in the last 24 hours: ")), Span(text=t("none.")))]
    out: list[Line] = [(_bold(t("Alerts in the last 24 hours: {count}", count=len(d.alerts))),)]
    for a in d.alerts[-MAX_ALERTS_LISTED:]:
        out.append((Span(text=f"  {a.created_at.astimezone(d.zone):%H:%M} {a.title or a.kind}"),))
    if len(d.alerts) > MAX_ALERTS_LISTED:
        out.append((Span(text="  " + t("… and {count} earlier", count=len(d.alerts) - MAX_ALERTS_LISTED)),))
    return out


def _at(when: datetime, d: DigestData) -> str:
    local = when.astimezone(d.zone)
    same_day = local.date() == d.now.astimezone(d.zone).date()
    return f"{local:%H:%M}" if same_day else d.t.when(local, pattern="EEE HH:mm")


def _schedule(d: DigestData) -> list[Line]:
    t = d.t
    net = d.network
    if net is None or net.schedule is None:
        return [(_bold(t("Next PoC: ")), Span(text=t("not known yet (no tracker reports it).")))]
    out: list[Line] = []
    if net.phase_text():
        out.append((_bold(t("Now: {phase}. ", phase=net.phase_text())), Span(text=t("Do not upgrade now."))))
    sched = net.schedule
    poc_at = sched.next_poc_at(net.observed_at)
    if poc_at is None:
        text = t("at block {height} (the time is not known yet).", height=f"{sched.next_poc_height:,}")
        out.append((_bold(t("Next PoC: ")), Span(text=text)))
        return out
    wait = format_duration(max(poc_at - d.now, timedelta(0)))
    out.append(
        (_bold(t("Next PoC: ")), Span(text=t("about {time} (in {wait})", time=_at(poc_at, d), wait=wait)))
    )
    window = sched.upgrade_window(net.observed_at, d.upgrade_window_blocks)
    if window is not None and window[1] > d.now:
        start, end = window
        text = t(
            "about {start}–{end}, if no confirmation PoC is running then; one machine at a time.",
            start=_at(max(start, d.now), d),
            end=_at(end, d),
        )
        out.append((_bold(t("Safe upgrade window: ")), Span(text=text)))
    if d.now - net.observed_at > STALE_NETWORK:
        out.append(
            (Span(text=t("(network data from {time})", time=_at(net.observed_at, d)), style="italic"),)
        )
    return out
