"""Set-up every test area shares: users, identities, nodes, callers, and an event loop on virtual time."""

from __future__ import annotations

import asyncio
import selectors
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from uuid import UUID

from bot.db import nodes as nodes_db
from bot.db import users as users_db
from bot.db.types import Pool
from bot.domain.identifiers import bech32_encode
from bot.domain.platforms import Platform
from bot.services.context import Caller, ChatKind
from bot.services.provisioning import add_user, assign_node

T = TypeVar("T")

WALLET = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"
WALLET2 = "gonka1d8ulnhaa8fz9tmdjvnp3vglfm2gegv8jgwf4ha"


def wallet(n: int) -> str:
    """A valid, distinct gonka1… address for test node ``n``."""
    return bech32_encode("gonka", n.to_bytes(20, "big"))


def caller(
    uid: str = "1001", *, platform: Platform = "telegram", chat: str | None = None, kind: ChatKind = "private"
) -> Caller:
    return Caller(platform=platform, platform_user_id=uid, chat_id=chat or uid, chat_kind=kind)


async def make_user(
    pool: Pool,
    email: str | None = None,
    *,
    password: str = "pw-secret",
    admin: bool = False,
    telegram: str | None = None,
    discord: str | None = None,
) -> users_db.User:
    """A portal user (a random address unless ``email``), linked on the platforms given."""
    user = await add_user(
        pool, email or f"{uuid.uuid4().hex[:8]}@example.com", password, admin=admin, rounds=4
    )
    if telegram:
        user = await users_db.link_identity(pool, user.id, "telegram", telegram)
    if discord:
        user = await users_db.link_identity(pool, user.id, "discord", discord)
    return user


async def give_node(
    pool: Pool,
    email: str,
    identifier: str,
    name: str | None = None,
    *,
    status: str | None = None,
    history_days: int = 0,
) -> UUID:
    """Assign a node to the user (creating it), optionally with a cached status and ``history_days``
    days of earnings (1.25 GNK a day, ending today)."""
    _, assignment = await assign_node(pool, email, identifier, display_name=name)
    node_id = assignment.node.id
    if status is not None:
        await pool.execute(
            "INSERT INTO node_stats_cache (node_id, status, earnings_day, uptime_percent, source)"
            " VALUES ($1, $2, 1.5, 99.5, 'hyperfusion')"
            " ON CONFLICT (node_id) DO UPDATE SET status = EXCLUDED.status",
            node_id,
            status,
        )
    if history_days:
        await pool.execute(
            "INSERT INTO earnings_history (node_id, date, earnings_gnk)"
            " SELECT $1, (now() AT TIME ZONE 'UTC')::date - d, 1.25 FROM generate_series(0, $2 - 1) AS d",
            node_id,
            history_days,
        )
    return node_id


async def make_node(pool: Pool, name: str | None = None, *, owner: UUID | None = None) -> nodes_db.Node:
    """A wallet node with a random identifier, assigned to ``owner`` if given."""
    ident = "gonka1" + uuid.uuid4().hex[:32]
    node, _ = await nodes_db.upsert_node(pool, ident, "wallet", display_name=name)
    if owner is not None:
        await nodes_db.assign_node(pool, owner, node.id, None)
    return node


class _Selector(selectors.DefaultSelector):
    """Polls without blocking; when nothing is ready, jumps the loop's clock to its next timer."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        if events or timeout == 0:
            return events
        if timeout is None:  # no timer at all: only another thread can wake the loop
            return super().select(None)
        self._loop.advance(timeout)
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock moves only when every task waits: sleeps and timeouts take no real
    time, and what a test reads from ``loop.time()`` is exactly the schedule the code made, whatever
    the machine's load."""

    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_Selector(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def run_in_virtual_time(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` to completion on a fresh :class:`VirtualTimeLoop` (from a synchronous test)."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()
