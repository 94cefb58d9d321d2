"""The Poller component: one cycle every ``trackers.poll_interval_s``, on one replica at a time.

Leadership is a PostgreSQL session advisory lock held on a dedicated connection (not a pool one): only
the replica holding it polls; standbys retry every interval. A crash or a lost connection ends the
session, which releases the lock, and a standby takes over. The leader checks its lock connection
before every cycle and steps down when it is gone.

A cycle is a row of named steps (:meth:`Poller.poll_cycle`): load the watched nodes, poll every
enabled source's bulk payload once (concurrently), read the network (epoch, phase, thresholds), map
every ``nodes`` row locally, collect settled income (``bot/poller/ledger.py``), and in ONE
transaction write the cache rows that changed (``bot.db.node_cache``), the income ledger and the
earnings it changes, call ``CycleObserver.on_cycle`` (the alert engine) with the
:class:`CycleReport`, and write each source's ``source_health`` record (the poller is its only
writer).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

import aiohttp
import asyncpg

from bot.config import TrackersConfig
from bot.db import network_state, node_cache, poll_lock
from bot.db import source_health as source_health_db
from bot.db import stats as db
from bot.db.column_ranges import INT8_MAX, fit_to_columns
from bot.db.types import Conn, Pool
from bot.domain.network import NetworkState, PocSchedule
from bot.domain.node_stats import NodeStats, SourceSnapshot, Thresholds
from bot.domain.source_health import SourceHealth, SourcePoll, advance
from bot.domain.status import CycleObserver, CycleReport, NodeStatus, SourceResult
from bot.errors import BotError
from bot.poller.cache_memory import CacheMemory, CachePlan
from bot.poller.chain_thresholds import ThresholdsKeeper
from bot.poller.ledger import IncomeLedger, LedgerBatch
from bot.poller.mapping import Mapped, map_nodes
from bot.poller.metrics import PollerMetrics
from bot.poller.probes import ProbeStep
from bot.poller.sources import Source, build_sources
from integrations.errors import InconsistentPayloadError, SourceError

log = logging.getLogger(__name__)
INCOME_CONCURRENCY = 4


def _lap(since: float) -> tuple[float, float]:
    now = time.perf_counter()
    return now - since, now


@dataclass(slots=True)
class CycleTimings:
    """Seconds spent in each step of the last cycle (``fetch_s`` includes the trackers' serving)."""

    load_s: float = 0.0
    fetch_s: float = 0.0
    map_s: float = 0.0
    income_s: float = 0.0
    #: the write transaction but the alert step in it
    write_s: float = 0.0
    #: the alert engine's step (``CycleObserver.on_cycle``), inside the write transaction
    alert_s: float = 0.0
    total_s: float = 0.0

    @property
    def bot_work_s(self) -> float:
        """The poller's own work on the cycle: load, map and write (without the alert step)."""
        return self.load_s + self.map_s + self.write_s


@dataclass(frozen=True, slots=True)
class Loaded:
    watched: list[db.WatchedNode]
    fingerprint: tuple[int, str]
    health: dict[str, SourceHealth]


@dataclass(slots=True)
class Polled:
    snapshots: list[SourceSnapshot] = field(default_factory=list)
    #: one per source, in priority order
    polls: list[SourcePoll] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


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
        probes: ProbeStep | None = None,
    ) -> None:
        self._cfg = cfg
        self._pool = pool
        self._dsn = dsn
        self.metrics = metrics
        self._observer = observer
        self._sources = sources
        self.interval_s = interval_s if interval_s is not None else cfg.poll_interval_s
        self._thresholds = thresholds_of(cfg)
        #: the chain's thresholds in force for the current epoch (read once per epoch)
        self.chain_thresholds = ThresholdsKeeper(cfg)
        #: settled income, earnings history and reward estimates
        self.ledger = IncomeLedger(cfg, pool, metrics)
        #: per-host probes and chain look-ups (conditions e-h), after the sources were mapped
        self.probes = probes
        # the watched nodes as of this poller's last write, reused while ``nodes`` is unchanged
        self._watched: list[db.WatchedNode] | None = None
        self._watched_fingerprint: tuple[int, str] | None = None
        #: the cache rows as this poller last wrote them (only changed rows are sent)
        self._cache = CacheMemory()
        self.cycles_run = 0
        self.last_timings = CycleTimings()

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
            got = await poll_lock.try_lead(conn, self._cfg.poll_lock_key)
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
        # another replica may have written while this one stood by
        self._watched = None
        self._cache.forget()
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

    # -- one cycle: named steps ------------------------------------------------------------------

    async def poll_cycle(self) -> CycleReport:
        """load → poll sources → network → map → income → write (cache, income, alerts, source health)."""
        t = CycleTimings()
        t0 = mark = time.perf_counter()
        started_at = datetime.now(UTC)
        async with self.session() as sources:
            loaded = await self._load()
            t.load_s, mark = _lap(mark)
            polled = await self._poll_sources(sources, loaded.health)
            network = await self._network(sources, polled, started_at)
            t.fetch_s, mark = _lap(mark)
            mapped, plan = await self._map(loaded.watched, polled, network)
            t.map_s, mark = _lap(mark)
            income = await self.ledger.collect(sources, mapped.stats, polled.snapshots, started_at)
            t.income_s, mark = _lap(mark)
            await self._run_probes(polled.snapshots, loaded.watched, mapped.stats, network.epoch_id)
        report = self._report(started_at, mapped, polled, network)
        t.alert_s = await self._write(report, plan, polled, income)
        t.write_s, mark = _lap(mark)
        t.write_s -= t.alert_s
        self._remember(loaded, mapped, plan, income)
        t.total_s = time.perf_counter() - t0
        self.last_timings = t
        self._record_cycle(loaded.watched, mapped, polled, network, t)
        return report

    async def _load(self) -> Loaded:
        """The watched nodes (reused while ``nodes`` is unchanged) and each source's stored health."""
        fingerprint = await db.nodes_fingerprint(self._pool)
        if self._watched is not None and fingerprint == self._watched_fingerprint:
            watched = self._watched
        else:
            watched = await db.load_watched(self._pool)
        health = {h.source: h for h in await source_health_db.list_all(self._pool)}
        return Loaded(watched, fingerprint, health)

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

    async def _poll_sources(self, sources: list[Source], health: dict[str, SourceHealth]) -> Polled:
        """Every enabled source's bulk payload, concurrently; a failed source is a result, not an error."""
        results = await asyncio.gather(
            *(self._poll_source(s, h.last_epoch_id if (h := health.get(s.name)) else None) for s in sources)
        )
        polled = Polled()
        now_ts = time.time()
        for source, result in zip(sources, results, strict=True):
            if isinstance(result, SourceError):
                polled.failed.append(source.name)
                polled.polls.append(SourcePoll(source.name, False, result.message))
                self.metrics.polls.labels(source.name, "failed").inc()
                self.metrics.failures.labels(source.name, result.kind).inc()
                log.warning("source %s failed (%s): %s", source.name, result.kind, result.message)
            else:
                polled.snapshots.append(result)
                polled.polls.append(SourcePoll(source.name, True, None, result.epoch_id, result.fetched_at))
                self.metrics.polls.labels(source.name, "ok").inc()
                self.metrics.last_success.labels(source.name).set(now_ts)
        self._count_skipped_rows(polled.snapshots)
        return polled

    async def _network(self, sources: list[Source], polled: Polled, started_at: datetime) -> NetworkState:
        """The epoch, its phase and confirmation PoC, and the chain thresholds in force for it."""
        snapshots = polled.snapshots
        epoch_id = next((s.epoch_id for s in snapshots if s.epoch_id is not None), None)
        ok = {snap.source for snap in snapshots}
        epoch_thresholds = await self.chain_thresholds.for_epoch(
            epoch_id, [s for s in sources if s.name in ok]
        )
        self.metrics.thresholds_from_config.set(1 if epoch_thresholds.from_config else 0)
        return NetworkState(
            epoch_id=epoch_id,
            poc_phase=any(s.poc_phase for s in snapshots),
            confirmation_poc=next(
                (s.confirmation_poc for s in snapshots if s.confirmation_poc is not None), None
            ),
            thresholds=epoch_thresholds,
            observed_at=started_at,
            schedule=best_schedule(snapshots),
        )

    async def _map(
        self, watched: list[db.WatchedNode], polled: Polled, network: NetworkState
    ) -> tuple[Mapped, CachePlan]:
        """Every watched node against the snapshots, then the cache rows that changed; off the event
        loop (10,000 nodes are CPU work commands must not wait behind)."""
        assert network.thresholds is not None
        thresholds = replace(self._thresholds, confirmation_ratio=network.thresholds.cpoc_alpha)
        mapped = await asyncio.to_thread(
            map_nodes, watched, polled.snapshots, polled.failed, thresholds, network.observed_at
        )
        for (source_name, field_name), n in fit_to_columns(mapped.stats).items():
            self.metrics.values_out_of_range.labels(source_name, field_name).inc(n)
            log.warning(
                "source %s: %d value(s) of %s out of the cache column's range; stored as unknown",
                source_name,
                n,
                field_name,
            )
        plan = await asyncio.to_thread(self._cache.plan, mapped.stats)
        return mapped, plan

    def _report(
        self, started_at: datetime, mapped: Mapped, polled: Polled, network: NetworkState
    ) -> CycleReport:
        """What the alert engine is handed (the poller → engine interface)."""
        return CycleReport(
            started_at=started_at,
            finished_at=datetime.now(UTC),
            observations=tuple(mapped.observations),
            sources=tuple(SourceResult(p.source, p.ok, p.error) for p in polled.polls),
            poc_phase=network.poc_phase,
            epoch_id=network.epoch_id,
            changed=tuple(mapped.changed),
            network=network,
            network_weight=mapped.network_weight,
        )

    async def _write(
        self,
        report: CycleReport,
        plan: CachePlan,
        polled: Polled,
        income: LedgerBatch,
    ) -> float:
        """Everything the cycle stores, in ONE transaction: the cache (only what changed), the income
        ledger and earnings, the network state, the alert engine's step, each source's health.
        Returns the seconds the alert step took."""
        async with self._pool.acquire() as conn, conn.transaction():
            await poll_lock.lock_cycle_writes(conn, self._cfg.poll_lock_key)
            await self._write_cache(conn, plan, report.finished_at)
            await self.ledger.write(conn, income)  # the income step (bot/poller/ledger.py)
            if polled.snapshots and report.network is not None:
                await network_state.save(conn, report.network)
            alert_s = 0.0
            if self._observer is not None:  # the alert step
                started = time.perf_counter()
                await self._observer.on_cycle(conn, report)
                alert_s = time.perf_counter() - started
            await self._write_source_health(conn, polled, report.finished_at)
        return alert_s

    async def _write_cache(self, conn: Conn, plan: CachePlan, at: datetime) -> None:
        # before the sources' freshness moves on (source health is written last)
        if plan.unconfirmed_changed:
            await node_cache.hold_unconfirmed(conn, plan.unconfirmed, at)
            await node_cache.release_confirmed(conn, plan.unconfirmed)
        await node_cache.upsert(conn, plan.rows)

    async def _write_source_health(self, conn: Conn, polled: Polled, at: datetime) -> None:
        """One record per source, stepped from the stored one (the engine read the same, unchanged)."""
        stored = await source_health_db.load_for_update(conn, [p.source for p in polled.polls])
        degraded_after = self._cfg.degraded_after_failures
        await source_health_db.save(
            conn, [advance(stored.get(p.source), p, at, degraded_after)[0] for p in polled.polls]
        )

    def _remember(self, loaded: Loaded, mapped: Mapped, plan: CachePlan, income: LedgerBatch) -> None:
        """After the commit: what is now stored, for the next cycle's load and cache diff."""
        self._cache.commit(plan)
        self.ledger.committed(income)
        self._watched = [
            w
            if s.status is NodeStatus.UNKNOWN
            else db.WatchedNode(w.id, w.identifier, w.identifier_type, s.status, s.health_failures)
            for w, s in zip(loaded.watched, mapped.stats, strict=True)
        ]
        self._watched_fingerprint = loaded.fingerprint
        self.cycles_run += 1

    def _record_cycle(
        self,
        watched: list[db.WatchedNode],
        mapped: Mapped,
        polled: Polled,
        network: NetworkState,
        t: CycleTimings,
    ) -> None:
        """Metrics and the one log line of the cycle."""
        for (source_name, reason), n in mapped.unknown.items():
            self.metrics.unknown_verdicts.labels(source_name, reason).inc(n)
        for source_name, n in mapped.disagreements.items():
            self.metrics.disagreements.labels(source_name).inc(n)
        counts = {s: 0 for s in NodeStatus}
        for o in mapped.observations:
            counts[o.status] += 1
        for status, n in counts.items():
            self.metrics.nodes.labels(status.value).set(n)
        self.metrics.cycles.labels("ok").inc()
        self.metrics.last_cycle.set(time.time())
        self.metrics.cycle_duration.observe(t.total_s)
        log.info(
            "poll cycle: %d nodes (%s), sources ok: %s, failed: %s, %d changed, poc_phase=%s, cpoc=%s, %.2fs"
            " (load %.2f, fetch %.2f, map %.2f, income %.2f, write %.2f, alerts %.2f)",
            len(watched),
            ", ".join(f"{s.value} {n}" for s, n in counts.items() if n),
            ",".join(s.source for s in polled.snapshots) or "-",
            ",".join(polled.failed) or "-",
            len(mapped.changed),
            network.poc_phase,
            network.phase_text() if network.confirmation_poc and network.confirmation_poc.active else "-",
            t.total_s,
            t.load_s,
            t.fetch_s,
            t.map_s,
            t.income_s,
            t.write_s,
            t.alert_s,
        )

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
