"""``source_health``: the only module that writes it (the poller, once per cycle) and its reads.

The columns are those of :class:`bot.domain.source_health.SourceHealth`; the statements are built
from that one list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from bot.db.types import Executor
from bot.domain.source_health import SourceHealth

COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SourceHealth))
#: the element type of each column's array in :data:`SAVE_SQL`
_PG_TYPES: dict[str, str] = {
    "source": "text",
    "consecutive_failures": "int4",
    "last_ok_at": "timestamptz",
    "last_failure_at": "timestamptz",
    "last_error": "text",
    "degraded": "bool",
    "degraded_since": "timestamptz",
    "last_epoch_id": "int8",
    "polls_ok": "int8",
    "polls_failed": "int8",
    "last_fetched_at": "timestamptz",
}
_LIST = ", ".join(COLUMNS)

LIST_SQL = f"SELECT {_LIST} FROM source_health ORDER BY source"

LOAD_FOR_UPDATE_SQL = f"""
SELECT {_LIST} FROM source_health WHERE source = ANY($1::text[]) ORDER BY source FOR UPDATE
"""

SAVE_SQL = f"""
INSERT INTO source_health ({_LIST}, updated_at)
SELECT u.*, now()
FROM unnest({", ".join(f"${i}::{_PG_TYPES[c]}[]" for i, c in enumerate(COLUMNS, 1))}) AS u({_LIST})
ON CONFLICT (source) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "source")},
    updated_at = now()
"""


def _record(row: Any) -> SourceHealth:
    return SourceHealth(**{c: row[c] for c in COLUMNS})


async def list_all(db: Executor) -> list[SourceHealth]:
    return [_record(r) for r in await db.fetch(LIST_SQL)]


async def load_for_update(db: Executor, sources: Sequence[str]) -> dict[str, SourceHealth]:
    """The stored records of ``sources``, locked until the cycle's transaction ends."""
    if not sources:
        return {}
    return {r["source"]: _record(r) for r in await db.fetch(LOAD_FOR_UPDATE_SQL, list(sources))}


async def save(db: Executor, rows: Sequence[SourceHealth]) -> None:
    if not rows:
        return
    await db.execute(SAVE_SQL, *([getattr(h, c) for h in rows] for c in COLUMNS))
