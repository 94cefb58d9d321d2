"""Admin commands: assign/unassign nodes, user lookup, link codes, broadcast, fleet stats, alert routes.

Every call is admin-only (:meth:`Authz.require_admin` audits refusals) and every outcome, ok or failed,
is written to ``admin_audit_log``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.config import Config
from bot.db import fleet as fleet_db
from bot.db import nodes as nodes_db
from bot.db import outbox
from bot.db import outbox_claims as claims_db
from bot.db import routes as routes_db
from bot.db import source_health as source_health_db
from bot.db.fleet import FailingNode, OutboxDepth
from bot.db.nodes import Node
from bot.db.outbox import NewNotification
from bot.db.routes import Scope
from bot.db.types import Pool
from bot.db.users import User
from bot.domain.formatting import format_age, status_badge
from bot.domain.identifiers import IdentifierType, parse_identifier
from bot.domain.source_health import SourceHealth
from bot.errors import InvalidInputError, NotFoundError, PermissionDeniedError, UsageError, UserError
from bot.i18n.catalogs import N_
from bot.render.message import Button, Message, MessageField, Span
from bot.services import actions, provisioning
from bot.services.authz import Authz
from bot.services.commands import usage
from bot.services.context import Actor, Who, caller_of
from bot.services.language import LanguageService
from bot.services.paging import MAX_ROWS, button_grid, nav_buttons

T = TypeVar("T")
MAX_BROADCAST = 3500
#: failing nodes per /stats page (their Details buttons: 4 rows of 2, and a row to page)
FAILING_PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class AdminResult:
    message: Message


@dataclass(frozen=True, slots=True)
class AssignResult:
    user: User
    node: Node
    node_created: bool
    assignment_created: bool
    message: Message


@dataclass(frozen=True, slots=True)
class UserInfo:
    user: User
    nodes: tuple[Node, ...]
    message: Message


@dataclass(frozen=True, slots=True)
class LinkCodeResult:
    code: str
    email: str
    expires_at: datetime
    message: Message


@dataclass(frozen=True, slots=True)
class BroadcastResult:
    recipients: int
    message: Message


@dataclass(frozen=True, slots=True)
class FleetStats:
    users: int
    active_users: int
    linked_users: int
    nodes_by_status: dict[str, int]
    alerts_24h: int
    outbox: OutboxDepth
    sources: tuple[SourceHealth, ...]
    message: Message
    #: one page of the failing nodes
    failing: tuple[FailingNode, ...] = ()
    page: int = 0
    pages: int = 1


@dataclass(frozen=True, slots=True)
class RouteResult:
    scope: Scope | None
    message: Message


ROUTE_TEXT: dict[Scope, str] = {
    "all": N_("every alert and request"),
    "admin": N_("node and monitoring alerts"),
    "requests": N_("support requests"),
}


#: a chat named by a reference (``@name`` or id) -> (its id, its title, whether the caller administers it)
ChatLookup = Callable[[str], Awaitable[tuple[str, str, bool]]]


class AdminService:
    def __init__(self, pool: Pool, config: Config, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._config = config
        self._authz = authz
        self._language = language

    async def _run(
        self,
        who: Who,
        action: str,
        target: str | None,
        body: Callable[[Actor], Awaitable[tuple[T, dict[str, Any]]]],
    ) -> T:
        """Check admin, run, audit ok / failed (refusals are audited by ``require_admin``)."""
        actor = await self._authz.require_admin(who, action, target)
        try:
            result, details = await body(actor)
        except UserError as exc:
            await self._authz.audit(actor, action, target, "failed", {"reason": exc.message})
            raise
        await self._authz.audit(actor, action, target, "ok", details)
        return result

    # -- nodes ---------------------------------------------------------------------------------

    async def assign(
        self,
        who: Who,
        email: str,
        identifier: str,
        identifier_type: IdentifierType | None = None,
        name: str | None = None,
    ) -> AssignResult:
        async def body(actor: Actor) -> tuple[AssignResult, dict[str, Any]]:
            if not (email or "").strip() or not (identifier or "").strip():
                raise UsageError(usage("assign"))
            user, a = await provisioning.assign_node(
                self._pool,
                email,
                identifier,
                identifier_type=identifier_type,
                display_name=name,
                assigned_by=None if actor.user is None else actor.user.id,
            )
            t = await self._language.translator(actor)
            what = (
                t("Created and assigned {node} to {email}.", node=a.node.label, email=user.email)
                if a.node_created
                else t("Assigned {node} to {email}.", node=a.node.label, email=user.email)
                if a.assignment_created
                else t("Already assigned: {node} to {email}.", node=a.node.label, email=user.email)
            )
            msg = Message(
                title=t("Node assigned") if a.assignment_created else t("Already assigned"),
                severity="success",
                lines=((Span(text=what),),),
                fields=(
                    MessageField(name=t("Identifier"), value=a.node.identifier, inline=False),
                    MessageField(name=t("Type"), value=a.node.identifier_type),
                ),
            )
            result = AssignResult(
                user=user,
                node=a.node,
                node_created=a.node_created,
                assignment_created=a.assignment_created,
                message=msg,
            )
            return result, {"node": a.node.identifier, "created": a.node_created, "new": a.assignment_created}

        return await self._run(who, "assign", f"{email} {identifier}".strip(), body)

    async def unassign(self, who: Who, email: str, identifier: str) -> AdminResult:
        async def body(actor: Actor) -> tuple[AdminResult, dict[str, Any]]:
            if not (email or "").strip() or not (identifier or "").strip():
                raise UsageError(usage("unassign"))
            user = await provisioning.require_user(self._pool, email)
            node = await nodes_db.get_node_by_identifier(self._pool, parse_identifier(identifier).value)
            if node is None or not await nodes_db.unassign_node(self._pool, user.id, node.id):
                raise NotFoundError(N_("That node is not assigned to {email}."), email=user.email)
            t = await self._language.translator(actor)
            msg = Message.text(
                t("{node} is no longer assigned to {email}.", node=node.label, email=user.email),
                title=t("Unassigned"),
                severity="success",
            )
            return AdminResult(message=msg), {"node": node.identifier}

        return await self._run(who, "unassign", f"{email} {identifier}".strip(), body)

    # -- users ---------------------------------------------------------------------------------

    async def user_info(self, who: Who, email: str) -> UserInfo:
        async def body(actor: Actor) -> tuple[UserInfo, dict[str, Any]]:
            if not (email or "").strip():
                raise UsageError(usage("user"))
            user = await provisioning.require_user(self._pool, email)
            nodes = tuple(await nodes_db.list_user_nodes(self._pool, user.id))
            t = await self._language.translator(actor)
            fields = [
                MessageField(name=t("Role"), value=user.role),
                MessageField(name=t("Active"), value=t("yes") if user.is_active else t("no (deactivated)")),
                MessageField(name="Telegram", value=user.telegram or t("not linked")),
                MessageField(name="Discord", value=user.discord or t("not linked")),
                MessageField(name=t("Currency"), value=user.currency_preference),
                MessageField(name=t("Created"), value=t.day(user.created_at.date())),
            ]
            lines: list[tuple[Span, ...]] = [
                (Span(text=t("Nodes ({count})", count=len(nodes)), style="bold"),)
            ]
            lines += [(Span(text=f"{n.label}  "), Span(text=n.identifier, style="code")) for n in nodes[:50]]
            if len(nodes) > 50:
                lines.append((Span(text=t("… and {count} more", count=len(nodes) - 50)),))
            msg = Message(title=user.email, lines=tuple(lines), fields=tuple(fields))
            return UserInfo(user=user, nodes=nodes, message=msg), {}

        return await self._run(who, "user", (email or "").strip(), body)

    async def link_code(self, who: Who, email: str) -> LinkCodeResult:
        async def body(actor: Actor) -> tuple[LinkCodeResult, dict[str, Any]]:
            if not (email or "").strip():
                raise UsageError(usage("linkcode"))
            issued = await provisioning.issue_link_code(
                self._pool,
                email,
                self._config.accounts.link_code_ttl_s,
                created_by=None if actor.user is None else actor.user.id,
            )
            minutes = round(self._config.accounts.link_code_ttl_s / 60)
            t = await self._language.translator(actor)
            msg = Message(
                title=t("Link code for {email}", email=issued.user.email),
                lines=(
                    (Span(text=issued.code, style="code"),),
                    (
                        Span(
                            text=t.plural(
                                "Single use, valid for {n} minute. The user sends /link {code}",
                                "Single use, valid for {n} minutes. The user sends /link {code}",
                                minutes,
                                code=issued.code,
                            )
                        ),
                    ),
                ),
            )
            result = LinkCodeResult(
                code=issued.code, email=issued.user.email, expires_at=issued.expires_at, message=msg
            )
            return result, {"expires_at": issued.expires_at.isoformat()}

        return await self._run(who, "linkcode", (email or "").strip(), body)

    async def broadcast(self, who: Who, text: str) -> BroadcastResult:
        async def body(actor: Actor) -> tuple[BroadcastResult, dict[str, Any]]:
            cleaned = (text or "").strip()
            if not cleaned:
                raise UsageError(usage("broadcast"))
            if len(cleaned) > MAX_BROADCAST:
                raise InvalidInputError(N_("A broadcast is at most {count} characters."), count=MAX_BROADCAST)
            message = Message.text(cleaned, title="📢 MineGNK")
            event = uuid.uuid4().hex
            items: list[NewNotification] = []
            async with self._pool.acquire() as conn, conn.transaction():
                for person in await fleet_db.broadcast_targets(conn):
                    for platform, ident in (("telegram", person.telegram), ("discord", person.discord)):
                        if ident:
                            items.append(
                                NewNotification(
                                    platform="telegram" if platform == "telegram" else "discord",
                                    target_kind="user",
                                    target_id=ident,
                                    kind="broadcast",
                                    message=message,
                                    dedup_key=f"broadcast:{event}:{platform}:{ident}",
                                )
                            )
                await outbox.enqueue(conn, items)
            t = await self._language.translator(actor)
            msg = Message.text(
                t.plural(
                    "Queued for {n} chat; it goes out at the platforms' rate limits.",
                    "Queued for {n} chats; it goes out at the platforms' rate limits.",
                    len(items),
                ),
                title=t("Broadcast queued"),
                severity="success",
            )
            return BroadcastResult(recipients=len(items), message=msg), {
                "recipients": len(items),
                "chars": len(cleaned),
            }

        return await self._run(who, "broadcast", None, body)

    # -- fleet ---------------------------------------------------------------------------------

    async def stats(self, who: Who, page: int = 0) -> FleetStats:
        """Fleet health, and ``page`` of the failing nodes (each with a Details button)."""

        async def body(actor: Actor) -> tuple[FleetStats, dict[str, Any]]:
            counts = await fleet_db.user_counts(self._pool)
            by_status = await fleet_db.nodes_by_status(self._pool)
            failing_total = sum(by_status.get(st, 0) for st in fleet_db.FAILING_STATUSES)
            pages = max(1, -(-failing_total // FAILING_PAGE_SIZE))
            shown_page = min(max(0, page), pages - 1)
            failing = await fleet_db.failing_nodes(
                self._pool, FAILING_PAGE_SIZE, shown_page * FAILING_PAGE_SIZE
            )
            alerts = await fleet_db.alerts_24h(self._pool)
            depth = await fleet_db.outbox_depth(self._pool)
            sources = tuple(await source_health_db.list_all(self._pool))
            now = datetime.now(UTC)
            t = await self._language.translator(actor)
            num = t.number
            outbox_text = t("{count} pending", count=num(depth.pending))
            if depth.oldest_pending_at is not None:
                outbox_text += ", " + t("oldest {age}", age=format_age(depth.oldest_pending_at, now, t))
            if depth.failed_24h:
                outbox_text += ", " + t("{count} failed (24h)", count=num(depth.failed_24h))
            fields = [
                MessageField(
                    name=t("Users"),
                    value=t(
                        "{count} ({active} active)", count=num(counts.users), active=num(counts.active_users)
                    ),
                ),
                MessageField(name=t("Linked users"), value=num(counts.linked_users)),
                MessageField(name=t("Nodes"), value=num(sum(by_status.values()))),
                MessageField(name=t("Alerts (24h)"), value=num(alerts)),
                MessageField(name=t("Outbox"), value=outbox_text),
            ]
            lines: list[tuple[Span, ...]] = [(Span(text=t("Nodes by status"), style="bold"),)]
            for status, n in by_status.items():
                badge = status_badge(None if status == "no data" else status, t)
                lines.append((Span(text=f"{badge}: {num(n)}"),))
            lines.append((Span(text=t("Sources"), style="bold"),))
            if not sources:
                lines.append((Span(text=t("no poll has run yet")),))
            for s in sources:
                state = (
                    "🔴 " + t("degraded")
                    if s.degraded
                    else "🟢 " + t("ok")
                    if s.consecutive_failures == 0
                    else "🟡 " + t("failing")
                )
                text = t(
                    "{source}: {state}, last ok {age}",
                    source=s.source,
                    state=state,
                    age=format_age(s.last_ok_at, now, t),
                )
                if s.consecutive_failures:
                    text += ", " + t.plural(
                        "{n} failure in a row", "{n} failures in a row", s.consecutive_failures
                    )
                lines.append((Span(text=text),))
            lines.append((Span(text=t("Failing nodes ({count})", count=num(failing_total)), style="bold"),))
            if not failing:
                lines.append((Span(text=t("none")),))
            for f in failing:
                reason = f" · {f.status_reason}" if f.status_reason else ""
                owners = f" · {f.owners}" if f.owners else " · " + t("unassigned")
                data_age = t("data {age}", age=format_age(f.fetched_at, now, t))
                lines.append(
                    (
                        Span(text=f"{status_badge(f.status, t)} "),
                        Span(text=f.label, style="bold"),
                        Span(text=f"{reason}{owners} · {data_age}"),
                    )
                )
            details = button_grid(
                [Button(label=f.label[:40], action=actions.DETAILS, args=(str(f.node_id),)) for f in failing],
                2,
                MAX_ROWS - 1,
            )
            nav = nav_buttons(actions.STATS_PAGE, shown_page, pages, t=t)
            result = FleetStats(
                users=counts.users,
                active_users=counts.active_users,
                linked_users=counts.linked_users,
                nodes_by_status=by_status,
                alerts_24h=alerts,
                outbox=depth,
                sources=sources,
                message=Message(
                    title=t("Fleet"),
                    lines=tuple(lines),
                    fields=tuple(fields),
                    buttons=details + ((nav,) if nav else ()),
                    footer=(
                        t("Failing nodes: page {page} of {pages}", page=shown_page + 1, pages=pages)
                        if pages > 1
                        else None
                    ),
                ),
                failing=tuple(failing),
                page=shown_page,
                pages=pages,
            )
            return result, {"page": shown_page}

        return await self._run(who, "stats", None, body)

    async def alerts_here(self, who: Who, scope: Scope = "all") -> RouteResult:
        """Route alerts to the chat the command was sent in (and send there again if the chat had
        been disabled after the platform refused a message: the bot is evidently back)."""

        caller = caller_of(who)

        async def body(actor: Actor) -> tuple[RouteResult, dict[str, Any]]:
            s = scope
            reenabled = await self._route(actor, caller.chat_id, s)
            t = await self._language.translator(actor)
            msg = Message.text(
                t("This chat now receives {what}. /alerts_off stops it.", what=t(ROUTE_TEXT[s])),
                title=t("Alerts routed here"),
                severity="success",
            )
            return RouteResult(scope=s, message=msg), {"scope": s, "reenabled": reenabled}

        return await self._run(who, "alerts_here", f"{caller.platform}:{caller.chat_id}", body)

    async def alerts_to(self, who: Who, target: str, scope: Scope, lookup: ChatLookup) -> RouteResult:
        """Route alerts to a chat named from elsewhere (``target``: a Telegram channel, whose posts
        carry no sender): the caller must be a bot admin and, as the platform says (``lookup``, asked
        only once the caller is known to be an admin), an administrator of that chat."""
        chat_id = target
        caller = caller_of(who)

        async def body(actor: Actor) -> tuple[RouteResult, dict[str, Any]]:
            nonlocal chat_id
            chat_id, title, chat_admin = await lookup(target)
            if not chat_admin:
                raise PermissionDeniedError(
                    N_("Only an administrator of {chat} may route alerts there."), chat=title
                )
            s = scope
            reenabled = await self._route(actor, chat_id, s)
            t = await self._language.translator(actor)
            msg = Message.text(
                t(
                    "{chat} now receives {what}. /alerts_off {chat_id} stops it.",
                    chat=title,
                    what=t(ROUTE_TEXT[s]),
                    chat_id=chat_id,
                ),
                title=t("Alerts routed"),
                severity="success",
            )
            details = {"scope": s, "reenabled": reenabled, "chat": chat_id, "from": caller.chat_id}
            return RouteResult(scope=s, message=msg), details

        return await self._run(who, "alerts_here", f"{caller.platform}:{target}", body)

    async def _route(self, actor: Actor, chat_id: str, scope: Scope) -> bool:
        """Upsert the route and re-enable the chat; True when it had been disabled."""
        platform = actor.caller.platform
        async with self._pool.acquire() as conn, conn.transaction():
            await routes_db.upsert_route(
                conn, platform, chat_id, scope, None if actor.user is None else actor.user.id
            )
            return await claims_db.enable_target(conn, platform, chat_id)

    async def alerts_off(self, who: Who, chat_id: str | None = None) -> RouteResult:
        """Stop routing alerts to this chat (or to ``chat_id``, named from a private chat)."""
        caller = caller_of(who)
        chat = chat_id or caller.chat_id

        async def body(actor: Actor) -> tuple[RouteResult, dict[str, Any]]:
            removed = await routes_db.delete_route(self._pool, caller.platform, chat)
            if removed is None:
                raise NotFoundError(N_("This chat was not receiving alerts."))
            t = await self._language.translator(actor)
            message = Message.text(t("This chat no longer receives alerts."), title=t("Alerts off"))
            return RouteResult(scope=None, message=message), {"was": removed.scope}

        return await self._run(who, "alerts_off", f"{caller.platform}:{chat}", body)
