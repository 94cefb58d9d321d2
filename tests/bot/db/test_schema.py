"""The live catalog after `minegnk-bot migrate` matches the portal's seed tables and the bot's."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest

from bot.db.migrate import apply_migrations, migrations_dir, rollback_migrations
from tests.pg import scratch_database

# table -> column -> (type, nullable, default or None)
SEED_COLUMNS: dict[str, dict[str, tuple[str, bool, str | None]]] = {
    "users": {
        "id": ("uuid", False, "gen_random_uuid()"),
        "email": ("character varying(255)", False, None),
        "password_hash": ("character varying(255)", False, None),
        "name": ("character varying(255)", True, None),
        "role": ("character varying(20)", False, "'user'::character varying"),
        "telegram": ("character varying(100)", True, None),
        "discord": ("character varying(100)", True, None),
        "currency_preference": ("character varying(10)", False, "'USD'::character varying"),
        "is_active": ("boolean", False, "true"),
        "created_at": ("timestamp with time zone", False, "now()"),
        "updated_at": ("timestamp with time zone", False, "now()"),
    },
    "nodes": {
        "id": ("uuid", False, "gen_random_uuid()"),
        "identifier": ("character varying(255)", False, None),
        "identifier_type": ("character varying(50)", False, None),
        "display_name": ("character varying(100)", True, None),
        "gpu_type": ("character varying(50)", True, None),
        "region": ("character varying(100)", True, None),
        "gcore_instance_id": ("character varying(255)", True, None),
        "created_at": ("timestamp with time zone", False, "now()"),
    },
    "user_nodes": {
        "user_id": ("uuid", False, None),
        "node_id": ("uuid", False, None),
        "assigned_at": ("timestamp with time zone", False, "now()"),
        "assigned_by": ("uuid", True, None),
    },
    "node_stats_cache": {
        "node_id": ("uuid", False, None),
        "status": ("character varying(50)", True, None),
        "earnings_day": ("numeric(20,8)", True, None),
        "earnings_total": ("numeric(20,8)", True, None),
        "uptime_percent": ("numeric(5,2)", True, None),
        "tokens_per_sec": ("numeric(10,2)", True, None),
        "jobs_day": ("integer", True, None),
        "active_model": ("character varying(255)", True, None),
        "voting_weight": ("numeric(20,8)", True, None),
        "source": ("character varying(50)", True, None),
        "fetched_at": ("timestamp with time zone", False, "now()"),
    },
    "earnings_history": {
        "id": ("uuid", False, "gen_random_uuid()"),
        "node_id": ("uuid", False, None),
        "date": ("date", False, None),
        "earnings_gnk": ("numeric(20,8)", False, None),
        "source": ("character varying(50)", True, None),
        "created_at": ("timestamp with time zone", False, "now()"),
    },
    "support_requests": {
        "id": ("uuid", False, "gen_random_uuid()"),
        "user_id": ("uuid", False, None),
        "type": ("character varying(50)", False, "'new_node'::character varying"),
        "gpu_type": ("character varying(50)", True, None),
        "quantity": ("integer", True, None),
        "region": ("character varying(100)", True, None),
        "budget": ("character varying(100)", True, None),
        "network": ("character varying(50)", False, "'gonka'::character varying"),
        "comments": ("text", True, None),
        "status": ("character varying(50)", False, "'pending'::character varying"),
        "admin_notes": ("text", True, None),
        "assigned_to": ("uuid", True, None),
        "processed_by": ("uuid", True, None),
        "processed_at": ("timestamp with time zone", True, None),
        "created_at": ("timestamp with time zone", False, "now()"),
        "updated_at": ("timestamp with time zone", False, "now()"),
    },
}

# columns the bot may add to seed tables (never removing or renaming the portal's)
ADDED_COLUMNS = {
    "support_requests": {"number"},
    "node_stats_cache": {"status_reason", "epoch_id", "jailed_until", "ready_to_unjail", "details"},
}

SEED_INDEXES = {
    "users": {"idx_users_email", "idx_users_role", "idx_users_telegram", "idx_users_discord"},
    "nodes": {"nodes_identifier_key", "idx_nodes_gpu_type"},
    "user_nodes": {"idx_user_nodes_user_id", "idx_user_nodes_node_id"},
    "node_stats_cache": {"idx_node_stats_fetched", "idx_node_stats_status"},
    "earnings_history": {"idx_earnings_node_date", "idx_earnings_date", "earnings_history_node_id_date_key"},
    "support_requests": {
        "idx_requests_user_id",
        "idx_requests_status",
        "idx_requests_created_at",
        "idx_requests_assigned_to",
    },
}

SEED_CHECKS = {
    ("users", "role"): {"user", "admin"},
    ("nodes", "identifier_type"): {"wallet", "node_id", "operator", "validator"},
    ("support_requests", "type"): {"new_node", "support", "other"},
    ("support_requests", "status"): {"pending", "in_progress", "approved", "completed", "rejected"},
    ("node_stats_cache", "status"): {"healthy", "unhealthy", "jailed", "offline", "unknown"},
}

SEED_FOREIGN_KEYS = {
    ("user_nodes", "user_id", "users", "CASCADE"),
    ("user_nodes", "node_id", "nodes", "CASCADE"),
    ("user_nodes", "assigned_by", "users", "SET NULL"),
    ("node_stats_cache", "node_id", "nodes", "CASCADE"),
    ("earnings_history", "node_id", "nodes", "CASCADE"),
    ("support_requests", "user_id", "users", "CASCADE"),
    ("support_requests", "assigned_to", "users", "SET NULL"),
    ("support_requests", "processed_by", "users", "SET NULL"),
}

PRIMARY_KEYS = {
    "users": ["id"],
    "nodes": ["id"],
    "user_nodes": ["user_id", "node_id"],
    "node_stats_cache": ["node_id"],
    "earnings_history": ["id"],
    "support_requests": ["id"],
}


def _columns(conn: psycopg.Connection, table: str) -> dict[str, tuple[str, bool, str | None]]:
    rows = conn.execute(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (table,),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _tables(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


@pytest.fixture(scope="module")
def catalog_db(pg_admin_url: str) -> Iterator[str]:
    """One empty database migrated by the real CLI, read by the catalog tests."""
    with scratch_database(pg_admin_url, "minegnk_catalog") as url:
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    """``minegnk-bot migrate`` on ``url``, as an operator runs it."""
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], env=_env(url), check=True, capture_output=True, timeout=60
    )


def _env(url: str) -> dict[str, str]:
    import os

    return {**os.environ, "MINEGNK_DATABASE__URL": url}


@pytest.mark.parametrize("table", sorted(SEED_COLUMNS))
def test_seed_table_columns_match_the_brief(catalog_db: str, table: str) -> None:
    with psycopg.connect(catalog_db) as conn:
        live = _columns(conn, table)
    expected = SEED_COLUMNS[table]
    assert {k: live[k] for k in expected if k in live} == expected
    assert set(live) - set(expected) == ADDED_COLUMNS.get(table, set())


@pytest.mark.parametrize("table", sorted(SEED_INDEXES))
def test_seed_table_indexes_exist(catalog_db: str, table: str) -> None:
    with psycopg.connect(catalog_db) as conn:
        names = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,))
        }
    assert SEED_INDEXES[table] <= names


@pytest.mark.parametrize(("table", "column"), sorted(SEED_CHECKS))
def test_seed_checks_allow_exactly_the_brief_values(catalog_db: str, table: str, column: str) -> None:
    with psycopg.connect(catalog_db) as conn:
        defs = [
            r[0]
            for r in conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'c'",
                (table,),
            )
        ]
    matching = [d for d in defs if re.search(rf"\(\(?{column}\)", d) and "ARRAY" in d]
    assert matching, defs
    values = {v for d in matching for v in _quoted(d)}
    assert values == SEED_CHECKS[(table, column)]


def _quoted(definition: str) -> set[str]:
    return set(re.findall(r"'([a-z_]+)'::", definition))


def test_seed_foreign_keys_and_delete_rules(catalog_db: str) -> None:
    with psycopg.connect(catalog_db) as conn:
        rows = conn.execute(
            """
            SELECT tc.table_name, kcu.column_name, ccu.table_name, rc.delete_rule
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
            JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
            JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
            WHERE tc.constraint_type = 'FOREIGN KEY'
            """
        ).fetchall()
    live = {tuple(r) for r in rows}
    assert live >= SEED_FOREIGN_KEYS


def test_seed_primary_keys(catalog_db: str) -> None:
    with psycopg.connect(catalog_db) as conn:
        for table, cols in PRIMARY_KEYS.items():
            row = conn.execute(
                """
                SELECT array_agg(a.attname ORDER BY array_position(i.indkey, a.attnum))
                FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = %s::regclass AND i.indisprimary
                """,
                (table,),
            ).fetchone()
            assert row is not None and row[0] == cols, table


def test_email_unique_case_insensitively(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO users (email, password_hash) VALUES ('Op@Example.com', 'x')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO users (email, password_hash) VALUES ('op@example.COM', 'x')")


def test_platform_identity_links_to_one_user(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO users (email, password_hash, telegram) VALUES ('a@x.io', 'x', '42')")
        conn.execute("INSERT INTO users (email, password_hash) VALUES ('b@x.io', 'x')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("UPDATE users SET telegram = '42' WHERE email = 'b@x.io'")


def test_earnings_history_one_row_per_node_per_day(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        node = conn.execute(
            "INSERT INTO nodes (identifier, identifier_type) VALUES ('n', 'wallet') RETURNING id"
        ).fetchone()
        assert node is not None
        conn.execute(
            "INSERT INTO earnings_history (node_id, date, earnings_gnk) VALUES (%s, '2026-01-01', 1)",
            (node[0],),
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "INSERT INTO earnings_history (node_id, date, earnings_gnk) VALUES (%s, '2026-01-01', 2)",
                (node[0],),
            )


def test_rollback_to_zero_then_reapply(db_url: str) -> None:
    rolled = rollback_migrations(db_url, drop_seed_tables=True)
    assert rolled
    with psycopg.connect(db_url) as conn:
        assert not (_tables(conn) & set(SEED_COLUMNS))
    applied = apply_migrations(db_url)
    assert applied == list(reversed(rolled))
    with psycopg.connect(db_url) as conn:
        assert set(SEED_COLUMNS) <= _tables(conn)


def test_two_concurrent_migrate_processes_both_succeed(empty_db_url: str) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "migrate"],
            env=_env(empty_db_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with psycopg.connect(empty_db_url) as conn:
        assert set(SEED_COLUMNS) <= _tables(conn)
        count = conn.execute("SELECT count(*) FROM _yoyo_migration").fetchone()
    assert count is not None
    assert count[0] == len(
        [p for p in migrations_dir().glob("*.sql") if not p.name.endswith(".rollback.sql")]
    )


def test_a_killed_migrators_stale_lock_does_not_block_the_next_start(db_url: str) -> None:
    # what a SIGKILLed yoyo leaves behind: its lock row
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, now(), 999999)")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=_env(db_url),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_a_migrator_killed_mid_migration_leaves_the_database_usable(empty_db_url: str) -> None:
    import os
    import signal

    # hold the advisory lock from a session that is then killed, as a crashed migrator would
    from bot.db.migrate import MIGRATION_LOCK_KEY

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import psycopg,sys,time\n"
            f"c=psycopg.connect({empty_db_url!r},autocommit=True)\n"
            f"c.execute('SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})')\n"
            "print('locked',flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    with holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    # the killed session's lock is gone with it: migrate goes ahead (subprocess.run's timeout catches a
    # migrator left waiting for it)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=_env(empty_db_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
