"""Applying and rolling back the yoyo migrations in ``migrations/``.

Concurrency: every migrator first takes a PostgreSQL *session* advisory lock on a dedicated
connection. PostgreSQL releases it when the session dies, so a SIGKILLed migrator never leaves the
next start stuck. Holding it, any leftover ``yoyo_lock`` row can only be stale, so it is broken
before yoyo's own lock is taken.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bot.errors import MigrationError

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the migrator ("MGNKMIGR" as a signed 64-bit integer)
MIGRATION_LOCK_KEY = 0x4D474E4B4D494752

#: the tables the portal shares with the bot (and owns their data): a rollback never drops them
#: unless told to explicitly (``minegnk-bot migrate --rollback ... --drop-seed-tables``)
SEED_TABLES = ("users", "nodes", "user_nodes", "node_stats_cache", "earnings_history", "support_requests")
_DROP_TABLE = re.compile(
    r"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w\s.,\"]+?)\s*(?:CASCADE|RESTRICT)?\s*;", re.I
)


def seed_tables_dropped(migration_path: str | os.PathLike[str]) -> list[str]:
    """The seed tables the rollback script of this migration drops (in its order)."""
    path = Path(migration_path)
    rollback = path.with_name(path.name.removesuffix(".sql") + ".rollback.sql")
    if not rollback.is_file():
        return []
    dropped: list[str] = []
    for match in _DROP_TABLE.finditer(rollback.read_text()):
        for name in match.group(1).split(","):
            table = name.strip().strip('"').rsplit(".", 1)[-1].lower()
            if table in SEED_TABLES and table not in dropped:
                dropped.append(table)
    return dropped


def migrations_dir() -> Path:
    """The migrations folder: ``$MINEGNK_MIGRATIONS_DIR``, the source tree, or the installed copy."""
    env = os.environ.get("MINEGNK_MIGRATIONS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parents[2] / "migrations",
        Path(sys.prefix) / "share" / "minegnk-bot" / "migrations",
    ]
    for path in candidates:
        if path.is_dir() and any(path.glob("*.sql")):
            return path
    raise MigrationError("cannot find the migrations folder (set MINEGNK_MIGRATIONS_DIR)")


def yoyo_url(dsn: str) -> str:
    """The app DSN with the scheme yoyo needs for psycopg 3."""
    parts = urlsplit(dsn)
    return urlunsplit(("postgresql+psycopg", *parts[1:]))


def _psycopg_dsn(dsn: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(("postgresql", *parts[1:]))


@contextmanager
def _advisory_lock(dsn: str, timeout_s: float) -> Iterator[None]:
    try:
        conn = psycopg.connect(_psycopg_dsn(dsn), autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise MigrationError(f"cannot connect to PostgreSQL to migrate: {exc}") from exc
    try:
        conn.execute(f"SET lock_timeout = '{int(timeout_s * 1000)}ms'")
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        except psycopg.errors.LockNotAvailable as exc:
            raise MigrationError(f"another migrator held the lock for over {timeout_s:.0f} s") from exc
        except psycopg.Error as exc:
            raise MigrationError(f"cannot take the migration lock: {exc}") from exc
        yield
    finally:
        conn.close()  # ends the session, which releases the advisory lock


def _run(
    dsn: str,
    action: str,
    lock_timeout_s: float,
    target_count: int | None = None,
    *,
    drop_seed_tables: bool = False,
) -> list[str]:
    from yoyo import get_backend, read_migrations

    with _advisory_lock(dsn, lock_timeout_s):
        try:
            backend = get_backend(yoyo_url(dsn))
        except Exception as exc:  # yoyo wraps driver errors loosely; translated once here
            raise MigrationError(f"cannot open the migration backend: {exc}") from exc
        try:
            migrations = read_migrations(str(migrations_dir()))
            backend.break_lock()  # we hold the advisory lock: any yoyo_lock row is a dead migrator's
            with backend.lock(timeout=lock_timeout_s):
                if action == "apply":
                    todo = backend.to_apply(migrations)
                    backend.apply_migrations(todo)
                else:
                    todo = backend.to_rollback(migrations)
                    if target_count is not None:
                        todo = todo[:target_count]
                    seed = [(m.id, t) for m in todo for t in seed_tables_dropped(m.path)]
                    if seed and not drop_seed_tables:
                        raise MigrationError(
                            "refusing to roll back "
                            + ", ".join(sorted({mid for mid, _ in seed}))
                            + ": it drops the shared seed tables "
                            + ", ".join(t for _, t in seed)
                            + " (the portal's data); pass --drop-seed-tables to do it anyway"
                        )
                    backend.rollback_migrations(todo)
            return [m.id for m in todo]
        except MigrationError:
            raise
        except Exception as exc:  # any failure inside yoyo becomes one MigrationError
            raise MigrationError(f"{action} failed: {exc.__class__.__name__}: {exc}") from exc
        finally:
            backend.connection.close()


def apply_migrations(dsn: str, lock_timeout_s: float = 120.0) -> list[str]:
    """Apply every pending migration; return the ids applied (empty when up to date)."""
    applied = _run(dsn, "apply", lock_timeout_s)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    else:
        log.info("database schema is up to date")
    return applied


def rollback_migrations(
    dsn: str, count: int | None = None, lock_timeout_s: float = 120.0, *, drop_seed_tables: bool = False
) -> list[str]:
    """Roll back the last ``count`` migrations (all when ``None``); return their ids.

    Refuses (:class:`MigrationError`, nothing rolled back) when one of them would drop a shared seed
    table (:data:`SEED_TABLES`), unless ``drop_seed_tables``."""
    rolled = _run(dsn, "rollback", lock_timeout_s, target_count=count, drop_seed_tables=drop_seed_tables)
    log.info("rolled back migrations: %s", ", ".join(rolled) or "none")
    return rolled
