"""Shared fixtures: a real PostgreSQL (template migrated once per run, a fresh copy per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest
import pytest_asyncio

from bot.config import Config, load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.db.types import Pool
from tests.fakes.discord_fixtures import discord_api, discord_config  # noqa: F401 - fixtures
from tests.fakes.telegram_api import telegram_api  # noqa: F401 - the fake Bot API server fixture
from tests.pg import admin_url, with_database

EMPTY_CONFIG = str(Path(__file__).with_name("empty_config.toml"))
os.environ["MINEGNK_CONFIG"] = EMPTY_CONFIG  # tests never read the developer's config.toml


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with admin_url() as url:
        yield url


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    """A database migrated once per run; each test copies it."""
    name = f"minegnk_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    apply_migrations(with_database(pg_admin_url, name))
    try:
        yield name
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_db_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database with no schema at all."""
    name = f"minegnk_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(pg_admin_url, name)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    name = f"minegnk_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        yield with_database(pg_admin_url, name)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture
async def pool(db_url: str) -> AsyncIterator[Pool]:
    async with open_pool(db_url, min_size=1, max_size=10) as p:
        yield p


@pytest.fixture
def config(db_url: str) -> Config:
    """A config pointing at the test database, with fast bcrypt and no HTTP port clash."""
    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"host": "127.0.0.1", "port": 0},
        accounts={"bcrypt_rounds": 4},
    )


async def fetch_all(pool: Pool, sql: str, *args: object) -> list[asyncpg.Record]:
    return list(await pool.fetch(sql, *args))
