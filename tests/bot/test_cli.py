"""The operator CLI against a real database: users, roles, link codes, node assignment."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import bcrypt
import psycopg
import pytest


def cli(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MINEGNK_DATABASE__URL": db_url, "MINEGNK_ACCOUNTS__BCRYPT_ROUNDS": "4"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


WALLET = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"


def test_user_add_stores_a_bcrypt_hash_that_verifies(db_url: str) -> None:
    result = cli(db_url, "user", "add", "Op@Example.com", "--admin", stdin="correct horse\n")
    assert result.returncode == 0, result.stderr
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT password_hash, role FROM users WHERE email = 'Op@Example.com'").fetchone()
    assert row is not None
    assert row[1] == "admin"
    assert bcrypt.checkpw(b"correct horse", row[0].encode())
    assert "correct horse" not in result.stdout + result.stderr


def test_user_add_refuses_a_duplicate_email_in_one_line(db_url: str) -> None:
    assert cli(db_url, "user", "add", "a@example.com", stdin="pw-one\n").returncode == 0
    result = cli(db_url, "user", "add", "A@EXAMPLE.COM", stdin="pw-two\n")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "already exists" in result.stderr


def test_user_add_without_a_password_fails_cleanly(db_url: str) -> None:
    result = cli(db_url, "user", "add", "a@example.com", stdin="")
    assert result.returncode == 1 and "password" in result.stderr and "Traceback" not in result.stderr


def test_set_role_changes_the_role(db_url: str) -> None:
    cli(db_url, "user", "add", "a@example.com", stdin="pw\n")
    result = cli(db_url, "user", "set-role", "a@example.com", "admin")
    assert result.returncode == 0, result.stderr
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT role FROM users").fetchone() == ("admin",)


def test_set_role_of_an_unknown_user_is_an_error(db_url: str) -> None:
    result = cli(db_url, "user", "set-role", "ghost@example.com", "admin")
    assert result.returncode == 1 and "No user" in result.stderr


def test_link_code_prints_the_code_last_and_stores_only_its_hash(db_url: str) -> None:
    cli(db_url, "user", "add", "a@example.com", stdin="pw\n")
    result = cli(db_url, "user", "link-code", "a@example.com")
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip().splitlines()[-1]
    assert len(code.replace("-", "")) == 8
    with psycopg.connect(db_url) as conn:
        stored = conn.execute("SELECT code_hash, expires_at - created_at FROM link_codes").fetchall()
    assert len(stored) == 1
    normalised = code.replace("-", "")
    assert stored[0][0] == hashlib.sha256(normalised.encode()).hexdigest()
    assert code not in stored[0][0]
    assert stored[0][1].total_seconds() == pytest.approx(900, abs=1)


def test_node_assign_creates_then_is_idempotent(db_url: str) -> None:
    cli(db_url, "user", "add", "a@example.com", stdin="pw\n")
    first = cli(db_url, "node", "assign", "a@example.com", WALLET.upper(), "--name", "rig 1")
    second = cli(db_url, "node", "assign", "a@example.com", WALLET)
    assert first.returncode == 0 and "created and assigned" in first.stdout
    assert second.returncode == 0 and "already assigned" in second.stdout
    with psycopg.connect(db_url) as conn:
        nodes = conn.execute("SELECT identifier, identifier_type, display_name FROM nodes").fetchall()
        links = conn.execute("SELECT count(*) FROM user_nodes").fetchone()
    assert nodes == [(WALLET, "wallet", "rig 1")]
    assert links == (1,)


def test_node_assign_refuses_a_malformed_identifier(db_url: str) -> None:
    cli(db_url, "user", "add", "a@example.com", stdin="pw\n")
    result = cli(db_url, "node", "assign", "a@example.com", "gonka1notreally")
    assert result.returncode == 1
    assert "not a Gonka node identifier" in result.stderr
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM nodes").fetchone() == (0,)


def test_node_assign_to_an_unknown_user_is_refused(db_url: str) -> None:
    result = cli(db_url, "node", "assign", "ghost@example.com", WALLET)
    assert result.returncode == 1 and "No user" in result.stderr


def test_without_a_database_url_an_embedded_postgresql_is_used_and_announced(tmp_path: object) -> None:
    from pathlib import Path

    data = Path(str(tmp_path)) / "pgdata"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINEGNK_DATABASE")}
    env["MINEGNK_DATABASE__EMBEDDED_DIR"] = str(data)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "embedded PostgreSQL" in result.stderr
    assert (data / "PG_VERSION").exists()
    assert result.stdout.startswith("applied ")


def _audit(db_url: str) -> list[tuple[str, str, str, str]]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT platform, action, target, outcome FROM admin_audit_log ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_cli_admin_actions_are_audited_as_cli(db_url: str) -> None:
    assert cli(db_url, "user", "add", "op@example.com", stdin="pw\n").returncode == 0
    assert cli(db_url, "user", "set-role", "op@example.com", "admin").returncode == 0
    assert cli(db_url, "user", "link-code", "op@example.com").returncode == 0
    assert cli(db_url, "node", "assign", "op@example.com", WALLET).returncode == 0
    assert cli(db_url, "user", "set-role", "ghost@example.com", "admin").returncode == 1
    assert _audit(db_url) == [
        ("cli", "user_add", "op@example.com", "ok"),
        ("cli", "set_role", "op@example.com", "ok"),
        ("cli", "linkcode", "op@example.com", "ok"),
        ("cli", "assign", f"op@example.com {WALLET}", "ok"),
        ("cli", "set_role", "ghost@example.com", "failed"),
    ]
    with psycopg.connect(db_url) as conn:
        details = conn.execute("SELECT details::text FROM admin_audit_log").fetchall()
    assert all("pw" not in d[0] for d in details)  # never the password


def test_a_user_can_be_deactivated_and_reactivated_from_the_cli(db_url: str) -> None:
    assert cli(db_url, "user", "add", "a@example.com", stdin="pw\n").returncode == 0
    result = cli(db_url, "user", "deactivate", "a@example.com")
    assert result.returncode == 0, result.stderr
    assert "deactivated" in result.stdout
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT is_active FROM users").fetchone() == (False,)
    refused = cli(db_url, "user", "link-code", "a@example.com")
    assert refused.returncode == 1 and "deactivated" in refused.stderr
    assert cli(db_url, "user", "activate", "a@example.com").returncode == 0
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT is_active FROM users").fetchone() == (True,)
    actions = [(a, o) for _, a, _, o in _audit(db_url)]
    assert ("user_deactivate", "ok") in actions and ("user_activate", "ok") in actions


def test_migrate_rollback_refuses_to_drop_the_seed_tables_without_the_flag(db_url: str) -> None:
    refused = cli(db_url, "migrate", "--rollback", "all")
    assert refused.returncode == 1
    assert "seed tables" in refused.stderr and "--drop-seed-tables" in refused.stderr
    with psycopg.connect(db_url) as conn:  # nothing was rolled back
        assert conn.execute("SELECT to_regclass('users'), to_regclass('notifications')").fetchone() == (
            "users",
            "notifications",
        )
    done = cli(db_url, "migrate", "--rollback", "all", "--drop-seed-tables")
    assert done.returncode == 0, done.stderr
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regclass('users')").fetchone() == (None,)
