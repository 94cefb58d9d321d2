"""The embedded PostgreSQL refuses, with a message saying what to do, a data directory it cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db.embedded import EMBEDDED_MAJOR, check_data_dir
from bot.errors import DatabaseError


def test_a_cluster_of_another_major_version_is_refused_with_the_way_out(tmp_path: Path) -> None:
    # an earlier release ran PostgreSQL 16 (pgserver) in the same database.embedded_dir
    (tmp_path / "PG_VERSION").write_text("16\n")
    with pytest.raises(DatabaseError, match=r"PostgreSQL 16 cluster.*pg_dump"):
        check_data_dir(tmp_path)


def test_an_empty_or_current_data_directory_is_accepted(tmp_path: Path) -> None:
    check_data_dir(tmp_path)
    (tmp_path / "PG_VERSION").write_text(f"{EMBEDDED_MAJOR}\n")
    check_data_dir(tmp_path)
