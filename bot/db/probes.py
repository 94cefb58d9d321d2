"""``probe_results``: each per-host probe's and chain look-up's last answer and its back-off.

One row per ``(kind, subject)``: ``versions`` / ``mlnode_metrics`` of a host base URL, ``collateral`` /
``poc_delegation`` of a participant address, ``model_group`` of a model id, ``chain_epoch`` (subject
``''``: the epoch's params and root-group weights). ``data`` NULL is unknown. Written by the poller's
probe step (:mod:`bot.poller.probes`) in one set-based statement per cycle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.types import Executor

KINDS = ("versions", "mlnode_metrics", "collateral", "poc_delegation", "model_group", "chain_epoch")
OUTCOMES = ("ok", "not_served", "rate_limited", "failed")


@dataclass(frozen=True, slots=True)
class ProbeRow:
    kind: str
    subject: str
    #: ok, not_served (404), rate_limited (429), failed (timeout, connection, 5xx, bad payload)
    outcome: str
    epoch_id: int | None
    #: the parsed answer (JSON); None: not known
    data: Any
    http_status: int | None
    #: consecutive failures: the back-off level
    failures: int
    next_at: datetime
    observed_at: datetime
    ok_at: datetime | None
    last_error: str | None


_COLUMNS = (
    "kind, subject, outcome, epoch_id, data, http_status, failures, next_at, observed_at, ok_at, last_error"
)

LOAD_KINDS_SQL = f"SELECT {_COLUMNS} FROM probe_results WHERE kind = ANY($1::text[])"

LOAD_SUBJECTS_SQL = f"""
SELECT {_COLUMNS} FROM probe_results WHERE kind = ANY($1::text[]) AND subject = ANY($2::text[])
"""

SAVE_SQL = """
INSERT INTO probe_results AS p (kind, subject, outcome, epoch_id, data, http_status, failures, next_at,
                                observed_at, ok_at, last_error)
SELECT u.kind, u.subject, u.outcome, u.epoch_id, u.data::jsonb, u.http_status, u.failures, u.next_at,
       u.observed_at, u.ok_at, u.last_error
FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::int4[], $7::int4[],
            $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::text[])
     AS u(kind, subject, outcome, epoch_id, data, http_status, failures, next_at, observed_at, ok_at,
          last_error)
ON CONFLICT (kind, subject) DO UPDATE SET
    outcome = EXCLUDED.outcome,
    epoch_id = EXCLUDED.epoch_id,
    data = EXCLUDED.data,
    http_status = EXCLUDED.http_status,
    failures = EXCLUDED.failures,
    next_at = EXCLUDED.next_at,
    observed_at = EXCLUDED.observed_at,
    ok_at = EXCLUDED.ok_at,
    last_error = EXCLUDED.last_error
"""

#: rows of hosts and participants nobody has asked about for a long time (they left the network)
PRUNE_SQL = "DELETE FROM probe_results WHERE observed_at < $1"


def _row(r: Any) -> ProbeRow:
    return ProbeRow(
        kind=r["kind"],
        subject=r["subject"],
        outcome=r["outcome"],
        epoch_id=r["epoch_id"],
        data=r["data"],
        http_status=r["http_status"],
        failures=r["failures"],
        next_at=r["next_at"],
        observed_at=r["observed_at"],
        ok_at=r["ok_at"],
        last_error=r["last_error"],
    )


async def load_kinds(db: Executor, kinds: Sequence[str]) -> list[ProbeRow]:
    return [_row(r) for r in await db.fetch(LOAD_KINDS_SQL, list(kinds))]


async def load_subjects(db: Executor, kinds: Sequence[str], subjects: Sequence[str]) -> list[ProbeRow]:
    if not subjects:
        return []
    return [_row(r) for r in await db.fetch(LOAD_SUBJECTS_SQL, list(kinds), list(subjects))]


def _json(data: Any) -> str | None:
    return None if data is None else json.dumps(data, separators=(",", ":"), sort_keys=True)


async def save(db: Executor, rows: Sequence[ProbeRow]) -> None:
    """Upsert ``rows`` in one statement."""
    if not rows:
        return
    await db.execute(
        SAVE_SQL,
        [r.kind for r in rows],
        [r.subject for r in rows],
        [r.outcome for r in rows],
        [r.epoch_id for r in rows],
        [_json(r.data) for r in rows],
        [r.http_status for r in rows],
        [r.failures for r in rows],
        [r.next_at for r in rows],
        [r.observed_at for r in rows],
        [r.ok_at for r in rows],
        [(r.last_error or "")[:300] or None for r in rows],
    )


async def prune(db: Executor, older_than: datetime) -> int:
    status = await db.execute(PRUNE_SQL, older_than)
    return int(status.split()[-1]) if status else 0
