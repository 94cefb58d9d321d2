"""An embedded PostgreSQL (pgserver) for machines with no ``database.url``.

Used by ``minegnk-bot run`` and the CLI so the README's first command works on a fresh machine.
Production points ``database.url`` at a real server. When run as root, pgserver creates an OS user
``pgserver`` and makes the data directory's parents world-readable; keep ``database.embedded_dir`` in
a dedicated place (the default is ``./var/pgdata``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.errors import DatabaseError

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path) -> str:
    """Start (or attach to) the embedded server in ``data_dir`` and return its connection URL."""
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - pgserver is a runtime dependency
        raise DatabaseError("no database.url configured and pgserver is not installed") from exc
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(  # type: ignore[attr-defined]
            str(data_dir), cleanup_mode="stop"
        )
    except Exception as exc:  # pgserver raises bare Exceptions; translated here once
        raise DatabaseError(f"cannot start the embedded PostgreSQL in {data_dir}: {exc}") from exc
    url: str = server.get_uri()
    log.warning(
        "no database.url configured: using the embedded PostgreSQL in %s (set MINEGNK_DATABASE__URL "
        "in production)",
        data_dir,
    )
    return url
