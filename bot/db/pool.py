"""Opening the asyncpg pool, with JSON codecs and bounded timeouts."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.db.types import Conn, Pool
from bot.errors import DatabaseError

log = logging.getLogger(__name__)


async def _init_connection(conn: Conn) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def open_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    command_timeout: float = 10.0,
    connect_timeout: float = 10.0,
    **kwargs: Any,
) -> AsyncIterator[Pool]:
    """Yield a pool; closes it on exit. Raises :class:`DatabaseError` when the server is unreachable."""
    try:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            command_timeout=command_timeout,
            timeout=connect_timeout,
            init=_init_connection,
            **kwargs,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL: {exc.__class__.__name__}: {exc}") from exc
    try:
        yield pool
    finally:
        await pool.close()
