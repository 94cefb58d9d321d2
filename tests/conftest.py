"""Shared fixtures: a real PostgreSQL (template migrated once per run, a fresh copy per test)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
import pytest_asyncio

from bot.config import Config, load_config
from bot.db.migrate import apply_migrations
from bot.db.pool import open_pool
from bot.db.types import Pool
from tests.fakes.discord_fixtures import discord_api, discord_config  # noqa: F401 - fixtures
from tests.fakes.telegram_api import telegram_api  # noqa: F401 - the fake Bot API server fixture
from tests.pg import DatabaseCopies, admin_url, scratch_database

EMPTY_CONFIG = str(Path(__file__).with_name("empty_config.toml"))
os.environ["MINEGNK_CONFIG"] = EMPTY_CONFIG  # tests never read the developer's config.toml


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with admin_url() as url:
        yield url


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    """A database migrated once per run; each test copies it (yields its name)."""
    with scratch_database(pg_admin_url, f"minegnk_tmpl_{os.getpid()}") as url:
        apply_migrations(url)
        yield urlsplit(url).path.lstrip("/")


@pytest.fixture
def empty_db_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh database with no schema at all."""
    with scratch_database(pg_admin_url, "minegnk_empty") as url:
        yield url


@pytest.fixture(scope="session")
def db_copies(pg_admin_url: str, template_db: str) -> Iterator[DatabaseCopies]:
    """Copies of the template made ahead and dropped behind (a test waits for neither)."""
    copies = DatabaseCopies(pg_admin_url, template_db, f"minegnk_t_{os.getpid()}")
    try:
        yield copies
    finally:
        copies.close()


@pytest.fixture
def db_url(db_copies: DatabaseCopies) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    url = db_copies.take()
    try:
        yield url
    finally:
        db_copies.give_back(url)


@pytest.fixture(scope="module")
def module_db_url(db_copies: DatabaseCopies) -> Iterator[str]:
    """A migrated database shared by one module's tests (for a bot kept running across them)."""
    url = db_copies.take()
    try:
        yield url
    finally:
        db_copies.give_back(url)


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
        # a test drives one user faster than any person could: the per-person limits have their own
        # tests (tests/bot/services/test_throttle.py, test_tg_flood.py, test_discord_flood.py)
        limits={"actions_burst": 100_000},
    )


async def fetch_all(pool: Pool, sql: str, *args: object) -> list[asyncpg.Record]:
    return list(await pool.fetch(sql, *args))
