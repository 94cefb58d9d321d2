"""The Poller component: one cycle every ``trackers.poll_interval_s``, on one replica at a time.

Leadership is a PostgreSQL session advisory lock held on a dedicated connection (not a pool one): only
the replica holding it polls; standbys retry every interval. A crash or a lost connection ends the
session, which releases the lock, and a standby takes over. The leader checks its lock connection
before every cycle and steps down when it is gone.

A cycle fetches each enabled source's bulk payload once (concurrently), maps every ``nodes`` row
locally, and in ONE transaction writes the cache (one statement), the income ledger and the
``earnings_history`` rows it changes (``bot/poller/ledger.py``), calls ``CycleObserver.on_cycle``
(the alert engine) with the :class:`CycleReport`, and updates ``source_health`` (with an observer,
only the poller's own columns: the engine keeps failures and degraded state itself).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
import asyncpg

from bot.config import TrackersConfig
from bot.db import network_state
from bot.db import stats as db
from bot.db.column_ranges import INT8_MAX, fit_to_columns
from bot.db.types import Pool
from bot.domain.network import NetworkState, PocSchedule
from bot.domain.node_stats import NodeStats, SourceSnapshot, Thresholds
from bot.domain.status import CycleObserver, CycleReport, NodeStatus, SourceResult
from bot.errors import BotError
from bot.poller.chain_thresholds import ThresholdsKeeper
from bot.poller.ledger import IncomeLedger
from bot.poller.mapping import map_nodes
from bot.poller.metrics import PollerMetrics
from bot.poller.probes import ProbeStep
from bot.poller.sources import Source, build_sources
from integrations.errors import InconsistentPayloadError, SourceError

log = logging.getLogger(__name__)


class LockLostError(Exception):
    """The dedicated lock connection is gone: this replica no longer leads."""


def thresholds_of(cfg: TrackersConfig) -> Thresholds:
    return Thresholds(
        missed_rate=cfg.missed_rate_threshold,
        invalidation_rate=cfg.invalidation_rate_threshold,
        confirmation_ratio=Decimal(str(cfg.confirmation_ratio_threshold)),
        offline_after_health_failures=cfg.offline_after_health_failures,
    )


def best_schedule(snapshots: Sequence[SourceSnapshot]) -> PocSchedule | None:
    """The next PoC as the sources report it, one with a block time first."""
    schedules = [s.schedule for s in snapshots if s.schedule is not None]
    return next((s for s in schedules if s.avg_block_time_s is not None), schedules[0] if schedules else None)


class Poller:
    name = "poller"

    def __init__(
        self,
        cfg: TrackersConfig,
        pool: Pool,
        dsn: str,
        metrics: PollerMetrics,
        *,
        observer: CycleObserver | None = None,
        sources: list[Source] | None = None,
        interval_s: float | None = None,
        track_source_health: bool | None = None,
        probes: ProbeStep | None = None,
    ) -> None:
        self._cfg = cfg
        self._pool = pool
        self._dsn = dsn
        self.metrics = metrics
        self._observer = observer
        #: maintain source_health's failure/ok/error columns; by default only without an observer (the
        #: alert engine keeps them itself, with its degraded/restored state, and must not count twice)
        self._track_source_health = observer is None if track_source_health is None else track_source_health
        self._sources = sources
        #: per-host probes and chain look-ups (conditions e-h), after the sources were mapped
        self.probes = probes
        self.interval_s = interval_s if interval_s is not None else cfg.poll_interval_s
        self._thresholds = thresholds_of(cfg)
        #: the chain's thresholds in force for the current epoch (read once per epoch)
        self.chain_thresholds = ThresholdsKeeper(cfg)
        #: settled income, earnings history and reward estimates
        self.ledger = IncomeLedger(cfg, pool, metrics)
        # the watched nodes as of this poller's last write, reused while ``nodes`` is unchanged
        self._watched: list[db.WatchedNode] | None = None
        self._watched_fingerprint: tuple[int, str] | None = None
        self.cycles_run = 0

    # -- sources ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def session(self) -> AsyncIterator[list[Source]]:
        """The sources this poller uses (built on its own aiohttp session unless given)."""
        if self._sources is not None:
            yield self._sources
            return
        async with aiohttp.ClientSession(raise_for_status=False) as http:
            self._sources = build_sources(self._cfg, http)
            try:
                yield self._sources
            finally:
                self._sources = None

    # -- leadership and the loop -----------------------------------------------------------------

    async def try_lock(self) -> asyncpg.Connection[asyncpg.Record] | None:
        """A dedicated connection holding the poll lock, or None when another replica holds it."""
        try:
            conn: asyncpg.Connection[asyncpg.Record] = await asyncpg.connect(self._dsn, timeout=10)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("poller: cannot open the lock connection: %s", exc.__class__.__name__)
            return None
        try:
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._cfg.poll_lock_key)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("poller: advisory lock query failed: %s", exc.__class__.__name__)
            got = False
        if not got:
            await conn.close()
            return None
        return conn

    async def _still_leading(self, conn: asyncpg.Connection[asyncpg.Record]) -> None:
        try:
            async with asyncio.timeout(5):
                await conn.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise LockLostError(exc.__class__.__name__) from None

    async def run(self) -> None:
        """Poll until cancelled; a plain cancellable loop."""
        async with self.session():
            while True:
                conn = await self.try_lock()
                if conn is None:
                    log.debug("poller: another replica holds the poll lock; standing by")
                    await asyncio.sleep(self.interval_s)
                    continue
                log.info("poller: this replica now polls (advisory lock %s)", self._cfg.poll_lock_key)
                self.metrics.leader.set(1)
                try:
                    await self._lead(conn)
                except LockLostError as exc:
                    log.warning("poller: lost the lock connection (%s); standing by", exc)
                finally:
                    self.metrics.leader.set(0)
                    if not conn.is_closed():
                        conn.terminate()

    async def _lead(self, conn: asyncpg.Connection[asyncpg.Record]) -> None:
        self._watched = None  # another replica may have written while this one stood by
        while True:
            await self._still_leading(conn)
            started = time.monotonic()
            try:
                await self.poll_cycle()
            except (BotError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
                self.metrics.cycles.labels("failed").inc()
                log.error("poll cycle failed: %s: %s", exc.__class__.__name__, exc)
            except Exception:  # one bad cycle (or observer) must not stop monitoring
                self.metrics.cycles.labels("failed").inc()
                log.exception("poll cycle failed unexpectedly; the next cycle runs as scheduled")
            await asyncio.sleep(max(0.0, self.interval_s - (time.monotonic() - started)))

    # -- one cycle -------------------------------------------------------------------------------

    async def _poll_source(self, source: Source, last_epoch: int | None) -> SourceSnapshot | SourceError:
        try:
            snap = await source.poll()
        except SourceError as exc:
            return exc
        if snap.epoch_id is not None and not 0 <= snap.epoch_id <= INT8_MAX:
            return InconsistentPayloadError(source.name, f"epoch {snap.epoch_id} is out of range")
        if snap.epoch_id is not None and last_epoch is not None and snap.epoch_id < last_epoch:
            return InconsistentPayloadError(
                source.name, f"epoch went backwards: {snap.epoch_id} after {last_epoch}"
            )
        return snap

    async def poll_cycle(self) -> CycleReport:
        started_at = datetime.now(UTC)
        t0 = time.perf_counter()
        async with self.session() as sources:
            fingerprint = await db.nodes_fingerprint(self._pool)
            if self._watched is not None and fingerprint == self._watched_fingerprint:
                watched = self._watched
            else:
                watched = await db.load_watched(self._pool)
            last_epochs = {h.source: h.last_epoch_id for h in await db.list_source_health(self._pool)}
            t_load = time.perf_counter()
            results = await asyncio.gather(*(self._poll_source(s, last_epochs.get(s.name)) for s in sources))
            t_fetch = time.perf_counter()
            snapshots: list[SourceSnapshot] = []
            outcomes: list[db.SourceOutcome] = []
            failed: list[str] = []
            now_ts = time.time()
            for source, result in zip(sources, results, strict=True):
                if isinstance(result, SourceError):
                    failed.append(source.name)
                    outcomes.append(db.SourceOutcome(source.name, False, result.message, None))
                    self.metrics.polls.labels(source.name, "failed").inc()
                    self.metrics.failures.labels(source.name, result.kind).inc()
                    log.warning("source %s failed (%s): %s", source.name, result.kind, result.message)
                else:
                    snapshots.append(result)
                    outcomes.append(db.SourceOutcome(source.name, True, None, result.epoch_id))
                    self.metrics.polls.labels(source.name, "ok").inc()
                    self.metrics.last_success.labels(source.name).set(now_ts)
            self._count_skipped_rows(snapshots)
            epoch_id = next((s.epoch_id for s in snapshots if s.epoch_id is not None), None)
            epoch_thresholds = await self.chain_thresholds.for_epoch(
                epoch_id, [s for s in sources if s.name in {snap.source for snap in snapshots}]
            )
            self.metrics.thresholds_from_config.set(1 if epoch_thresholds.from_config else 0)
            thresholds = replace(self._thresholds, confirmation_ratio=epoch_thresholds.cpoc_alpha)
            # 10,000 nodes take about a second to map: off the event loop, so commands keep flowing
            mapped = await asyncio.to_thread(map_nodes, watched, snapshots, failed, thresholds, started_at)
            for (source_name, field_name), n in fit_to_columns(mapped.stats).items():
                self.metrics.values_out_of_range.labels(source_name, field_name).inc(n)
                log.warning(
                    "source %s: %d value(s) of %s out of the cache column's range; stored as unknown",
                    source_name,
                    n,
                    field_name,
                )
            t_map = time.perf_counter()
            poc_phase = any(s.poc_phase for s in snapshots)
            network = NetworkState(
                epoch_id=epoch_id,
                poc_phase=poc_phase,
                confirmation_poc=next(
                    (s.confirmation_poc for s in snapshots if s.confirmation_poc is not None), None
                ),
                thresholds=epoch_thresholds,
                observed_at=started_at,
                schedule=best_schedule(snapshots),
            )
            income = await self.ledger.collect(sources, mapped.stats, snapshots, started_at)
            await self._run_probes(snapshots, watched, mapped.stats, epoch_id)

        for (source_name, reason), n in mapped.unknown.items():
            self.metrics.unknown_verdicts.labels(source_name, reason).inc(n)
        for source_name, n in mapped.disagreements.items():
            self.metrics.disagreements.labels(source_name).inc(n)

        finished_at = datetime.now(UTC)
        report = CycleReport(
            started_at=started_at,
            finished_at=finished_at,
            observations=tuple(mapped.observations),
            sources=tuple(SourceResult(o.source, o.ok, o.error) for o in outcomes),
            poc_phase=poc_phase,
            epoch_id=epoch_id,
            changed=tuple(mapped.changed),
            network=network,
            network_weight=mapped.network_weight,
        )
        t_write = time.perf_counter()
        async with self._pool.acquire() as conn, conn.transaction():
            await db.upsert_cache(conn, mapped.stats)
            await self.ledger.write(conn, income)
            if snapshots:
                await network_state.save(conn, network)
            if self._observer is not None:
                await self._observer.on_cycle(conn, report)
            await db.record_source_health(
                conn, outcomes, finished_at, bookkeeping_only=not self._track_source_health
            )
        self.ledger.committed(income)
        self._watched = [
            w
            if s.status is NodeStatus.UNKNOWN
            else db.WatchedNode(w.id, w.identifier, w.identifier_type, s.status, s.health_failures)
            for w, s in zip(watched, mapped.stats, strict=True)
        ]
        self._watched_fingerprint = fingerprint
        self.cycles_run += 1

        counts = {s: 0 for s in NodeStatus}
        for o in mapped.observations:
            counts[o.status] += 1
        for status, n in counts.items():
            self.metrics.nodes.labels(status.value).set(n)
        self.metrics.cycles.labels("ok").inc()
        self.metrics.last_cycle.set(time.time())
        self.metrics.cycle_duration.observe(time.perf_counter() - t0)
        log.info(
            "poll cycle: %d nodes (%s), sources ok: %s, failed: %s, %d changed, poc_phase=%s, cpoc=%s, %.2fs"
            " (load %.2f, fetch %.2f, map %.2f, write %.2f)",
            len(watched),
            ", ".join(f"{s.value} {n}" for s, n in counts.items() if n),
            ",".join(s.source for s in snapshots) or "-",
            ",".join(failed) or "-",
            len(mapped.changed),
            poc_phase,
            network.phase_text() if network.confirmation_poc and network.confirmation_poc.active else "-",
            time.perf_counter() - t0,
            t_load - t0,
            t_fetch - t_load,
            t_map - t_fetch,
            time.perf_counter() - t_write,
        )
        return report

    async def _run_probes(
        self,
        snapshots: Sequence[SourceSnapshot],
        watched: Sequence[db.WatchedNode],
        stats: Sequence[NodeStats],
        epoch_id: int | None,
    ) -> None:
        """The probe step (its result is ``self.probes.last``, which the alert engine's probe collector
        reads); its failure leaves every probe condition unknown, never the cycle failed."""
        if self.probes is None:
            return
        if not snapshots:
            self.probes.last = None
            return
        try:
            await self.probes.run(snapshots, watched, stats, epoch_id)
        except (BotError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            log.error("probe step failed (probe conditions unknown): %s: %s", type(exc).__name__, exc)

    def _count_skipped_rows(self, snapshots: Sequence[SourceSnapshot]) -> None:
        """Rows that failed validation: counted by field, and logged once per source per cycle."""
        for snap in snapshots:
            skipped = snap.skipped
            if not skipped:
                continue
            for reason, n in skipped.counts.items():
                self.metrics.rows_skipped.labels(snap.source, reason).inc(n)
            log.warning(
                "source %s: skipped %d unreadable row(s) this cycle (their nodes are unknown for this"
                " source): %s",
                snap.source,
                sum(skipped.counts.values()),
                "; ".join(
                    f"{reason} x{n} (e.g. {skipped.examples.get(reason, '?')})"
                    for reason, n in sorted(skipped.counts.items())
                ),
            )
