"""``/mute``, ``/unmute``, ``/mutes``: silence a node (or all) for a while or until it recovers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.db import mutes as mutes_db
from bot.db.mutes import Mute
from bot.db.types import Pool
from bot.domain.formatting import format_duration
from bot.errors import NotFoundError
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.nodes import NodesService
from bot.services.paging import button_grid


@dataclass(frozen=True, slots=True)
class MuteResult:
    mute: Mute
    message: Message


@dataclass(frozen=True, slots=True)
class MuteView:
    mute: Mute
    #: "all nodes" or the node's label
    target: str
    #: "until resolved" or "for 1h 59m (until 2026-…)"
    remaining: str


@dataclass(frozen=True, slots=True)
class MuteListResult:
    items: tuple[MuteView, ...]
    message: Message


def _view(m: Mute, now: datetime) -> MuteView:
    target = "all nodes" if m.node_id is None else (m.node_label or str(m.node_id))
    if m.until_resolved:
        remaining = "until the alert resolves"
    else:
        assert m.until is not None
        remaining = f"for {format_duration(m.until - now)} (until {m.until.strftime('%Y-%m-%d %H:%M')} UTC)"
    return MuteView(mute=m, target=target, remaining=remaining)


class MutesService:
    def __init__(self, pool: Pool, authz: Authz, nodes: NodesService) -> None:
        self._pool = pool
        self._authz = authz
        self._nodes = nodes

    async def mute(self, who: Who, node_ref: str | None, duration: timedelta | None) -> MuteResult:
        """Mute ``node_ref`` (``None``: all the caller's nodes) for ``duration`` (``None``: until the
        alert resolves). An admin may mute any node (audited, see :meth:`NodesService.inspect`)."""
        actor = await self._authz.require_linked(who)
        node = None if node_ref is None else await self._nodes.inspect(actor, node_ref, "node_mute")
        now = datetime.now(UTC)
        until, resolved = (None, True) if duration is None else (now + duration, False)
        mute = await mutes_db.upsert_mute(
            self._pool, actor.me.id, None if node is None else node.id, until, resolved
        )
        mute = dataclasses.replace(mute, node_label=None if node is None else node.label)
        view = _view(mute, now)
        return MuteResult(
            mute=mute,
            message=Message(
                title="Muted",
                severity="success",
                lines=((Span(text=f"Alerts for {view.target} are muted {view.remaining}."),),),
                buttons=(
                    (Button(label="Unmute", action=actions.UNMUTE, args=(str(node.id) if node else "all",)),),
                ),
            ),
        )

    async def unmute(self, who: Who, node_ref: str | None) -> MuteResult:
        actor = await self._authz.require_linked(who)
        node = None if node_ref is None else await self._nodes.inspect(actor, node_ref, "node_unmute")
        removed = await mutes_db.delete_mute(self._pool, actor.me.id, None if node is None else node.id)
        label = "all nodes" if node is None else node.label
        if removed is None:
            raise NotFoundError(f"There is no mute for {label}. Send /mutes to see yours.")
        return MuteResult(
            mute=removed,
            message=Message.text(
                f"Alerts for {label} are no longer muted.", title="Unmuted", severity="success"
            ),
        )

    async def list_mutes(self, who: Who) -> MuteListResult:
        actor = await self._authz.require_linked(who)
        await mutes_db.delete_expired(self._pool, actor.me.id)
        now = datetime.now(UTC)
        views = tuple(_view(m, now) for m in await mutes_db.list_active(self._pool, actor.me.id))
        if not views:
            return MuteListResult(items=(), message=Message.text("You have no active mutes.", title="Mutes"))
        lines = tuple(
            (Span(text=v.target, style="bold"), Span(text=f" — muted {v.remaining}")) for v in views
        )
        buttons = button_grid(
            [
                Button(
                    label=f"Unmute {v.target}"[:40],
                    action=actions.UNMUTE,
                    args=("all" if v.mute.node_id is None else str(v.mute.node_id),),
                )
                for v in views
            ]
        )
        return MuteListResult(items=views, message=Message(title="Mutes", lines=lines, buttons=buttons))
