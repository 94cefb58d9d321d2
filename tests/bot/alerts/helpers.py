"""Building users, nodes and cycle reports for the alert tests (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from bot.config import Config, load_config
from bot.db.types import Pool
from bot.domain.status import CycleReport, NodeStatus, Observation, SourceResult

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

LETTERS = {
    "H": NodeStatus.HEALTHY,
    "U": NodeStatus.UNHEALTHY,
    "J": NodeStatus.JAILED,
    "O": NodeStatus.OFFLINE,
    "?": NodeStatus.UNKNOWN,
}


def alert_config(db_url: str, *, telegram: dict[str, Any] | None = None, **alerts: Any) -> Config:
    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"host": "127.0.0.1", "port": 0},
        alerts={"admin_telegram_chat_ids": [-1001], **alerts},
        **({"telegram": telegram} if telegram else {}),
    )


def obs(
    node_id: UUID, status: NodeStatus | str, at: datetime, *, reason: str | None = None, **kw: Any
) -> Observation:
    st = LETTERS[status] if isinstance(status, str) and status in LETTERS else NodeStatus(status)
    return Observation(
        node_id=node_id,
        status=st,
        reason=reason or ("validator jailed" if st is NodeStatus.JAILED else "not in epoch"),
        source=None if st is NodeStatus.UNKNOWN else "hyperfusion",
        observed_at=at,
        epoch_id=105,
        **kw,
    )


def report(
    observations: list[Observation],
    at: datetime,
    *,
    poc: bool = False,
    sources: tuple[SourceResult, ...] = (),
) -> CycleReport:
    return CycleReport(
        started_at=at - timedelta(seconds=2),
        finished_at=at,
        observations=tuple(observations),
        sources=sources,
        poc_phase=poc,
        epoch_id=105,
    )


async def notifications(pool: Pool, **where: str) -> list[dict[str, Any]]:
    conds = " AND ".join(f"{k} = ${i + 1}" for i, k in enumerate(where)) or "true"
    rows = await pool.fetch(
        f"SELECT * FROM notifications WHERE {conds} ORDER BY created_at, kind, target_id", *where.values()
    )
    return [dict(r) for r in rows]
