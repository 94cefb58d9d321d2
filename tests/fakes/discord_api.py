"""A local Discord: REST under ``/api/v10`` and the gateway websocket, on 127.0.0.1 (ephemeral port).

The real discord.py client connects to it unchanged (point ``discord.api_base`` / ``discord.gateway_url``
at :attr:`FakeDiscord.api_base` / :attr:`FakeDiscord.gateway_url`; the ``discord_api`` fixture in
``tests/fakes/discord_fixtures.py`` also patches ``Route.BASE`` and ``DEFAULT_GATEWAY`` for code that
uses discord.py's HTTP client directly).

What it speaks:

* Gateway: HELLO, heartbeat/ACK, IDENTIFY (token checked, ``shard`` honoured) → READY + GUILD_CREATE
  for the guilds of that shard, REQUEST_GUILD_MEMBERS → one chunk, RESUME → RESUMED, and dispatches of
  INTERACTION_CREATE built by :meth:`FakeDiscord.slash`, :meth:`autocomplete`, :meth:`click`,
  :meth:`submit_modal`. DMs and DM interactions go to shard 0, guild events to ``(guild_id >> 22) % n``.
* REST: users/@me, oauth2/applications/@me, gateway(/bot), application and guild commands (PUT bulk
  overwrite keeps ids of unchanged names and is recorded in :attr:`command_syncs`), interaction callbacks
  (types 1/4/5/6/7/8/9 recorded on the :class:`FakeInteraction`), webhook follow-ups and @original edits,
  DM channel creation, channel messages (create/edit/get/delete, multipart files).
* Discord's limits (``tests/fakes/discord_limits.py``) → 400 with Discord's error JSON; per-route
  rate-limit headers (``X-RateLimit-*``, bucket per route and major parameter) with real 429s when a
  bucket is exceeded; injected failures (:meth:`fail_next`: 429 with ``retry_after`` and a ``Via``
  header, 5xx, anything); 403 code 50007 for users whose DMs are closed (:meth:`close_dms`).

Every JSON reply is sent with ``Content-Type: application/json`` exactly (discord.py parses nothing else).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_limits import check_choices, check_message, check_modal

DISCORD_EPOCH_MS = 1420070400000
TOKEN = "MTAx.fake.bot-token"
EPHEMERAL = 64
ADMINISTRATOR = 1 << 3
#: view channel, send messages, embed links, attach files, read history, use application commands
BASIC_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
ALL_PERMISSIONS = (1 << 53) - 1

Json = dict[str, Any]

# Option types of application commands.
OPTION_TYPES = {
    "subcommand": 1,
    "group": 2,
    "string": 3,
    "integer": 4,
    "boolean": 5,
    "user": 6,
    "channel": 7,
    "role": 8,
    "mentionable": 9,
    "number": 10,
    "attachment": 11,
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON reply with the exact Content-Type discord.py requires (no ``; charset=``)."""
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)


def _error(status: int, message: str, code: int = 0, **extra: Any) -> web.Response:
    return _json({"message": message, "code": code, **extra}, status=status)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def to_dict(self) -> Json:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name or self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0

    def to_dict(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
            "icon": None,
            "unicode_emoji": None,
        }


@dataclass
class FakeChannel:
    id: int
    name: str | None
    type: int = 0  # 0 guild text, 1 DM
    guild_id: int | None = None
    recipient: FakeUser | None = None
    position: int = 0

    def to_dict(self) -> Json:
        data: Json = {"id": str(self.id), "type": self.type, "flags": 0, "last_message_id": None}
        if self.type == 1 and self.recipient is not None:
            data["recipients"] = [self.recipient.to_dict()]
        else:
            data.update(
                name=self.name,
                position=self.position,
                permission_overwrites=[],
                nsfw=False,
                topic=None,
                rate_limit_per_user=0,
                parent_id=None,
            )
            if self.guild_id is not None:
                data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int]

    def to_dict(self, permissions: int | None = None) -> Json:
        data: Json = {
            "user": self.user.to_dict(),
            "roles": [str(r) for r in self.role_ids],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "pending": False,
            "avatar": None,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)

    def channel(self, name: str) -> FakeChannel:
        for ch in self.channels:
            if ch.name == name:
                return ch
        raise KeyError(name)

    def member(self, user_id: int) -> FakeMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def permissions_of(self, member: FakeMember) -> int:
        if member.user.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def to_dict(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "roles": [r.to_dict() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "channels": [c.to_dict() for c in self.channels],
            "threads": [],
            "members": [m.to_dict() for m in self.members],
            "member_count": len(self.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "max_members": 500000,
            "premium_progress_bar_enabled": False,
        }


@dataclass
class Request:
    """One REST request as the fake saw it (also recorded when it was refused)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[tuple[str, bytes]]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    body: Json
    headers: dict[str, str]


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    payload: Json
    user: FakeUser
    channel_id: int
    #: (callback type, data) of the initial response, in order (Discord accepts one)
    callbacks: list[tuple[int, Json]] = field(default_factory=list)
    #: messages posted as follow-ups (``POST /webhooks/{app}/{token}``)
    followups: list[Json] = field(default_factory=list)
    #: the original response message, once it exists (type 4 reply or a deferred one edited)
    original: Json | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)
    answered_at: float | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def _touch(self) -> None:
        self._changed.set()

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

    async def response(self, timeout: float = 15.0) -> tuple[int, Json]:
        """The initial callback (type, data)."""
        await self._wait(lambda: bool(self.callbacks), timeout)
        return self.callbacks[0]

    async def reply(self, timeout: float = 15.0) -> Json:
        """The message the user finally sees: a type-4 reply, or the deferred response once edited."""

        def ready() -> bool:
            if not self.callbacks:
                return False
            kind = self.callbacks[0][0]
            if kind in (4, 7, 8, 9):
                return True
            return (self.original is not None and self.original.get("_edited", False)) or bool(self.followups)

        await self._wait(ready, timeout)
        kind, data = self.callbacks[0]
        if kind in (4, 7, 8, 9):
            return data
        if self.original is not None and self.original.get("_edited"):
            return self.original
        return self.followups[0]

    async def modal(self, timeout: float = 15.0) -> Json:
        kind, data = await self.response(timeout)
        assert kind == 9, f"expected a modal (type 9), got type {kind}: {data}"
        return data

    async def followup(self, index: int = 0, timeout: float = 15.0) -> Json:
        await self._wait(lambda: len(self.followups) > index, timeout)
        return self.followups[index]

    @property
    def ephemeral(self) -> bool:
        if not self.callbacks:
            return False
        data = self.callbacks[0][1]
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    def texts(self) -> list[str]:
        """Every piece of text the bot showed for this interaction (content, embeds, components)."""
        out: list[str] = []
        for _, data in self.callbacks:
            out.append(message_text(data))
        if self.original is not None:
            out.append(message_text(self.original))
        out.extend(message_text(m) for m in self.followups)
        return out


def message_text(msg: Json) -> str:
    """All visible text of a message payload (for "this never shows up anywhere" assertions)."""
    parts = [str(msg.get("content") or ""), str(msg.get("title") or "")]
    for embed in msg.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [
            (embed.get("footer") or {}).get("text") or "",
            (embed.get("author") or {}).get("name") or "",
        ]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
    for row in msg.get("components") or []:
        for item in row.get("components") or ([row["component"]] if "component" in row else []):
            parts += [
                str(item.get("label") or ""),
                str(item.get("placeholder") or ""),
                str(item.get("value") or ""),
            ]
    for choice in msg.get("choices") or []:
        parts += [str(choice.get("name") or ""), str(choice.get("value") or "")]
    return "\n".join(p for p in parts if p)


HEARTBEAT_ACK_DELAY_S = 0.02


@dataclass
class _Session:
    ws: web.WebSocketResponse
    session_id: str
    shard_id: int = 0
    shard_count: int = 1
    seq: int = 0
    ready: bool = False
    intents: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, op: int, d: Any, t: str | None = None) -> None:
        async with self.lock:
            frame: Json = {"op": op, "d": d, "s": None, "t": t}
            if op == 0:
                self.seq += 1
                frame["s"] = self.seq
            await self.ws.send_str(json.dumps(frame))


class _Bucket:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.reset_at = 0.0
        self.used = 0

    def take(self) -> tuple[bool, int, float]:
        now = time.time()
        if now >= self.reset_at:
            self.reset_at = now + self.window
            self.used = 0
        self.used += 1
        return self.used <= self.limit, max(0, self.limit - self.used), self.reset_at


_Handler = Callable[[web.Request, re.Match[str], Request], Awaitable[web.Response]]


class FakeDiscord:
    """The local Discord. ``await start()``, use, ``await stop()`` (or the ``discord_api`` fixture)."""

    def __init__(self, *, token: str = TOKEN, rate_limit: int = 50, rate_window_s: float = 1.0) -> None:
        self.token = token
        #: set by :meth:`revoke_token`: every authenticated call answers 401 (a reset bot token)
        self.token_revoked = False
        self._ids = itertools.count(1)
        self.app_id = self.snowflake()
        self.bot_user = FakeUser(self.app_id, "MineGNK", bot=True)
        self.owner = FakeUser(self.snowflake(), "owner")
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: list[FakeGuild] = []
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, list[Json]] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.closed_dms: set[int] = set()
        self.requests: list[Request] = []
        #: every command bulk overwrite: (guild_id or None, the body as sent)
        self.command_syncs: list[tuple[int | None, list[Json]]] = []
        self.commands: dict[int | None, list[Json]] = {}
        self._sent_commands: dict[int | None, dict[str, Json]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        #: the Discord client language of a user (``locale`` in their interactions), by user id
        self.locales: dict[int, str] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self.identifies: list[Json] = []
        self.resumes: list[Json] = []
        self.gateway_shards = 1
        self._sessions: list[_Session] = []
        self._failures: list[Failure] = []
        self._rate_limit = rate_limit
        self._rate_window = rate_window_s
        self._buckets: dict[str, _Bucket] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.guild = self.add_guild("MineGNK Test")
        self._routes: list[tuple[str, re.Pattern[str], str, _Handler]] = []
        self._install_routes()

    # ----------------------------------------------------------------- world building
    def snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._ids) & 0x3FFFFF)

    def add_guild(self, name: str) -> FakeGuild:
        gid = self.snowflake()
        guild = FakeGuild(gid, name, owner_id=self.owner.id)
        guild.roles.append(FakeRole(gid, "@everyone", BASIC_PERMISSIONS))
        guild.roles.append(FakeRole(self.snowflake(), "Admin", ADMINISTRATOR, position=1))
        for i, ch in enumerate(("general", "alerts", "admin")):
            channel = FakeChannel(self.snowflake(), ch, 0, gid, position=i)
            guild.channels.append(channel)
            self.channels[channel.id] = channel
        guild.members.append(FakeMember(self.bot_user, []))
        guild.members.append(FakeMember(self.owner, []))
        self.guilds.append(guild)
        return guild

    def add_user(self, username: str, *, admin: bool = False, guild: FakeGuild | None = None) -> FakeUser:
        """A user who is a member of the test guild (with the Admin role when ``admin``)."""
        user = FakeUser(self.snowflake(), username)
        self.users[user.id] = user
        g = guild or self.guild
        roles = [r.id for r in g.roles if r.name == "Admin"] if admin else []
        g.members.append(FakeMember(user, roles))
        return user

    def revoke_token(self, revoked: bool = True) -> None:
        """The bot token was reset in the developer portal: REST answers 401 until restored."""
        self.token_revoked = revoked

    def close_dms(self, user: FakeUser | int) -> None:
        """Messages to this user's DM channel now fail with 403 / 50007."""
        self.closed_dms.add(user if isinstance(user, int) else user.id)

    def dm_channel(self, user: FakeUser | int) -> FakeChannel:
        uid = user if isinstance(user, int) else user.id
        if uid not in self.dm_channels:
            ch = FakeChannel(self.snowflake(), None, 1, recipient=self.users[uid])
            self.dm_channels[uid] = ch
            self.channels[ch.id] = ch
        return self.dm_channels[uid]

    def dms(self, user: FakeUser | int) -> list[Json]:
        """Messages the bot sent to this user's DM channel."""
        uid = user if isinstance(user, int) else user.id
        ch = self.dm_channels.get(uid)
        return list(self.messages.get(ch.id, [])) if ch else []

    def channel_messages(self, channel: FakeChannel | int) -> list[Json]:
        cid = channel if isinstance(channel, int) else channel.id
        return list(self.messages.get(cid, []))

    def calls(self, method: str, path_regex: str) -> list[Request]:
        """Recorded REST requests matching a method and a path regex (``re.fullmatch`` on the path)."""
        rx = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.5,
        is_global: bool = False,
        code: int = 0,
        message: str | None = None,
        via: bool = True,
    ) -> None:
        """The next ``times`` matching requests fail with ``status`` (429s the way Discord sends them)."""
        headers: dict[str, str] = {}
        body: Json
        if status == 429:
            body = {
                "message": message or "You are being rate limited.",
                "retry_after": retry_after,
                "global": is_global,
                "code": code,
            }
            headers = {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if is_global else "user",
            }
            if not is_global:
                headers.update(
                    {
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(retry_after),
                        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    }
                )
            if via:
                headers["Via"] = "1.1 google"
            if is_global:
                headers["X-RateLimit-Global"] = "true"
        else:
            body = {"message": message or f"{status}: injected failure", "code": code}
        self._failures.append(Failure(method.upper(), re.compile(path_regex), status, times, body, headers))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait until ``predicate()`` holds; it is re-checked whenever the fake records something."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

    def _touch(self) -> None:
        self._changed.set()

    # ----------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def config_overrides(self) -> Json:
        """The ``[discord]`` config section that points the bot here."""
        return {
            "token": self.token,
            "api_base": self.api_base,
            "gateway_url": self.gateway_url,
        }

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for s in list(self._sessions):
            with contextlib.suppress(Exception):
                await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- gateway
    @property
    def ready_sessions(self) -> list[_Session]:
        return [s for s in self._sessions if s.ready and not s.ws.closed]

    async def wait_ready(self, shards: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.ready_sessions) >= shards, timeout)

    async def disconnect_all(self, code: int = 4000) -> None:
        """Drop every gateway connection (the client reconnects and RESUMEs)."""
        for s in list(self._sessions):
            await s.ws.close(code=code)

    def _session_for(self, guild_id: int | None) -> _Session:
        ready = self.ready_sessions
        if not ready:
            raise RuntimeError("no gateway session is connected and READY")
        for s in ready:
            target = 0 if guild_id is None else (guild_id >> 22) % s.shard_count
            if s.shard_id == target:
                return s
        raise RuntimeError(f"no connected shard handles guild {guild_id}")

    async def dispatch(self, event: str, data: Json, guild_id: int | None = None) -> None:
        await self._session_for(guild_id).send(0, data, event)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        session = _Session(ws, secrets.token_hex(16))
        self._sessions.append(session)
        try:
            await session.send(10, {"heartbeat_interval": 41250})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                await self._on_frame(session, frame)
        finally:
            session.ready = False
            self._touch()
        return ws

    async def _on_frame(self, session: _Session, frame: Json) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            # a real gateway is a network away: an ACK on loopback can beat discord.py's heartbeat
            # thread to recording its send, and the client logs the whole interval as latency
            await asyncio.sleep(HEARTBEAT_ACK_DELAY_S)
            await session.send(11, None)
        elif op == 2:
            self.identifies.append(d)
            if d.get("token") != self.token:
                await session.ws.close(code=4004, message=b"Authentication failed.")
                return
            shard = d.get("shard") or [0, 1]
            session.shard_id, session.shard_count = int(shard[0]), int(shard[1])
            session.intents = int(d.get("intents") or 0)
            guilds = [g for g in self.guilds if (g.id >> 22) % session.shard_count == session.shard_id]
            ready: Json = {
                "v": 10,
                "user": self.bot_user.to_dict(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
                "shard": [session.shard_id, session.shard_count],
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
                "presences": [],
                "geo_ordered_rtc_regions": [],
            }
            await session.send(0, ready, "READY")
            for g in guilds:
                await session.send(0, g.to_dict(), "GUILD_CREATE")
            session.ready = True
            self._touch()
        elif op == 6:
            self.resumes.append(d)
            old = next((s for s in self._sessions if s.session_id == d.get("session_id")), None)
            if d.get("token") != self.token or old is None:
                await session.send(9, False)
                return
            session.session_id = old.session_id
            session.shard_id, session.shard_count = old.shard_id, old.shard_count
            session.seq = old.seq
            with contextlib.suppress(ValueError):
                self._sessions.remove(old)
            await session.send(0, {}, "RESUMED")
            session.ready = True
            self._touch()
        elif op == 8:
            gid = int(d["guild_id"]) if not isinstance(d["guild_id"], list) else int(d["guild_id"][0])
            guild = next((g for g in self.guilds if g.id == gid), None)
            members = [m.to_dict() for m in guild.members] if guild else []
            chunk = {
                "guild_id": str(gid),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "presences": [],
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            await session.send(0, chunk, "GUILD_MEMBERS_CHUNK")

    # ----------------------------------------------------------------- interactions
    def _command(self, name: str, guild_id: int | None) -> Json:
        for scope in (guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name:
                    return cmd
        synced = [c["name"] for c in self.commands.get(guild_id, []) + self.commands.get(None, [])]
        raise KeyError(f"/{name} was never synced (synced: {synced})")

    def _base_interaction(
        self, kind: int, user: FakeUser, channel: FakeChannel | None, data: Json, message: Json | None = None
    ) -> FakeInteraction:
        iid = self.snowflake()
        token = "itok_" + secrets.token_urlsafe(24)
        payload: Json = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": self.locales.get(user.id, "en-US"),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)}
            if channel and channel.guild_id
            else {"1": str(user.id)},
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(ALL_PERMISSIONS),
        }
        if channel is None or channel.type == 1:
            dm = self.dm_channel(user)
            channel = dm
            payload["channel"] = {"id": str(dm.id), "type": 1, "recipients": [user.to_dict()], "flags": 0}
            payload["channel_id"] = str(dm.id)
            payload["user"] = user.to_dict()
            payload["context"] = 1
        else:
            guild = next(g for g in self.guilds if g.id == channel.guild_id)
            member = guild.member(user.id)
            if member is None:
                raise KeyError(f"{user.username} is not a member of {guild.name}")
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["channel"] = channel.to_dict()
            payload["channel_id"] = str(channel.id)
            payload["member"] = member.to_dict(guild.permissions_of(member))
            payload["context"] = 0
        if message is not None:
            payload["message"] = message
        ix = FakeInteraction(iid, token, kind, payload, user, channel.id)
        self.interactions[iid] = ix
        self._by_token[token] = ix
        return ix

    def _options(self, spec: list[Json], values: dict[str, Any], focused: str | None) -> list[Json]:
        by_name = {o["name"]: o for o in spec}
        out: list[Json] = []
        for name, value in values.items():
            if name not in by_name:
                raise KeyError(f"no option {name!r} (have {sorted(by_name)})")
            otype = by_name[name]["type"]
            if otype in (6, 7, 8, 9):
                value = str(value.id if hasattr(value, "id") else value)
            opt: Json = {"name": name, "type": otype, "value": value}
            if name == focused:
                opt["focused"] = True
                opt["value"] = str(value)
            out.append(opt)
        return out

    def _command_data(
        self, name: str, channel: FakeChannel | None, options: dict[str, Any], focused: str | None = None
    ) -> Json:
        guild_id = channel.guild_id if channel is not None else None
        cmd = self._command(name, guild_id)
        data: Json = {"id": cmd["id"], "name": name, "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        spec = cmd.get("options") or []
        sub = [o for o in spec if o["type"] in (1, 2)]
        if sub and options:
            subname = next(iter(options))
            subspec = next(o for o in sub if o["name"] == subname)
            data["options"] = [
                {
                    "name": subname,
                    "type": subspec["type"],
                    "options": self._options(subspec.get("options") or [], options[subname], focused),
                }
            ]
        else:
            data["options"] = self._options(spec, options, focused)
        resolved: Json = {}
        for opt in data["options"]:
            if opt["type"] == 6:
                u = self.users[int(opt["value"])]
                resolved.setdefault("users", {})[opt["value"]] = u.to_dict()
            if opt["type"] == 7:
                ch = self.channels[int(opt["value"])]
                resolved.setdefault("channels", {})[opt["value"]] = {
                    **ch.to_dict(),
                    "permissions": str(ALL_PERMISSIONS),
                }
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self, user: FakeUser, name: str, channel: FakeChannel | None = None, /, **options: Any
    ) -> FakeInteraction:
        """Invoke ``/name`` as ``user`` in ``channel`` (a DM when None); options typed as synced."""
        ix = self._base_interaction(2, user, channel, self._command_data(name, channel, options))
        await self.dispatch("INTERACTION_CREATE", ix.payload, channel.guild_id if channel else None)
        return ix

    async def autocomplete(
        self,
        user: FakeUser,
        name: str,
        focused: str,
        channel: FakeChannel | None = None,
        /,
        **options: Any,
    ) -> list[Json]:
        """Type into option ``focused`` of ``/name``; returns the choices the bot offered."""
        ix = self._base_interaction(4, user, channel, self._command_data(name, channel, options, focused))
        await self.dispatch("INTERACTION_CREATE", ix.payload, channel.guild_id if channel else None)
        kind, data = await ix.response()
        assert kind == 8, f"autocomplete must answer type 8, got {kind}"
        return list(data.get("choices") or [])

    async def click(self, user: FakeUser, message: Json, custom_id: str) -> FakeInteraction:
        """Press the button ``custom_id`` on ``message`` (a message dict this fake recorded)."""
        ids = [
            item.get("custom_id")
            for row in message.get("components") or []
            for item in row.get("components") or []
        ]
        if custom_id not in ids:
            raise KeyError(f"no component {custom_id!r} on that message (have {ids})")
        channel = self.channels[int(message["channel_id"])]
        data = {"custom_id": custom_id, "component_type": 2}
        ix = self._base_interaction(3, user, channel if channel.type == 0 else None, data, message=message)
        await self.dispatch("INTERACTION_CREATE", ix.payload, channel.guild_id)
        return ix

    async def submit_modal(
        self, user: FakeUser, modal: Json, values: dict[str, str], channel: FakeChannel | None = None
    ) -> FakeInteraction:
        """Submit a modal the bot opened (the type-9 data) with ``values`` by text-input custom_id."""
        rows: list[Json] = []
        for row in modal.get("components") or []:
            if row.get("type") == 18:
                item = row["component"]
                rows.append(
                    {
                        "type": 18,
                        "id": row.get("id", 0),
                        "component": {
                            "type": item["type"],
                            "custom_id": item["custom_id"],
                            "value": values.get(item["custom_id"], ""),
                        },
                    }
                )
            else:
                rows.append(
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": item["type"],
                                "custom_id": item["custom_id"],
                                "value": values.get(item["custom_id"], ""),
                            }
                            for item in row.get("components") or []
                        ],
                    }
                )
        data = {"custom_id": modal["custom_id"], "components": rows}
        ix = self._base_interaction(5, user, channel, data)
        await self.dispatch("INTERACTION_CREATE", ix.payload, channel.guild_id if channel else None)
        return ix

    # ----------------------------------------------------------------- REST plumbing
    def _route(self, method: str, pattern: str, name: str) -> Callable[[_Handler], _Handler]:
        def deco(fn: _Handler) -> _Handler:
            self._routes.append((method, re.compile(pattern), name, fn))
            return fn

        return deco

    def _bucket_headers(self, name: str, major: str, req: Request) -> tuple[bool, dict[str, str]]:
        key = f"{name}:{major}"
        bucket = self._buckets.setdefault(key, _Bucket(self._rate_limit, self._rate_window))
        ok, remaining, reset_at = bucket.take()
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{max(0.0, reset_at - time.time()):.3f}",
            "X-RateLimit-Bucket": f"fake-{name}",
        }
        return ok, headers

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        files: list[tuple[str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part is None:
                    break
                if part.name == "payload_json":
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                elif getattr(part, "filename", None):
                    files.append((part.filename or "", bytes(await part.read())))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        return json.loads(raw), files

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        rec = Request(request.method, path, dict(request.query), body, files)
        self.requests.append(rec)
        try:
            response = await self._handle(request, path, rec)
        except _Reject as rej:
            response = rej.response
        rec.status = response.status
        self._touch()
        return response

    async def _handle(self, request: web.Request, path: str, rec: Request) -> web.Response:
        for method, pattern, name, fn in self._routes:
            if method != request.method:
                continue
            m = pattern.fullmatch(path)
            if m is None:
                continue
            for failure in self._failures:
                if (
                    failure.remaining > 0
                    and failure.method == request.method
                    and failure.pattern.fullmatch(path)
                ):
                    failure.remaining -= 1
                    return _json(failure.body, failure.status, failure.headers)
            webhook = name.startswith(("callback", "webhook"))
            if not webhook and (
                self.token_revoked or request.headers.get("Authorization") != f"Bot {self.token}"
            ):
                return _error(401, "401: Unauthorized")
            major = next(iter(m.groups()), "") or ""
            ok, headers = self._bucket_headers(name, major, rec)
            if not ok:
                retry = float(headers["X-RateLimit-Reset-After"])
                return _json(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry,
                        "global": False,
                        "code": 0,
                    },
                    429,
                    {**headers, "Via": "1.1 google", "X-RateLimit-Scope": "user"},
                )
            response = await fn(request, m, rec)
            for k, v in headers.items():
                response.headers.setdefault(k, v)
            return response
        return _error(404, "404: Not Found")

    def _message(
        self,
        channel_id: int,
        payload: Json,
        files: list[tuple[str, bytes]],
        *,
        author: FakeUser | None = None,
        flags: int = 0,
        interaction: FakeInteraction | None = None,
    ) -> Json:
        attachments = [
            {
                "id": str(self.snowflake()),
                "filename": name,
                "size": len(data),
                "url": f"{self.base_url}/attachments/{name}",
                "proxy_url": f"{self.base_url}/attachments/{name}",
                "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
            }
            for name, data in files
        ]
        msg: Json = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": (author or self.bot_user).to_dict(),
            "content": payload.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 19 if payload.get("message_reference") else 0,
            "flags": int(payload.get("flags") or 0) | flags,
        }
        channel = self.channels.get(channel_id)
        if channel is not None and channel.guild_id is not None:
            msg["guild_id"] = str(channel.guild_id)
        if payload.get("message_reference"):
            msg["message_reference"] = payload["message_reference"]
        if interaction is not None:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.to_dict(),
                "authorizing_integration_owners": {},
            }
        msg["_files"] = [(n, len(d)) for n, d in files]
        msg["_file_bytes"] = files
        return msg

    @staticmethod
    def _public(msg: Json) -> Json:
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    def _check(self, payload: Json | None, files: int, *, edit: bool = False) -> None:
        if payload is None:
            if files:
                return
            raise _Reject(_error(400, "Cannot send an empty message", 50006))
        problem = check_message(payload, files=files, edit=edit)
        if problem is not None:
            raise _Reject(_json(problem, 400))

    # ----------------------------------------------------------------- REST routes
    def _install_routes(self) -> None:
        r = self._route

        @r("GET", r"/users/@me", "users_me")
        async def users_me(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json(self.bot_user.to_dict())

        @r("GET", r"/users/(\d+)", "users_get")
        async def users_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            user = self.users.get(int(m.group(1)))
            return _json(user.to_dict()) if user else _error(404, "Unknown User", 10013)

        @r("GET", r"/oauth2/applications/@me", "app_me")
        async def app_me(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json(
                {
                    "id": str(self.app_id),
                    "name": "MineGNK",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": self.owner.to_dict(),
                    "verify_key": "0" * 64,
                    "flags": 0,
                    "summary": "",
                    "team": None,
                    "bot": self.bot_user.to_dict(),
                    "tags": [],
                    "redirect_uris": [],
                }
            )

        @r("GET", r"/gateway", "gateway")
        async def gateway(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json({"url": self.gateway_url})

        @r("GET", r"/gateway/bot", "gateway_bot")
        async def gateway_bot(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": self.gateway_shards,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 16,
                    },
                }
            )

        def commands_reply(scope: int | None, body: list[Json]) -> list[Json]:
            old = {c["name"]: c for c in self.commands.get(scope, [])}
            sent = self._sent_commands.setdefault(scope, {})
            out = []
            for cmd in body:
                prev = old.get(cmd["name"])
                same = prev is not None and sent.get(cmd["name"]) == cmd
                sent[cmd["name"]] = cmd
                full = {
                    "id": prev["id"] if prev else str(self.snowflake()),
                    "application_id": str(self.app_id),
                    "version": prev["version"] if same and prev else str(self.snowflake()),
                    **cmd,
                }
                full.setdefault("type", 1)
                full.setdefault("description", "")
                full.setdefault("default_member_permissions", None)
                if full["default_member_permissions"] is not None:  # Discord answers a string
                    full["default_member_permissions"] = str(full["default_member_permissions"])
                full.setdefault("nsfw", False)
                full.setdefault("options", [])
                if scope is not None:
                    full["guild_id"] = str(scope)
                out.append(full)
            self.commands[scope] = out
            return out

        @r("PUT", r"/applications/(\d+)/commands", "commands_put")
        async def commands_put(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            self.command_syncs.append((None, list(rec.json or [])))
            return _json(commands_reply(None, list(rec.json or [])))

        @r("GET", r"/applications/(\d+)/commands", "commands_get")
        async def commands_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json(self.commands.get(None, []))

        @r("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", "guild_commands_put")
        async def guild_commands_put(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            gid = int(m.group(2))
            self.command_syncs.append((gid, list(rec.json or [])))
            return _json(commands_reply(gid, list(rec.json or [])))

        @r("GET", r"/applications/(\d+)/guilds/(\d+)/commands", "guild_commands_get")
        async def guild_commands_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            return _json(self.commands.get(int(m.group(2)), []))

        # --- interactions
        @r("POST", r"/interactions/(\d+)/([^/]+)/callback", "callback")
        async def callback(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = self.interactions.get(int(m.group(1)))
            if ix is None or ix.token != m.group(2):
                return _error(404, "Unknown interaction", 10062)
            if ix.callbacks:
                return _error(400, "Interaction has already been acknowledged.", 40060)
            body = rec.json or {}
            kind = int(body.get("type", 0))
            data = body.get("data") or {}
            if kind in (4, 7):
                self._check(data, len(rec.files))
            elif kind == 9:
                problem = check_modal(data)
                if problem is not None:
                    return _json(problem, 400)
            elif kind == 8:
                problem = check_choices(data)
                if problem is not None:
                    return _json(problem, 400)
            ix.callbacks.append((kind, data))
            ix.files.extend(rec.files)
            ix.answered_at = time.monotonic()
            reply: Json = {
                "interaction": {
                    "id": str(ix.id),
                    "type": ix.type,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
                }
            }
            if kind in (4, 5):
                msg = self._message(
                    ix.channel_id,
                    data if kind == 4 else {"content": "", "flags": data.get("flags")},
                    rec.files,
                    flags=(128 if kind == 5 else 0),
                    interaction=ix,
                )
                msg["_edited"] = kind == 4
                ix.original = msg
                reply["interaction"]["response_message_id"] = msg["id"]
                reply["resource"] = {"type": kind, "message": self._public(msg)}
            elif kind == 7 and "message" in ix.payload:
                edited = {
                    **ix.payload["message"],
                    **{k: v for k, v in data.items() if k in ("content", "embeds", "components")},
                }
                self._replace_message(edited)
                reply["resource"] = {"type": 7, "message": self._public(edited)}
            else:
                reply["resource"] = {"type": kind}
            ix._touch()
            return _json(reply)

        def by_token(m: re.Match[str]) -> FakeInteraction:
            ix = self._by_token.get(m.group(2))
            if ix is None or str(self.app_id) != m.group(1):
                raise _Reject(_error(404, "Unknown Webhook", 10015))
            if not ix.callbacks:
                raise _Reject(_error(404, "Unknown Webhook", 10015))
            return ix

        @r("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original", "webhook_edit_original")
        async def edit_original(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = by_token(m)
            self._check(rec.json, len(rec.files), edit=True)
            base = ix.original or self._message(ix.channel_id, {}, [], interaction=ix)
            body = rec.json or {}
            updated = {**base, **{k: v for k, v in body.items() if k in ("content", "embeds", "components")}}
            if rec.files:
                updated["attachments"] = self._message(ix.channel_id, {}, rec.files)["attachments"]
                updated["_files"] = [(n, len(d)) for n, d in rec.files]
                updated["_file_bytes"] = rec.files
                ix.files.extend(rec.files)
            updated["flags"] = int(updated.get("flags") or 0) & ~128
            updated["edited_timestamp"] = _now_iso()
            updated["_edited"] = True
            ix.original = updated
            ix._touch()
            return _json(self._public(updated))

        @r("GET", r"/webhooks/(\d+)/([^/]+)/messages/@original", "webhook_get_original")
        async def get_original(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = by_token(m)
            if ix.original is None:
                return _error(404, "Unknown Message", 10008)
            return _json(self._public(ix.original))

        @r("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/@original", "webhook_delete_original")
        async def delete_original(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = by_token(m)
            ix.original = None
            ix._touch()
            return web.Response(status=204)

        @r("POST", r"/webhooks/(\d+)/([^/]+)", "webhook_followup")
        async def followup(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = by_token(m)
            self._check(rec.json, len(rec.files))
            msg = self._message(ix.channel_id, rec.json or {}, rec.files, interaction=ix)
            ix.followups.append(msg)
            ix.files.extend(rec.files)
            ix._touch()
            return _json(self._public(msg))

        @r("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(\d+)", "webhook_edit")
        async def edit_followup(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ix = by_token(m)
            self._check(rec.json, len(rec.files), edit=True)
            for i, msg in enumerate(ix.followups):
                if msg["id"] == m.group(3):
                    ix.followups[i] = {**msg, **(rec.json or {}), "edited_timestamp": _now_iso()}
                    ix._touch()
                    return _json(self._public(ix.followups[i]))
            return _error(404, "Unknown Message", 10008)

        # --- DMs and channel messages
        @r("POST", r"/users/@me/channels", "dm_create")
        async def dm_create(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            uid = int((rec.json or {}).get("recipient_id", 0))
            if uid not in self.users:
                return _error(400, "Invalid Recipient(s)", 50033)
            return _json(self.dm_channel(uid).to_dict())

        @r("GET", r"/channels/(\d+)", "channel_get")
        async def channel_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            ch = self.channels.get(int(m.group(1)))
            return _json(ch.to_dict()) if ch else _error(404, "Unknown Channel", 10003)

        @r("POST", r"/channels/(\d+)/messages", "message_create")
        async def message_create(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            cid = int(m.group(1))
            ch = self.channels.get(cid)
            if ch is None:
                return _error(404, "Unknown Channel", 10003)
            if ch.type == 1 and ch.recipient is not None and ch.recipient.id in self.closed_dms:
                return _error(403, "Cannot send messages to this user", 50007)
            self._check(rec.json, len(rec.files))
            ref = (rec.json or {}).get("message_reference")
            if ref and ref.get("fail_if_not_exists", True):
                ids = {msg["id"] for msg in self.messages.get(cid, [])}
                if str(ref.get("message_id")) not in ids:
                    return _json(
                        {
                            "message": "Invalid Form Body",
                            "code": 50035,
                            "errors": {
                                "message_reference": {
                                    "_errors": [
                                        {
                                            "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                            "message": "Unknown message",
                                        }
                                    ]
                                }
                            },
                        },
                        400,
                    )
            msg = self._message(cid, rec.json or {}, rec.files)
            self.messages.setdefault(cid, []).append(msg)
            return _json(self._public(msg))

        @r("GET", r"/channels/(\d+)/messages/(\d+)", "message_get")
        async def message_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            msg = self._find_message(int(m.group(1)), m.group(2))
            return _json(self._public(msg)) if msg else _error(404, "Unknown Message", 10008)

        @r("PATCH", r"/channels/(\d+)/messages/(\d+)", "message_edit")
        async def message_edit(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            msg = self._find_message(int(m.group(1)), m.group(2))
            if msg is None:
                return _error(404, "Unknown Message", 10008)
            self._check(rec.json, len(rec.files), edit=True)
            edited = {
                **msg,
                **{
                    k: v
                    for k, v in (rec.json or {}).items()
                    if k in ("content", "embeds", "components", "flags")
                },
                "edited_timestamp": _now_iso(),
            }
            self._replace_message(edited)
            return _json(self._public(edited))

        @r("DELETE", r"/channels/(\d+)/messages/(\d+)", "message_delete")
        async def message_delete(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            cid = int(m.group(1))
            before = self.messages.get(cid, [])
            self.messages[cid] = [x for x in before if x["id"] != m.group(2)]
            return web.Response(status=204)

        @r("GET", r"/guilds/(\d+)/members/(\d+)", "member_get")
        async def member_get(req: web.Request, m: re.Match[str], rec: Request) -> web.Response:
            guild = next((g for g in self.guilds if g.id == int(m.group(1))), None)
            member = guild.member(int(m.group(2))) if guild else None
            return _json(member.to_dict()) if member else _error(404, "Unknown Member", 10007)

    def _find_message(self, channel_id: int, message_id: str) -> Json | None:
        return next((x for x in self.messages.get(channel_id, []) if x["id"] == message_id), None)

    def _replace_message(self, edited: Json) -> None:
        cid = int(edited["channel_id"])
        msgs = self.messages.get(cid, [])
        for i, msg in enumerate(msgs):
            if msg["id"] == edited["id"]:
                msgs[i] = edited


class _Reject(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response
