"""The caller's nodes: the list, one node's detail, name suggestions, and the ownership-checked lookup."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from bot.config import Config
from bot.db import network_state, stats_read
from bot.db import nodes as nodes_db
from bot.db.nodes import Node
from bot.db.stats_read import CachedNodeStats, DayEarning, RewardEstimate
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS, ConditionTable, Options
from bot.domain.formatting import format_age, format_gnk, format_percent, status_badge, unit_text
from bot.domain.identifiers import NodeIdentifier, parse_identifier
from bot.domain.tracker import UNJAIL_HINT, tracker_link
from bot.errors import InvalidInputError, UserError
from bot.i18n.catalogs import ENGLISH, N_, Translator
from bot.render.message import Button, Message, MessageField, Severity, Span
from bot.services import actions
from bot.services.authz import Authz
from bot.services.condition_states import ProbeReading, condition_lines, condition_readings, probe_facts
from bot.services.context import LinkedActor, Who
from bot.services.errors import NodeNotFoundError
from bot.services.language import LanguageService
from bot.services.network import phase_line
from bot.services.paging import MAX_ROWS, button_grid, nav_buttons, page_slice

MAX_REF = 200

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NodeSummary:
    node: Node
    status: str | None
    #: the income of the last settled epoch (not a calendar day)
    earnings_day: Decimal | None
    uptime_percent: Decimal | None
    fetched_at: datetime | None


@dataclass(frozen=True, slots=True)
class NodeListResult:
    items: tuple[NodeSummary, ...]
    page: int
    pages: int
    total: int
    message: Message


@dataclass(frozen=True, slots=True)
class NodeDetailResult:
    node: Node
    stats: CachedNodeStats | None
    history: tuple[DayEarning, ...]
    message: Message


@dataclass(frozen=True, slots=True)
class NodeChoice:
    label: str
    value: str


def _not_found(ref: str) -> NodeNotFoundError:
    shown = " ".join(ref.split())[:60] or "—"
    return NodeNotFoundError(N_("You have no node matching “{ref}”. Send /nodes to see yours."), ref=shown)


def _account_of(node: Node) -> str | None:
    try:
        return parse_identifier(node.identifier).account_address
    except InvalidInputError:
        return None


def match_node(nodes: list[Node], ref: str) -> Node:
    """The one node of ``nodes`` that ``ref`` names; :class:`NodeNotFoundError` otherwise."""
    text = (ref or "").strip()
    if not text or len(text) > MAX_REF:
        raise _not_found(text)
    try:
        as_id = UUID(text)
    except ValueError:
        as_id = None
    if as_id is not None:
        for n in nodes:
            if n.id == as_id:
                return n
        raise _not_found(text)
    try:
        parsed: NodeIdentifier | None = parse_identifier(text)
    except InvalidInputError:
        parsed = None
    normalised = None if parsed is None else parsed.value
    lowered = " ".join(text.lower().split())
    for n in nodes:
        if n.identifier == normalised or n.identifier == text:
            return n
    # the same participant under another form (operator address for a wallet node, and so on)
    account = None if parsed is None else parsed.account_address
    if account is not None:
        same = [n for n in nodes if _account_of(n) == account]
        if len(same) == 1:
            return same[0]
    named = [n for n in nodes if n.display_name and n.display_name.lower() == lowered]
    if len(named) == 1:
        return named[0]
    candidates = named or [
        n
        for n in nodes
        if n.identifier.startswith(lowered) or (n.display_name and n.display_name.lower().startswith(lowered))
    ]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(c.label for c in candidates[:5])
        raise InvalidInputError(
            N_("“{text}” matches several of your nodes: {names}. Be more specific."),
            text=lowered[:60],
            names=names,
        )
    raise _not_found(text)


def _estimate_text(
    s: CachedNodeStats, estimate: RewardEstimate | None, t: Translator, *, short: bool
) -> str | None:
    """The chain's estimate of the current epoch, marked as one; None when there is none for it."""
    if estimate is None or (s.epoch_id is not None and estimate.epoch_id != s.epoch_id):
        return None
    if estimate.gnk is None:
        return None if short else t("none (not in the epoch's active set)")
    amount = format_gnk(estimate.gnk)
    return (
        t("≈{amount} (est.)", amount=amount)
        if short
        else t("≈{amount} (the chain's estimate)", amount=amount)
    )


class NodesService:
    PAGE_SIZE = 8

    def __init__(
        self,
        pool: Pool,
        config: Config,
        authz: Authz,
        conditions: ConditionTable = CONDITIONS,
        *,
        language: LanguageService | None = None,
    ) -> None:
        self._pool = pool
        self._authz = authz
        #: the caller's language (None: English)
        self._language = language
        self._conditions = conditions
        self._options = Options(llr_warning_share=config.alerts.llr_warning_share)
        self._probes = ProbeReading.from_config(config)
        self._tracker_link = config.trackers.tracker_link
        #: data older than this many poll intervals is marked stale
        self._stale_after = timedelta(seconds=3 * config.trackers.poll_interval_s)

    async def _translator(self, who: Who) -> Translator:
        return ENGLISH if self._language is None else await self._language.translator(who)

    async def resolve(self, who: Who, ref: str) -> Node:
        actor = await self._authz.require_linked(who)
        return await self.resolve_for(actor, ref)

    async def resolve_for(self, actor: LinkedActor, ref: str) -> Node:
        return match_node(await nodes_db.list_user_nodes(self._pool, actor.me.id), ref)

    async def inspect(self, who: Who, ref: str, action: str) -> Node:
        """The node ``ref`` names for a linked caller: one of their own, or, for an admin, any node
        (by id or identifier); an admin's access to a node they do not own is audited as ``action``."""
        actor = await self._authz.require_linked(who)
        try:
            return await self.resolve_for(actor, ref)
        except NodeNotFoundError:
            if not actor.is_admin:
                raise
            node = await self._any_node(ref)
            if node is None:
                raise
        await self._authz.audit(
            actor, action, node.identifier, "ok", {"node_id": str(node.id), "owner": False}
        )
        log.info(
            "admin %s inspected node %s they do not own",
            actor.me.id,
            node.id,
            extra={"platform": actor.caller.platform, "chat": actor.caller.chat_id},
        )
        return node

    async def _any_node(self, ref: str) -> Node | None:
        try:
            return await nodes_db.get_node(self._pool, UUID(ref.strip()))
        except ValueError:
            pass
        try:
            identifier = parse_identifier(ref).value
        except InvalidInputError:
            return None
        return await nodes_db.get_node_by_identifier(self._pool, identifier)

    async def list_nodes(self, who: Who, page: int = 0) -> NodeListResult:
        actor = await self._authz.require_linked(who)
        nodes = await nodes_db.list_user_nodes(self._pool, actor.me.id)
        t = await self._translator(actor)
        if not nodes:
            return NodeListResult(
                items=(),
                page=0,
                pages=1,
                total=0,
                message=Message.text(
                    t(
                        "No nodes are assigned to your account yet. Use /request to ask for one, "
                        "or contact support if you already rent one."
                    ),
                    title=t("Your nodes"),
                ),
            )
        shown, page, pages = page_slice(nodes, page, self.PAGE_SIZE)
        stats = await stats_read.get_stats(self._pool, [n.id for n in shown])
        estimates = await stats_read.estimates(self._pool, [n.id for n in shown])
        now = datetime.now(UTC)
        items = []
        lines: list[tuple[Span, ...]] = []
        if (phase := await phase_line(self._pool, now, self._stale_after, t)) is not None:
            lines.append(phase)
        for n in shown:
            s = stats.get(n.id)
            items.append(
                NodeSummary(
                    node=n,
                    status=None if s is None else s.status,
                    earnings_day=None if s is None else s.earnings_day,
                    uptime_percent=None if s is None else s.uptime_percent,
                    fetched_at=None if s is None else s.fetched_at,
                )
            )
            lines.append(
                (
                    Span(text=f"{status_badge(None if s is None else s.status, t)}  "),
                    Span(text=n.label, style="bold"),
                )
            )
            if s is None:
                lines.append((Span(text="   " + t("no data from the trackers yet")),))
            else:
                estimate = _estimate_text(s, estimates.get(n.id), t, short=True)
                parts = [t("last epoch {amount}", amount=format_gnk(s.earnings_day))]
                if estimate:
                    parts.append(t("this epoch {estimate}", estimate=estimate))
                parts.append(t("uptime {percent}", percent=format_percent(s.uptime_percent)))
                parts.append(t("data {age}", age=self._age(s.fetched_at, now, t)))
                lines.append((Span(text="   " + " · ".join(parts)),))
        node_buttons = button_grid(
            [Button(label=n.label[:40], action=actions.NODE, args=(str(n.id),)) for n in shown],
            2,
            MAX_ROWS - 1,
        )
        nav = nav_buttons(actions.NODES_PAGE, page, pages)
        return NodeListResult(
            items=tuple(items),
            page=page,
            pages=pages,
            total=len(nodes),
            message=Message(
                title=t("Your nodes ({count})", count=len(nodes)),
                lines=tuple(lines),
                buttons=node_buttons + ((nav,) if nav else ()),
                footer=t("Page {page} of {pages}", page=page + 1, pages=pages) if pages > 1 else None,
            ),
        )

    async def detail(self, who: Who, ref: str) -> NodeDetailResult:
        """One node: the caller's own, or any node for an admin (audited as ``node_view``)."""
        node = await self.inspect(who, ref, "node_view")
        t = await self._translator(who)
        stats = (await stats_read.get_stats(self._pool, [node.id])).get(node.id)
        estimate = (await stats_read.estimates(self._pool, [node.id])).get(node.id)
        history = tuple(await stats_read.history(self._pool, [node.id], 7))
        phase = await phase_line(self._pool, datetime.now(UTC), self._stale_after, t)
        message = self._detail_message(node, stats, history, t, phase, estimate)
        if stats is not None:  # each alert condition's state, with the numbers behind it
            network = await network_state.load(self._pool)
            probes = await probe_facts(self._pool, node.id, self._probes, datetime.now(UTC))
            lines = condition_lines(
                condition_readings(self._conditions, stats, network, self._options, probes), t
            )
            message = message.model_copy(update={"lines": (*message.lines, *lines)})
        return NodeDetailResult(node=node, stats=stats, history=history, message=message)

    async def suggest_nodes(
        self, who: Who, prefix: str, limit: int = 25, *, include_all: bool = False
    ) -> list[NodeChoice]:
        """Autocomplete over the caller's own nodes; empty for anyone not linked.

        ``include_all`` adds an "All nodes" choice (value ``all``) first, for /mute and /unmute.
        """
        try:
            actor = await self._authz.require_linked(who)
        except UserError:
            return []
        needle = " ".join((prefix or "").lower().split())
        out = []
        if include_all and "all nodes".startswith(needle):
            out.append(NodeChoice(label="All nodes", value="all"))
        for n in await nodes_db.list_user_nodes(self._pool, actor.me.id):
            hay = f"{(n.display_name or '').lower()} {n.identifier}"
            if needle in hay:
                label = f"{n.display_name} ({n.identifier})" if n.display_name else n.identifier
                out.append(NodeChoice(label=label[:100], value=str(n.id)))
        return out[:limit]

    def _age(self, fetched_at: datetime, now: datetime, t: Translator) -> str:
        age = format_age(fetched_at, now, t)
        return t("{age} ⚠ stale", age=age) if now - fetched_at > self._stale_after else age

    def _detail_message(
        self,
        node: Node,
        s: CachedNodeStats | None,
        history: tuple[DayEarning, ...],
        t: Translator = ENGLISH,
        phase: tuple[Span, ...] | None = None,
        estimate: RewardEstimate | None = None,
    ) -> Message:
        now = datetime.now(UTC)

        def field(name: str, value: str, *, inline: bool = True) -> MessageField:
            return MessageField(name=name, value=value, inline=inline)

        fields: list[MessageField] = [
            field(t("Identifier"), node.identifier, inline=False),
            field(t("Type"), node.identifier_type),
        ]
        if node.gpu_type:
            fields.append(field(t("GPU"), node.gpu_type))
        if node.region:
            fields.append(field(t("Region"), node.region))
        lines: list[tuple[Span, ...]] = [] if phase is None else [phase]
        severity: Severity = "info"
        if s is None:
            lines.append((Span(text=t("No data from the trackers yet; the next poll will fill this in.")),))
        else:
            fields.append(field(t("Status"), status_badge(s.status, t)))
            if s.status_reason:
                fields.append(field(t("Reason"), s.status_reason))
            settled_epoch = s.details.get("earnings_epoch")
            fields += [
                field(
                    t("Last settled epoch ({epoch})", epoch=settled_epoch)
                    if isinstance(settled_epoch, int)
                    else t("Last settled epoch"),
                    format_gnk(s.earnings_day),
                ),
                field(t("Earnings total"), format_gnk(s.earnings_total)),
            ]
            if (estimate_text := _estimate_text(s, estimate, t, short=False)) is not None:
                fields.append(field(t("This epoch ({epoch}), estimate", epoch=s.epoch_id), estimate_text))
            fields += [
                field(t("Uptime"), format_percent(s.uptime_percent)),
                field(t("Tokens/s"), "—" if s.tokens_per_sec is None else f"{s.tokens_per_sec:f}"),
                field(t("Jobs this epoch"), "—" if s.jobs_day is None else str(s.jobs_day)),
                field(t("Model"), s.active_model or "—"),
                field(
                    t("Voting weight"),
                    "—" if s.voting_weight is None else f"{s.voting_weight.normalize():f}",
                ),
                field(t("Epoch"), "—" if s.epoch_id is None else str(s.epoch_id)),
                field(t("Source"), s.source or "—"),
                field(t("Data age"), self._age(s.fetched_at, now, t)),
            ]
            for key, value in list(s.details.items())[:8]:
                if isinstance(value, str | int | float | bool) and str(key).strip():
                    fields.append(field(str(key)[:60].replace("_", " "), str(value)[:200]))
            if s.status == "jailed" or s.jailed_until is not None:
                severity = "critical" if s.status == "jailed" else "info"
                until = "—" if s.jailed_until is None else t.utc(s.jailed_until)
                fields.append(field(t("Jailed until"), until))
                ready = {True: t("yes"), False: t("not yet"), None: t("unknown")}[s.ready_to_unjail]
                fields.append(field(t("Ready to unjail"), ready))
                lines.append((Span(text=t("To unjail, run:") + " "), Span(text=UNJAIL_HINT, style="code")))
            elif s.status in ("offline", "unhealthy"):
                severity = "warning"
        lines.append((Span(text=t("Last 7 days (each epoch on the UTC day it settled)"), style="bold"),))
        if history:
            for d in history:
                lines.append((Span(text=f"{t.day(d.date)}  {format_gnk(d.earnings_gnk)}"),))
        else:
            lines.append((Span(text=t("no earnings recorded")),))
        url = tracker_link(self._tracker_link, node.identifier, None if s is None else s.epoch_id)
        buttons: list[tuple[Button, ...]] = [
            (
                Button(
                    label=t("Mute {duration}", duration=unit_text(1, "h", t)),
                    action=actions.MUTE,
                    args=(str(node.id), "1h"),
                ),
                Button(
                    label=t("Mute {duration}", duration=unit_text(24, "h", t)),
                    action=actions.MUTE,
                    args=(str(node.id), "24h"),
                ),
            )
        ]
        if url:
            buttons.append((Button(label=t("Open in tracker"), url=url),))
        return Message(
            title=node.label,
            severity=severity,
            lines=tuple(lines),
            fields=tuple(fields),
            buttons=tuple(buttons),
            url=url,
        )
