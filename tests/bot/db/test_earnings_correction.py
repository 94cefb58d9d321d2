"""Migration 0701 rebuilds the earnings_history rows the epoch ledger covers and reports the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg

from bot.db.migrate import apply_migrations, migrations_dir, rollback_migrations

FIRST_LEDGER_MIGRATION = "0700_epoch_ledger"


def _ledger_and_later() -> int:
    names = sorted(
        p.name.removesuffix(".sql")
        for p in migrations_dir().glob("*.sql")
        if not p.name.endswith(".rollback.sql")
    )
    return len([n for n in names if n >= FIRST_LEDGER_MIGRATION])


def _history(conn: psycopg.Connection[tuple[object, ...]]) -> dict[tuple[str, date], Decimal]:
    rows = conn.execute(
        "SELECT n.identifier, h.date, h.earnings_gnk FROM earnings_history h JOIN nodes n ON n.id = h.node_id"
    ).fetchall()
    return {(str(r[0]), r[1]): r[2] for r in rows}  # type: ignore[misc]


def test_history_rows_are_rebuilt_from_the_ledger_where_it_allows_and_the_rest_reported(db_url: str) -> None:
    rollback_migrations(db_url, _ledger_and_later())
    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = {}
        for name in ("a", "b", "c"):
            row = conn.execute(
                "INSERT INTO nodes (identifier, identifier_type) VALUES (%s, 'wallet') RETURNING id", (name,)
            ).fetchone()
            assert row is not None
            ids[name] = row[0]
        # what the per-node look-ups recorded (recorded_at: about when each epoch settled)
        for node, epoch, ngonka, at in (
            ("a", 100, 1_500_000_000, "2026-11-01 10:00Z"),
            ("a", 101, 2_500_000_000, "2026-11-02 11:00Z"),
            ("a", 102, 3_000_000_000, "2026-11-03 00:30Z"),
            ("a", 103, 4_000_000_005, "2026-11-03 23:00Z"),
            ("b", 103, 1_000_000_000, "2026-11-03 23:01Z"),
            ("b", 104, 9_000_000_000, "2026-11-05 09:00Z"),
        ):
            conn.execute(
                "INSERT INTO node_epoch_earnings (node_id, epoch_id, income_ngonka, source, recorded_at)"
                " VALUES (%s, %s, %s, 'gonka_api', %s)",
                (ids[node], epoch, ngonka, at),
            )
        # what the old poller wrote: every UTC day a copy of the last settled epoch
        for node, day, gnk in (
            ("a", "2026-10-31", "7"),
            ("a", "2026-11-01", "1.5"),
            ("a", "2026-11-02", "1.5"),
            ("a", "2026-11-03", "4"),
            ("a", "2026-11-04", "4.00000000"),
            ("a", "2026-11-05", "4.00000000"),
            ("b", "2026-11-04", "1"),
            ("c", "2026-11-04", "2"),
        ):
            conn.execute(
                "INSERT INTO earnings_history (node_id, date, earnings_gnk, source)"
                " VALUES (%s, %s, %s, 'gonka_api')",
                (ids[node], day, Decimal(gnk)),
            )
        old = _history(conn)

    apply_migrations(db_url)

    with psycopg.connect(db_url, autocommit=True) as conn:
        assert _history(conn) == {
            ("a", date(2026, 10, 31)): Decimal(7),  # before the ledger: left as it was
            ("a", date(2026, 11, 1)): Decimal("1.5"),
            ("a", date(2026, 11, 2)): Decimal("2.5"),
            ("a", date(2026, 11, 3)): Decimal("7.00000000"),  # 102 and 103 settled that day
            ("a", date(2026, 11, 4)): Decimal(0),  # no epoch settled that day
            ("a", date(2026, 11, 5)): Decimal(4),  # epoch 104 settled; a's income of it is unknown
            ("b", date(2026, 11, 3)): Decimal(1),  # added
            ("b", date(2026, 11, 4)): Decimal(0),
            ("b", date(2026, 11, 5)): Decimal(9),  # added
            ("c", date(2026, 11, 4)): Decimal(2),  # no ledger at all: left as it was
        }
        report = {
            (str(r[0]), r[1]): (r[2], r[3])
            for r in conn.execute(
                "SELECT n.identifier, c.date, c.outcome, c.reason"
                " FROM earnings_history_corrections c JOIN nodes n ON n.id = c.node_id"
            ).fetchall()
        }
        assert {k: v[0] for k, v in report.items()} == {
            ("a", date(2026, 10, 31)): "uncorrectable",
            ("a", date(2026, 11, 1)): "unchanged",
            ("a", date(2026, 11, 2)): "corrected",
            ("a", date(2026, 11, 3)): "corrected",
            ("a", date(2026, 11, 4)): "corrected",
            ("a", date(2026, 11, 5)): "uncorrectable",
            ("b", date(2026, 11, 3)): "added",
            ("b", date(2026, 11, 4)): "corrected",
            ("b", date(2026, 11, 5)): "added",
            ("c", date(2026, 11, 4)): "uncorrectable",
        }
        assert "104" in report[("a", date(2026, 11, 5))][1]
        assert "no settled epoch" in report[("c", date(2026, 11, 4))][1]
        settled = conn.execute(
            "SELECT epoch_id, settled_day, estimated FROM settled_epochs ORDER BY epoch_id"
        ).fetchall()
        assert [(r[0], r[2]) for r in settled] == [(e, True) for e in range(100, 105)]
        assert settled[3][1] == date(2026, 11, 3)

    # rolled back, the rows are as they were
    rollback_migrations(db_url, _ledger_and_later())
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert _history(conn) == old
