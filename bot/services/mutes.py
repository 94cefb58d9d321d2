"""``/mute``, ``/unmute``, ``/mutes``: silence a node (or all) for a while or until it recovers.

Said by an admin in an admin alert channel (the Mute button of an alert posted there, or the command
typed there), they act on that channel's mutes: the node's alerts (or every node's) stop in that
channel for everyone in it; the answer is posted in the channel naming the admin, and the action is
audited (``channel_mute`` / ``channel_unmute``). Anywhere else they act on the caller's own mutes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.alerts.recipients import admin_targets
from bot.config import Config
from bot.db import mutes as mutes_db
from bot.db.mutes import ChannelMute, Mute
from bot.db.nodes import Node
from bot.db.types import Pool
from bot.domain.formatting import format_duration
from bot.errors import NotFoundError
from bot.i18n.catalogs import Translator
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.authz import Authz
from bot.services.context import LinkedActor, Who
from bot.services.language import LanguageService
from bot.services.nodes import NodesService
from bot.services.paging import button_grid


@dataclass(frozen=True, slots=True)
class MuteResult:
    #: the caller's own mute (None when the mute is a channel's)
    mute: Mute | None
    message: Message
    #: the admin channel's mute, when an admin muted in an admin alert channel
    channel_mute: ChannelMute | None = None


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


def _channel_remaining(t: Translator, m: ChannelMute, now: datetime) -> str:
    if m.until_resolved or m.until is None:
        return t("until the alert resolves")
    return t(
        "for {duration} (until {until} UTC)",
        duration=format_duration(m.until - now),
        until=m.until.strftime("%Y-%m-%d %H:%M"),
    )


def _admin_name(actor: LinkedActor) -> str:
    """How the channel is told who muted: the account's name, else the platform identity."""
    c = actor.caller
    return actor.me.name or f"{c.platform} user {c.platform_user_id}"


class MutesService:
    def __init__(
        self, pool: Pool, authz: Authz, nodes: NodesService, config: Config, language: LanguageService
    ) -> None:
        self._pool = pool
        self._authz = authz
        self._nodes = nodes
        self._config = config
        self._language = language

    async def _admin_channel(self, actor: LinkedActor) -> tuple[str, str] | None:
        """``(platform, chat_id)`` when an admin speaks in an admin alert channel, else None."""
        c = actor.caller
        if not actor.is_admin or c.is_private:
            return None
        targets = await admin_targets(self._pool, self._config)
        if any(t.platform == c.platform and t.target_id == c.chat_id for t in targets):
            return c.platform, c.chat_id
        return None

    async def _mute_channel(
        self,
        actor: LinkedActor,
        channel: tuple[str, str],
        node: Node | None,
        duration: timedelta | None,
    ) -> MuteResult:
        now = datetime.now(UTC)
        until, resolved = (None, True) if duration is None else (now + duration, False)
        t = await self._language.translator(actor)
        async with self._pool.acquire() as conn, conn.transaction():
            mute = await mutes_db.upsert_channel_mute(
                conn,
                *channel,
                None if node is None else node.id,
                until,
                resolved,
                actor.me.id,
                _admin_name(actor),
            )
            await self._authz.audit(
                actor,
                "channel_mute",
                "all" if node is None else node.identifier,
                "ok",
                {
                    "node_id": None if node is None else str(node.id),
                    "until": None if until is None else until.isoformat(),
                    "until_resolved": resolved,
                },
                db=conn,
            )
        target = t("all nodes") if node is None else node.label
        text = t(
            "Alerts for {target} are muted in this channel {remaining}, by {admin}.",
            target=target,
            remaining=_channel_remaining(t, mute, now),
            admin=mute.muted_by_name,
        )
        return MuteResult(
            mute=None,
            channel_mute=dataclasses.replace(mute, node_label=None if node is None else node.label),
            message=Message(
                title=t("Muted in this channel"),
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

    async def mute(self, who: Who, node_ref: str | None, duration: timedelta | None) -> MuteResult:
        """Mute ``node_ref`` (``None``: all the caller's nodes) for ``duration`` (``None``: until the
        alert resolves). An admin may mute any node (audited, see :meth:`NodesService.inspect`); an
        admin in an admin alert channel mutes it for that channel."""
        actor = await self._authz.require_linked(who)
        channel = await self._admin_channel(actor)
        if channel is not None:
            node = None if node_ref is None else await self._nodes.inspect(actor, node_ref, "node_mute")
            return await self._mute_channel(actor, channel, node, duration)
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
        channel = await self._admin_channel(actor)
        if channel is not None:
            node = None if node_ref is None else await self._nodes.inspect(actor, node_ref, "node_unmute")
            return await self._unmute_channel(actor, channel, node)
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

    async def _unmute_channel(
        self, actor: LinkedActor, channel: tuple[str, str], node: Node | None
    ) -> MuteResult:
        t = await self._language.translator(actor)
        target = t("all nodes") if node is None else node.label
        async with self._pool.acquire() as conn, conn.transaction():
            removed = await mutes_db.delete_channel_mute(conn, *channel, None if node is None else node.id)
            if removed is None:
                raise NotFoundError(
                    t(
                        "There is no mute for {target} in this channel. Send /mutes to see its mutes.",
                        target=target,
                    )
                )
            await self._authz.audit(
                actor,
                "channel_unmute",
                "all" if node is None else node.identifier,
                "ok",
                {"node_id": None if node is None else str(node.id)},
                db=conn,
            )
        text = t(
            "Alerts for {target} are no longer muted in this channel, by {admin}.",
            target=target,
            admin=_admin_name(actor),
        )
        return MuteResult(
            mute=None,
            channel_mute=removed,
            message=Message.text(text, title=t("Unmuted in this channel"), severity="success"),
        )

    async def list_mutes(self, who: Who) -> MuteListResult:
        actor = await self._authz.require_linked(who)
        channel = await self._admin_channel(actor)
        if channel is not None:
            return await self._list_channel(actor, channel)
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

    async def _list_channel(self, actor: LinkedActor, channel: tuple[str, str]) -> MuteListResult:
        t = await self._language.translator(actor)
        now = datetime.now(UTC)
        mutes = await mutes_db.list_channel_mutes(self._pool, *channel)
        if not mutes:
            return MuteListResult(
                items=(),
                message=Message.text(t("This channel has no active mutes."), title=t("Channel mutes")),
            )
        lines = []
        buttons = []
        for m in mutes:
            target = t("all nodes") if m.node_id is None else (m.node_label or str(m.node_id))
            remaining = _channel_remaining(t, m, now)
            lines.append(
                (
                    Span(text=target, style="bold"),
                    Span(
                        text=" — "
                        + t("muted {remaining}, by {admin}", remaining=remaining, admin=m.muted_by_name)
                    ),
                )
            )
            buttons.append(
                Button(
                    label=t("Unmute {target}", target=target)[:40],
                    action=actions.UNMUTE,
                    args=("all" if m.node_id is None else str(m.node_id),),
                )
            )
        return MuteListResult(
            items=(),
            message=Message(title=t("Channel mutes"), lines=tuple(lines), buttons=button_grid(buttons)),
        )
