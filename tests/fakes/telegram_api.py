"""A local Telegram Bot API server for tests: the real HTTP protocol, Telegram's validation, recorded calls.

The real aiogram ``Bot`` talks to it through
``AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))``.
What it speaks (as aiogram puts it on the wire): ``POST /bot<token>/<method>`` with form-urlencoded or
multipart bodies (files as ``attach://<name>`` parts), nested values as JSON strings; answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description", "parameters"}`` with the
matching HTTP status.

What it validates like Telegram: the token, HTML parse mode (``tests.fakes.telegram_html``), text ≤ 4096
and caption ≤ 1024 characters after entity parsing, callback data 1–64 bytes, per-chat and global send
rates (429 with ``retry_after``), blocked users (403), edits of unknown or unchanged messages, double
answers to a callback query, one getUpdates consumer at a time and none while a webhook is set.

Test controls: :meth:`FakeTelegram.push` (updates; delivered by getUpdates, or POSTed to the webhook
when one is set), update builders (:meth:`message`, :meth:`command`, :meth:`click`), :meth:`fail`
(inject an error status, e.g. 5xx), :meth:`hang` (hold a response past the client's timeout),
:meth:`block` (403), :meth:`set_rate_limits`; and for assertions :attr:`calls`, :meth:`sent_to`,
:meth:`wait_sent`, :meth:`wait_call`, :meth:`unanswered_callbacks`, :attr:`commands`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

from tests.fakes.telegram_html import EntityParseError, parse_html

TOKEN = "42:TEST-TOKEN"
BOT_ID = 42
BOT_USERNAME = "minegnk_test_bot"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
#: Telegram's shared senders (the same id for everyone who posts that way)
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688
SERVICE_NOTIFICATIONS = 777000
#: fields aiogram sends as JSON strings inside form fields
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
    }
)
#: methods that count against the send rate limits (what Telegram throttles per chat)
_RATED = frozenset(
    {"sendmessage", "sendphoto", "editmessagetext", "editmessagereplymarkup", "editmessagecaption"}
)


class _Messages(dict[tuple[int, int], "FakeMessage"]):
    """(chat, message id) -> message, indexed by chat too: a soak of thousands of messages and a
    hundred waiting clients must not rescan them all on every change."""

    def __init__(self) -> None:
        super().__init__()
        self._by_chat: dict[int, dict[int, FakeMessage]] = {}

    def __setitem__(self, key: tuple[int, int], value: FakeMessage) -> None:
        super().__setitem__(key, value)
        self._by_chat.setdefault(key[0], {})[key[1]] = value

    def in_chat(self, chat_id: int) -> dict[int, FakeMessage]:
        return self._by_chat.get(chat_id, {})


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


@dataclass
class ApiCall:
    """One request the bot made: method as sent (``sendMessage``), decoded params, uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    status: int = 200
    result: Any = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeMessage:
    """A message as Telegram stores it: what the user sees now (after edits) and whether it was deleted."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None = None  # visible text (entities parsed)
    html: str | None = None  # the raw text as sent (with tags), for bot messages
    caption: str | None = None
    photo: bytes | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b for row in rows for b in row]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text contains ``label``."""
        for b in self.buttons:
            if label in b["text"]:
                return b
        raise AssertionError(
            f"no button {label!r} on message {self.message_id}: {[b['text'] for b in self.buttons]}"
        )

    @property
    def shown(self) -> str:
        return self.text if self.text is not None else self.caption or ""


class _Bucket:
    """A token bucket: ``rate`` per second, up to ``burst`` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.messages: _Messages = _Messages()
        self.commands: dict[str, list[dict[str, str]]] = {}  # scope key -> commands
        self.blocked: set[int] = set()
        self.webhook_url: str | None = None
        #: the Telegram app language of a user (``language_code`` in their updates), by user id
        self.language_codes: dict[int, str] = {}
        self.webhook_secret: str | None = None
        self.webhook_responses: list[int] = []
        self.chat_types: dict[int, str] = {}
        #: channels and groups made with :meth:`add_chat`: id -> (title, @username or None)
        self.chat_info: dict[int, tuple[str, str | None]] = {}
        #: chat id -> user id -> member status (creator, administrator, member, left, kicked)
        self.members: dict[int, dict[int, str]] = {}
        #: groups upgraded to supergroups: old id -> new id (sends to the old id answer 400)
        self.migrated: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Condition()
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._callbacks: dict[str, bool] = {}  # callback query id -> answered
        self._failures: dict[str, deque[ApiError]] = {}
        self._hangs: dict[str, deque[float]] = {}
        self._polling = 0
        self._changed = asyncio.Condition()
        self._global: _Bucket | None = None
        self._per_chat_rate: tuple[float, float] | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._runner: web.AppRunner | None = None
        self._webhook_session: aiohttp.ClientSession | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for task in list(self._webhook_tasks):
            task.cancel()
        if self._webhook_session is not None:
            await self._webhook_session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ test controls
    def set_rate_limits(
        self,
        *,
        global_per_s: float | None = 30.0,
        per_chat_per_s: float | None = 1.0,
        per_chat_burst: float = 3,
    ) -> None:
        """Enforce Telegram's send rates (None disables one); exceeding answers 429 with retry_after."""
        self._global = _Bucket(global_per_s, global_per_s) if global_per_s else None
        self._per_chat_rate = (per_chat_per_s, per_chat_burst) if per_chat_per_s else None
        self._chat_buckets.clear()

    def fail(
        self,
        method: str,
        code: int = 500,
        description: str = "Internal Server Error",
        *,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` answer this error (e.g. 502, or 429 with retry_after)."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(ApiError(code, description, retry_after) for _ in range(times))

    def hang(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are held ``seconds`` before answering (client timeouts)."""
        self._hangs.setdefault(method.lower(), deque()).extend([seconds] * times)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403."""
        self.blocked.add(chat_id)

    # ------------------------------------------------------------------ updates
    def user(
        self, user_id: int, username: str | None = None, first_name: str | None = None
    ) -> dict[str, Any]:
        u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
        if username:
            u["username"] = username
        if user_id in self.language_codes:
            u["language_code"] = self.language_codes[user_id]
        return u

    def _chat(self, chat_id: int, user_id: int) -> dict[str, Any]:
        kind = self.chat_types.get(chat_id) or ("private" if chat_id > 0 else "supergroup")
        self.chat_types[chat_id] = kind
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": f"User{user_id}"}
        title, username = self.chat_info.get(chat_id, (f"Group {chat_id}", None))
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            chat["username"] = username
        return chat

    # ------------------------------------------------------------------ chats, members, migrations
    def add_chat(
        self,
        chat_id: int,
        kind: str = "channel",
        *,
        username: str | None = None,
        admins: tuple[int, ...] = (),
        members: tuple[int, ...] = (),
        bot_status: str = "administrator",
    ) -> None:
        """A group or channel (``kind``: group, supergroup, channel) with its administrators; the bot
        is in it with ``bot_status``. ``username`` without the @."""
        self.chat_types[chat_id] = kind
        self.chat_info[chat_id] = (f"{kind.capitalize()} {chat_id}", username)
        roles = self.members.setdefault(chat_id, {})
        roles.update({u: "administrator" for u in admins})
        roles.update({u: "member" for u in members})
        roles[BOT_ID] = bot_status

    def channel_post(self, chat_id: int, text: str) -> int:
        """A post in channel ``chat_id`` (no sender: channel posts have no ``from``)."""
        msg = FakeMessage(
            chat_id=chat_id, message_id=self._next_message_id(chat_id), from_bot=False, text=text
        )
        self.messages[(chat_id, msg.message_id)] = msg
        payload: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, 0),
            "sender_chat": self._chat(chat_id, 0),
            "text": text,
        }
        if text.startswith("/"):
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"channel_post": payload})

    def bot_membership(self, chat_id: int, status: str, *, by: int, old_status: str = "left") -> int:
        """The bot was added to (``member``/``administrator``) or removed from (``left``/``kicked``)
        ``chat_id`` by user ``by``: a ``my_chat_member`` update."""
        self.members.setdefault(chat_id, {})[BOT_ID] = status
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "MineGNK", "username": BOT_USERNAME}
        return self.push(
            {
                "my_chat_member": {
                    "chat": self._chat(chat_id, by),
                    "from": self.user(by),
                    "date": int(time.time()),
                    "old_chat_member": {"status": old_status, "user": bot},
                    "new_chat_member": _member(status, bot),
                }
            }
        )

    def migrate(self, old_id: int, new_id: int, *, by: int) -> None:
        """Group ``old_id`` became supergroup ``new_id``: the service message in the old group, and
        sends to the old id answer 400 with ``migrate_to_chat_id`` from now on."""
        self.migrated[old_id] = new_id
        self.chat_types[old_id] = "group"
        self.chat_types[new_id] = "supergroup"
        self.members[new_id] = dict(self.members.get(old_id, {BOT_ID: "member"}))
        self.push(
            {
                "message": {
                    "message_id": self._next_message_id(old_id),
                    "date": int(time.time()),
                    "chat": self._chat(old_id, by),
                    "from": self.user(by),
                    "migrate_to_chat_id": new_id,
                }
            }
        )

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        username: str | None = None,
        sender: dict[str, Any] | None = None,
        sender_chat: dict[str, Any] | None = None,
        automatic_forward: bool = False,
    ) -> FakeMessage:
        """A user sends ``text`` (in their private chat unless ``chat_id`` names a group); pushed at once.

        ``sender`` replaces the ``from`` object and ``sender_chat`` is added as Telegram does for shared
        senders (see :meth:`anonymous_admin`, :meth:`as_channel`, :meth:`automatic_forward`).
        """
        chat = user_id if chat_id is None else chat_id
        msg = FakeMessage(chat_id=chat, message_id=self._next_message_id(chat), from_bot=False, text=text)
        self.messages[(chat, msg.message_id)] = msg
        payload: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self._chat(chat, user_id),
            "from": sender if sender is not None else self.user(user_id, username),
            "text": text,
        }
        if sender_chat is not None:
            payload["sender_chat"] = sender_chat
        if automatic_forward:
            payload["is_automatic_forward"] = True
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.push({"message": payload})
        return msg

    command = message  # a command is a message starting with "/"

    def anonymous_admin(self, chat_id: int, text: str) -> FakeMessage:
        """A group admin posting anonymously: ``from`` is GroupAnonymousBot, ``sender_chat`` the group."""
        return self.message(
            GROUP_ANONYMOUS_BOT,
            text,
            chat_id=chat_id,
            sender={
                "id": GROUP_ANONYMOUS_BOT,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            },
            sender_chat={"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"},
        )

    def as_channel(self, chat_id: int, channel_id: int, text: str) -> FakeMessage:
        """A message sent in a group on behalf of a channel: ``from`` is Channel_Bot."""
        return self.message(
            CHANNEL_BOT,
            text,
            chat_id=chat_id,
            sender={"id": CHANNEL_BOT, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"},
            sender_chat={"id": channel_id, "type": "channel", "title": f"Channel {channel_id}"},
        )

    def automatic_forward(self, chat_id: int, channel_id: int, text: str) -> FakeMessage:
        """A linked channel's post forwarded into its discussion group: ``from`` is 777000."""
        return self.message(
            SERVICE_NOTIFICATIONS,
            text,
            chat_id=chat_id,
            sender={"id": SERVICE_NOTIFICATIONS, "is_bot": False, "first_name": "Telegram"},
            sender_chat={"id": channel_id, "type": "channel", "title": f"Channel {channel_id}"},
            automatic_forward=True,
        )

    def click(self, user_id: int, msg: FakeMessage, label: str) -> str:
        """The user presses the inline button labelled ``label`` under ``msg``; returns the query id."""
        button = msg.button(label)
        return self.press(user_id, msg, button["callback_data"])

    def press(self, user_id: int, msg: FakeMessage, data: str) -> str:
        """A callback query with ``data`` from ``msg`` (use :meth:`click` for what a user can really do)."""
        query_id = str(next(self._callback_ids))
        self._callbacks[query_id] = False
        message: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self._chat(msg.chat_id, user_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "MineGNK", "username": BOT_USERNAME},
        }
        if msg.text is not None:
            message["text"] = msg.text
        if msg.caption is not None:
            message["caption"] = msg.caption
        if msg.reply_markup:
            message["reply_markup"] = msg.reply_markup
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "chat_instance": str(msg.chat_id),
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (``update_id`` is added); with a webhook set it is POSTed there instead."""
        update = {"update_id": next(self._update_ids), **update}
        if self.webhook_url is not None:
            task = asyncio.get_running_loop().create_task(self._post_webhook(update))
            self._webhook_tasks.add(task)
            task.add_done_callback(self._webhook_tasks.discard)
        else:
            self._updates.append(update)
            loop_task = asyncio.get_running_loop().create_task(self._notify_updates())
            self._webhook_tasks.add(loop_task)
            loop_task.add_done_callback(self._webhook_tasks.discard)
        return int(update["update_id"])

    async def _notify_updates(self) -> None:
        async with self._new_update:
            self._new_update.notify_all()

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        assert self.webhook_url is not None
        if self._webhook_session is None:
            self._webhook_session = aiohttp.ClientSession()
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        async with self._webhook_session.post(
            self.webhook_url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            self.webhook_responses.append(resp.status)

    # ------------------------------------------------------------------ assertions
    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_to(self, chat_id: int, *, include_deleted: bool = False) -> list[FakeMessage]:
        """The bot's messages in ``chat_id`` as the user sees them now, oldest first."""
        return [
            m
            for _, m in sorted(self.messages.in_chat(chat_id).items())
            if m.from_bot and (include_deleted or not m.deleted)
        ]

    def last_to(self, chat_id: int) -> FakeMessage:
        sent = self.sent_to(chat_id)
        assert sent, f"nothing was sent to chat {chat_id}"
        return sent[-1]

    def unanswered_callbacks(self) -> list[str]:
        return [q for q, answered in self._callbacks.items() if not answered]

    async def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[FakeMessage]:
        """Wait until at least ``count`` bot messages are in ``chat_id``; returns them all."""
        await self.wait_until(
            lambda: len(self.sent_to(chat_id)) >= count, timeout, f"{count} messages to {chat_id}"
        )
        return self.sent_to(chat_id)

    async def wait_call(
        self, method: str, predicate: Callable[[ApiCall], bool] = lambda c: True, timeout: float = 10.0
    ) -> ApiCall:
        await self.wait_until(lambda: any(predicate(c) for c in self.calls_of(method)), timeout, method)
        return next(c for c in self.calls_of(method) if predicate(c))

    async def wait_until(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        try:
            await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; calls: {[c.method for c in self.calls]}"
            ) from None

    async def _touch(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ HTTP
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    files[part.name] = bytes(await part.read())
                else:
                    params[part.name] = await part.text()
        elif request.content_type == "application/json":
            params = dict(await request.json())
        elif request.can_read_body:
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        params.update({k: dict(request.query)[k] for k in request.query})
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except json.JSONDecodeError:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        key = method.lower()
        call = ApiCall(method=method, params={}, files={})
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            call.params, call.files = await self._params(request)
            self.calls.append(call)
            if hang := self._hangs.get(key):
                await asyncio.sleep(hang.popleft())
            if failure := self._failures.get(key):
                raise failure.popleft()
            handler = getattr(self, f"_m_{key}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            if key in _RATED:
                self._check_rate(_int(call.params.get("chat_id")))
            call.result = await handler(call.params, call.files)
            return web.json_response({"ok": True, "result": call.result})
        except ApiError as err:
            call.status = err.code
            body: dict[str, Any] = {"ok": False, "error_code": err.code, "description": err.description}
            if err.retry_after is not None:
                body["parameters"] = {"retry_after": err.retry_after}
            if err.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": err.migrate_to_chat_id}
            return web.json_response(body, status=err.code)
        finally:
            await self._touch()

    def _check_rate(self, chat_id: int | None) -> None:
        waits = []
        if self._per_chat_rate is not None and chat_id is not None:
            rate, burst = self._per_chat_rate
            waits.append(self._chat_buckets.setdefault(chat_id, _Bucket(rate, burst)).take())
        if self._global is not None:
            waits.append(self._global.take())
        wait = max(waits, default=0.0)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    # ------------------------------------------------------------------ validation helpers
    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _deliverable(self, chat_id: int) -> None:
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[chat_id],
            )
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.members.get(chat_id, {}).get(BOT_ID) in ("left", "kicked"):
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")

    @staticmethod
    def _visible(text: str, parse_mode: str | None) -> str:
        if parse_mode is None:
            return text
        if parse_mode != "HTML":
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
        try:
            return parse_html(text)
        except EntityParseError as err:
            raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
        return markup

    def _message(self, params: dict[str, Any]) -> FakeMessage:
        chat_id = self._chat_id(params)
        message_id = _int(params.get("message_id"))
        msg = self.messages.get((chat_id, message_id or 0))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def _as_result(self, msg: FakeMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self._chat(msg.chat_id, msg.chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "MineGNK", "username": BOT_USERNAME},
        }
        if msg.edits:
            out["edit_date"] = int(time.time())
        if msg.text is not None:
            out["text"] = msg.text
        if msg.caption is not None:
            out["caption"] = msg.caption
        if msg.photo is not None:
            out["photo"] = [
                {
                    "file_id": f"photo-{msg.chat_id}-{msg.message_id}",
                    "file_unique_id": f"u{msg.message_id}",
                    "width": 800,
                    "height": 400,
                    "file_size": len(msg.photo),
                }
            ]
        if msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        return out

    def _reply_to(self, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            return _int(reply.get("message_id"))
        return _int(params.get("reply_to_message_id"))

    # ------------------------------------------------------------------ methods
    async def _m_getme(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "MineGNK",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getupdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook_url is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if self._polling:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        offset = _int(params.get("offset")) or 0
        limit = _int(params.get("limit")) or 100
        hold = min(float(params.get("timeout") or 0), 1.0)
        self._polling += 1
        try:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]

            def ready() -> bool:
                return any(u["update_id"] >= offset for u in self._updates)

            if not ready() and hold > 0:
                with contextlib.suppress(TimeoutError):
                    async with self._new_update:
                        await asyncio.wait_for(self._new_update.wait_for(ready), hold)
            return [u for u in self._updates if u["update_id"] >= offset][:limit]
        finally:
            self._polling -= 1

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = self._chat_id(params)
        raw = str(params.get("text") or "")
        visible = self._visible(raw, params.get("parse_mode"))
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        self._deliverable(chat_id)
        msg = FakeMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            from_bot=True,
            text=visible,
            html=raw,
            reply_markup=markup,
            reply_to=self._reply_to(params),
        )
        self.messages[(chat_id, msg.message_id)] = msg
        return self._as_result(msg)

    async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        data: bytes | None = None
        if isinstance(photo, str) and photo.startswith("attach://"):
            data = files.get(photo.removeprefix("attach://"))
            if data is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        elif isinstance(photo, str) and photo:
            data = photo.encode()
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if not data:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        raw = params.get("caption")
        caption = self._visible(str(raw), params.get("parse_mode")) if raw is not None else None
        if caption is not None and len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = self._markup(params)
        self._deliverable(chat_id)
        msg = FakeMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            from_bot=True,
            caption=caption,
            html=raw,
            photo=data,
            reply_markup=markup,
            reply_to=self._reply_to(params),
        )
        self.messages[(chat_id, msg.message_id)] = msg
        return self._as_result(msg)

    async def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        msg = self._message(params)
        raw = str(params.get("text") or "")
        visible = self._visible(raw, params.get("parse_mode"))
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._markup(params)
        if not msg.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        if visible == msg.text and raw == msg.html and markup == msg.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        msg.text, msg.html, msg.reply_markup = visible, raw, markup
        msg.edits += 1
        return self._as_result(msg)

    async def _m_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        msg = self._message(params)
        markup = self._markup(params)
        if markup == msg.reply_markup or (not markup and not msg.reply_markup):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        msg.reply_markup = markup or None
        msg.edits += 1
        return self._as_result(msg)

    async def _m_deletemessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = self._chat_id(params)
        msg = self.messages.get((chat_id, _int(params.get("message_id")) or 0))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        if not msg.from_bot and self.chat_types.get(chat_id) != "private":
            raise ApiError(400, "Bad Request: message can't be deleted")
        msg.deleted = True
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if self._callbacks.get(query_id) is not False:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        return True

    async def _m_setmycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for c in commands:
            name, desc = str(c.get("command", "")), str(c.get("description", ""))
            if not (1 <= len(name) <= 32 and all(ch.islower() or ch.isdigit() or ch == "_" for ch in name)):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(desc) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_menu_key(params)] = list(commands)
        return True

    async def _m_getmycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.commands.get(_menu_key(params), [])

    async def _m_deletemycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.commands.pop(_menu_key(params), None)
        return True

    async def _m_setwebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        self.webhook_url = url or None
        self.webhook_secret = params.get("secret_token") or None
        return True

    async def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook_url = None
        self.webhook_secret = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {"url": self.webhook_url or "", "has_custom_certificate": False, "pending_update_count": 0}

    def _resolve_chat(self, params: dict[str, Any]) -> int:
        ref = str(params.get("chat_id") or "")
        if ref.startswith("@"):
            for chat_id, (_, username) in self.chat_info.items():
                if username is not None and username.lower() == ref[1:].lower():
                    return chat_id
            raise ApiError(400, "Bad Request: chat not found")
        chat_id = self._chat_id(params)
        if chat_id < 0 and chat_id not in self.chat_types:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    async def _m_getchat(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = self._resolve_chat(params)
        if self.members.get(chat_id, {}).get(BOT_ID) in ("left", "kicked"):
            raise ApiError(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self._chat(chat_id, chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _m_getchatmember(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat_id = self._resolve_chat(params)
        user_id = _int(params.get("user_id"))
        if user_id is None:
            raise ApiError(400, "Bad Request: invalid user_id specified")
        roles = self.members.get(chat_id, {})
        if (
            roles.get(BOT_ID) not in ("creator", "administrator")
            and self.chat_types.get(chat_id) == "channel"
        ):
            raise ApiError(400, "Bad Request: member list is inaccessible")
        user = (
            {"id": BOT_ID, "is_bot": True, "first_name": "MineGNK", "username": BOT_USERNAME}
            if user_id == BOT_ID
            else self.user(user_id)
        )
        return _member(roles.get(user_id, "left"), user)

    async def _m_sendchataction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self._deliverable(self._chat_id(params))
        return True


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember object of ``status`` as the Bot API shapes each kind."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_send_welcome_messages": False,
                "can_post_messages": True,
                "can_edit_messages": True,
            }
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _menu_key(params: dict[str, Any]) -> str:
    """A menu is per scope and per ``language_code`` (none: every language without its own):
    ``default``, ``default|ru``, ``chat:42|zh``."""
    language = str(params.get("language_code") or "")
    if language and not (len(language) == 2 and language.isalpha() and language.islower()):
        raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
    key = _scope_key(params.get("scope"))
    return f"{key}|{language}" if language else key


def _scope_key(scope: Any) -> str:
    """``default``, ``all_private_chats``, ``chat:<id>``, ``chat_member:<chat>:<user>`` ..."""
    if not isinstance(scope, dict):
        return "default"
    kind = str(scope.get("type", "default"))
    if "chat_id" in scope and "user_id" in scope:
        return f"{kind}:{scope['chat_id']}:{scope['user_id']}"
    if "chat_id" in scope:
        return f"chat:{scope['chat_id']}" if kind == "chat" else f"{kind}:{scope['chat_id']}"
    return kind


@pytest_asyncio.fixture
async def telegram_api() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API server (no rate limits unless the test sets them)."""
    fake = FakeTelegram()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
