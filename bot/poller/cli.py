"""``minegnk-bot poll-once``: run one poll cycle now and print what it saw."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from uuid import UUID

from bot.config import Config
from bot.db.stats import list_cache
from bot.domain.status import CycleReport, Observation
from bot.poller.metrics import PollerMetrics
from bot.poller.poller import Poller


def _age(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = int((now - when).total_seconds())
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def render_report(report: CycleReport, labels: dict[UUID, tuple[str, str | None, datetime | None]]) -> str:
    """A plain-text table: node, this cycle's status and reason, source, cached status and data age."""
    now = datetime.now(UTC)
    header = ("NODE", "STATUS", "REASON", "SOURCE", "CACHED", "DATA AGE")
    rows: list[tuple[str, ...]] = []
    by_node: dict[UUID, Observation] = {o.node_id: o for o in report.observations}
    for node_id, (label, cached, fetched_at) in labels.items():
        o = by_node.get(node_id)
        if o is None:
            continue
        rows.append(
            (label, o.status.value, o.reason or "", o.source or "-", cached or "-", _age(fetched_at, now))
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    if not rows:
        lines.append("(no nodes: add one with `minegnk-bot node assign`)")
    lines.append("")
    for s in report.sources:
        lines.append(f"source {s.source}: {'ok' if s.ok else 'FAILED: ' + (s.error or '')}")
    if not report.sources:
        lines.append("no tracker source is enabled")
    extra = f"epoch {report.epoch_id}" if report.epoch_id is not None else "epoch unknown"
    phase = report.network.phase_text() if report.network is not None else None
    if phase is None and report.poc_phase:
        phase = "PoC in progress"
    if phase is not None:
        extra += f", {phase} (offline alerts are held)"
    lines.append(f"{len(report.observations)} node(s), {len(report.changed)} changed, {extra}")
    return "\n".join(lines)


async def poll_once(config: Config) -> int:
    """Run one cycle (if no other replica is polling) and print the table; 1 when no source answered."""
    from bot.resources import open_resources

    async with open_resources(config) as res:
        poller = Poller(config.trackers, res.pool, res.dsn, PollerMetrics(res.metrics.registry))
        lock = await poller.try_lock()
        if lock is None:
            print("error: another minegnk-bot process is polling right now; try again later", file=sys.stderr)
            return 1
        try:
            report = await poller.poll_cycle()
        finally:
            await lock.close()
        cached = await list_cache(res.pool)
    labels = {c.node_id: (c.display_name or c.identifier, c.status, c.fetched_at) for c in cached}
    print(render_report(report, labels))
    if report.sources and not any(s.ok for s in report.sources):
        return 1
    return 0
