"""The shipped docker-compose.yml: no default database password, no published port."""

from __future__ import annotations

import re
from pathlib import Path

COMPOSE = (Path(__file__).resolve().parents[1] / "docker-compose.yml").read_text()
LINES = [line for line in COMPOSE.splitlines() if not line.lstrip().startswith("#")]


def test_the_database_password_has_no_default_and_is_required_with_a_clear_error() -> None:
    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", "\n".join(LINES))
    assert uses, "the password comes from the environment"
    for modifier in uses:
        assert modifier.startswith(":?"), f"POSTGRES_PASSWORD{modifier} must be required, not defaulted"
        assert "POSTGRES_PASSWORD" in modifier  # the error says what to set


def test_no_port_is_published_by_default() -> None:
    assert not any(re.match(r"\s*ports\s*:", line) for line in LINES)
