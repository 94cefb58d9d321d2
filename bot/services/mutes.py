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
from bot.i18n.catalogs import N_, Translator
from bot.i18n.text import Text
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.authz import Authz
from bot.services.context import Who
from bot.services.language import LanguageService
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


def _view(m: Mute, now: datetime, t: Translator) -> MuteView:
    target = t("all nodes") if m.node_id is None else (m.node_label or str(m.node_id))
    if m.until_resolved:
        remaining = t("until the alert resolves")
    else:
        assert m.until is not None
        remaining = t(
            "for {duration} (until {time} UTC)",
            duration=format_duration(m.until - now),
            time=t.when(m.until, pattern="short"),
        )
    return MuteView(mute=m, target=target, remaining=remaining)


class MutesService:
    def __init__(self, pool: Pool, authz: Authz, nodes: NodesService, language: LanguageService) -> None:
        self._pool = pool
        self._authz = authz
        self._nodes = nodes
        self._language = language

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
        t = await self._language.translator(actor)
        view = _view(mute, now, t)
        text = t("Alerts for {target} are muted {remaining}.", target=view.target, remaining=view.remaining)
        return MuteResult(
            mute=mute,
            message=Message(
                title=t("Muted"),
                severity="success",
                lines=((Span(text=text),),),
                buttons=(
                    (
                        Button(
                            label=t("Unmute"), action=actions.UNMUTE, args=(str(node.id) if node else "all",)
                        ),
                    ),
                ),
            ),
        )

    async def unmute(self, who: Who, node_ref: str | None) -> MuteResult:
        actor = await self._authz.require_linked(who)
        node = None if node_ref is None else await self._nodes.inspect(actor, node_ref, "node_unmute")
        removed = await mutes_db.delete_mute(self._pool, actor.me.id, None if node is None else node.id)
        t = await self._language.translator(actor)
        label = t("all nodes") if node is None else node.label
        if removed is None:
            raise NotFoundError(
                N_("There is no mute for {target}. Send /mutes to see yours."),
                target=Text(N_("all nodes")) if node is None else label,
            )
        return MuteResult(
            mute=removed,
            message=Message.text(
                t("Alerts for {target} are no longer muted.", target=label),
                title=t("Unmuted"),
                severity="success",
            ),
        )

    async def list_mutes(self, who: Who) -> MuteListResult:
        actor = await self._authz.require_linked(who)
        await mutes_db.delete_expired(self._pool, actor.me.id)
        now = datetime.now(UTC)
        t = await self._language.translator(actor)
        views = tuple(_view(m, now, t) for m in await mutes_db.list_active(self._pool, actor.me.id))
        if not views:
            return MuteListResult(
                items=(), message=Message.text(t("You have no active mutes."), title=t("Mutes"))
            )
        lines = tuple(
            (
                Span(text=v.target, style="bold"),
                Span(text=" — " + t("muted {remaining}", remaining=v.remaining)),
            )
            for v in views
        )
        buttons = button_grid(
            [
                Button(
                    label=t("Unmute {target}", target=v.target)[:40],
                    action=actions.UNMUTE,
                    args=("all" if v.mute.node_id is None else str(v.mute.node_id),),
                )
                for v in views
            ]
        )
        return MuteListResult(items=views, message=Message(title=t("Mutes"), lines=lines, buttons=buttons))
