"""The tests' template copies (``tests/pg.py``): a copy given back comes back as fresh as a new one, and a
copy whose schema a test changed is never handed out again."""

from __future__ import annotations

import psycopg

from tests.pg import DatabaseCopies


def _audit_row(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "INSERT INTO admin_audit_log (platform, action, outcome) VALUES ('cli', 'x', 'ok') RETURNING id"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_copy_given_back_is_handed_out_again_empty(pg_admin_url: str, template_db: str) -> None:
    copies = DatabaseCopies(pg_admin_url, template_db, "minegnk_pgtest", ahead=1)
    try:
        first = copies.take()
        with psycopg.connect(first) as conn:
            conn.execute("INSERT INTO users (email, password_hash) VALUES ('a@x.io', 'x')")
            assert [_audit_row(conn) for _ in range(3)] == [1, 2, 3]
        copies.give_back(first)
        # a given-back copy is recycled before any new one is made: it is among the next two
        taken = [copies.take() for _ in range(2)]
        try:
            assert first in taken
            with psycopg.connect(first) as conn:
                assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
                assert _audit_row(conn) == 1  # the identity starts over
        finally:
            for url in taken:
                copies.give_back(url)
    finally:
        copies.close()


def test_a_copy_whose_schema_changed_is_replaced(pg_admin_url: str, template_db: str) -> None:
    copies = DatabaseCopies(pg_admin_url, template_db, "minegnk_pgtest", ahead=1)
    try:
        first = copies.take()
        with psycopg.connect(first, autocommit=True) as conn:
            conn.execute("CREATE TABLE stray (x int)")
        copies.give_back(first)
        later = [copies.take() for _ in range(2)]
        for url in later:
            copies.give_back(url)
        assert first not in later
        for url in later:
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT to_regclass('stray')").fetchone() == (None,)
    finally:
        copies.close()
    with psycopg.connect(pg_admin_url) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'minegnk_pgtest%'"
        ).fetchone()
    assert left == (0,)
