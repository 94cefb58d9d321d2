"""Settled income and the current epoch's reward estimate, for the poll cycle (exact earnings).

Settled income: ONE bulk ``epoch_performance_summary/{epoch}`` request per newly settled epoch gives
every watched node its ``rewarded_coins + earned_coins`` (a node the summary does not list earned 0).
Epochs missed while the bot was down are fetched back on the next cycles (at most
``income_backfill_epochs`` of them, ``income_summaries_per_cycle`` a cycle). Only when the bulk call
fails, or a source has none (Hyperfusion), are nodes looked up one by one, at most
``income_lookups_per_cycle`` a cycle and once per node per epoch.

Each epoch is recorded in ``settled_epochs`` with the time it settled: the cycle that first saw it
settled (to a poll interval), or, for epochs that settled while the bot was down, a time spread evenly
between the bot's last cycle before the gap and the first after it (marked ``estimated``). The UTC day
of that time is the ``earnings_history`` row the epoch counts in: a day's row is the exact sum of the
epochs that settled that day, rebuilt from the ledger whenever one of them is recorded (idempotent).

The estimate (``estimate_bitcoin_reward/{address}``) is asked once per node per epoch, at most
``estimate_lookups_per_cycle`` a cycle, and only for participants of the epoch (the chain has none for
the others).

:meth:`IncomeLedger.collect` does the requests before the cycle's transaction, :meth:`write` runs
inside it, and :meth:`committed` remembers what was written only once it is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable
from uuid import UUID

from bot.config import TrackersConfig
from bot.db import ledger as db
from bot.db import network_state
from bot.db.types import Executor, Pool
from bot.domain.node_stats import NodeStats, SourceSnapshot
from bot.poller.metrics import PollerMetrics
from bot.poller.sources import Source, income_source
from integrations.errors import SourceError
from integrations.gonka_api import EpochIncome, RewardEstimate

log = logging.getLogger(__name__)
LOOKUP_CONCURRENCY = 4
#: a bulk summary that came back empty (the epoch is not settled yet) is asked again after this
PENDING_RETRY = timedelta(minutes=5)


@runtime_checkable
class BulkIncomeSource(Protocol):
    name: str

    async def epoch_income(self, epoch_id: int) -> EpochIncome | None:
        """Every participant's settled income of ``epoch_id`` in one request; None: not settled yet."""
        ...


@runtime_checkable
class EstimateSource(Protocol):
    name: str

    async def reward_estimate(self, address: str) -> RewardEstimate | None:
        """The chain's estimate of the current epoch's reward; None when it has none."""
        ...


@dataclass(slots=True)
class LedgerBatch:
    """What one cycle adds; written in the cycle's transaction, remembered after its commit."""

    entries: list[db.LedgerEntry] = field(default_factory=list)
    settlements: list[db.Settlement] = field(default_factory=list)
    estimates: list[db.EstimateRow] = field(default_factory=list)
    #: the newest settled epoch as of this cycle, and when this cycle saw it
    seen: tuple[int, datetime] | None = None
    #: epochs this cycle first saw settled -> when they settled (spread over a gap), estimated
    transitions: dict[int, tuple[datetime, bool]] = field(default_factory=dict)
    #: the bulk summary of the newest settled epoch (new nodes are then mapped without a request)
    summary: EpochIncome | None = None
    #: addresses with no income for the newest settled epoch from any look-up: not asked again
    income_failed: set[str] = field(default_factory=set)
    estimate_failed: set[str] = field(default_factory=set)
    pending_until: datetime | None = None


def _by_address(stats: Sequence[NodeStats]) -> dict[str, list[UUID]]:
    out: dict[str, list[UUID]] = {}
    for s in stats:
        if s.address is not None:
            out.setdefault(s.address, []).append(s.node_id)
    return out


class IncomeLedger:
    def __init__(self, cfg: TrackersConfig, pool: Pool, metrics: PollerMetrics) -> None:
        self._cfg = cfg
        self._pool = pool
        self._metrics = metrics
        self._loaded = False
        #: the newest epoch in ``settled_epochs``
        self._last: db.Settlement | None = None
        #: (newest settled epoch, when) as of the last committed cycle
        self._seen: tuple[int, datetime] | None = None
        self._times: dict[int, tuple[datetime, bool]] = {}
        self._done_epoch: int | None = None
        self._done: set[UUID] = set()
        self._failed: set[str] = set()
        self._summary: EpochIncome | None = None
        self._pending_until: datetime | None = None
        self._est_epoch: int | None = None
        self._estimated: set[UUID] = set()
        self._est_failed: set[str] = set()
        self._refreshed = False

    # -- before the transaction: the requests --------------------------------------------------------

    async def collect(
        self,
        sources: list[Source],
        stats: Sequence[NodeStats],
        snapshots: Sequence[SourceSnapshot],
        now: datetime,
    ) -> LedgerBatch:
        batch = LedgerBatch()
        source = income_source(sources, self._cfg)
        snap = None if source is None else next((s for s in snapshots if s.source == source.name), None)
        if source is None or snap is None or self._cfg.income_lookups_per_cycle == 0:
            return batch
        settled = snap.settled_epoch_id
        if settled is None and snap.epoch_id is not None:
            settled = snap.epoch_id - 1
        if settled is None or settled < 0:
            return batch
        if not self._loaded:
            self._last = await db.last_settled(self._pool)
            state = await network_state.load(self._pool)
            if state is not None and state.epoch_id is not None:
                self._seen = (state.epoch_id - 1, state.observed_at)
            self._loaded = True
        by_address = _by_address(stats)
        batch.seen = (settled, now)
        self._note_transitions(settled, now, batch)
        await self._settled_income(source, settled, by_address, now, batch)
        await self._estimates(source, snap, by_address, now, batch)
        return batch

    def _note_transitions(self, settled: int, now: datetime, batch: LedgerBatch) -> None:
        """Epochs that settled since the last cycle: when (spread evenly over a gap in the polling)."""
        if self._seen is None or settled <= self._seen[0]:
            return
        prev, t_prev = self._seen
        live = now - t_prev <= timedelta(seconds=2 * self._cfg.poll_interval_s + 1)
        first = max(prev + 1, settled - self._cfg.income_backfill_epochs + 1)
        for epoch in range(first, settled + 1):
            at = t_prev + (now - t_prev) * ((epoch - prev) / (settled - prev))
            batch.transitions[epoch] = (at, not live)

    def _settle_time(self, epoch: int, batch: LedgerBatch) -> tuple[datetime, bool]:
        """When ``epoch`` settled, and whether that is an estimate."""
        if epoch in batch.transitions:
            return batch.transitions[epoch]
        if epoch in self._times:
            return self._times[epoch]
        assert batch.seen is not None
        now = batch.seen[1]
        if self._seen is None:
            return now, True  # the bot's first cycle ever: when it settled is not known
        prev, t_prev = self._seen
        anchor = self._last
        if anchor is not None and anchor.epoch_id < epoch <= prev:
            # before the last cycle yet never recorded: between the last recorded epoch and then
            return anchor.settled_at + (t_prev - anchor.settled_at) * (
                (epoch - anchor.epoch_id) / (prev - anchor.epoch_id)
            ), True
        return t_prev, True

    async def _settled_income(
        self,
        source: Source,
        settled: int,
        by_address: dict[str, list[UUID]],
        now: datetime,
        batch: LedgerBatch,
    ) -> None:
        if self._done_epoch != settled:
            self._done = await db.nodes_with_income(self._pool, settled)
            self._done_epoch = settled
            self._failed = set()
        summary = self._summary if self._summary is not None and self._summary.epoch_id == settled else None
        last = -1 if self._last is None else self._last.epoch_id
        first = (
            settled if self._last is None else max(last + 1, settled - self._cfg.income_backfill_epochs + 1)
        )
        todo = list(range(first, settled + 1))
        missing = {
            a: ids
            for a, ids in by_address.items()
            if a not in self._failed and any(i not in self._done for i in ids)
        }
        if not todo and not missing:
            return  # the steady state: nothing asked
        incomes: dict[int, EpochIncome] = {}
        if summary is not None and settled not in todo:
            incomes[settled] = summary
        bulk_failed = not isinstance(source, BulkIncomeSource)
        want = todo if todo else ([settled] if summary is None else [])
        pending = self._pending_until is not None and now < self._pending_until
        if isinstance(source, BulkIncomeSource) and want and not pending:
            for epoch in want[: self._cfg.income_summaries_per_cycle]:
                try:
                    got = await source.epoch_income(epoch)
                except SourceError as exc:
                    self._metrics.income_summaries.labels(source.name, "failed").inc()
                    log.warning(
                        "settled-income summary of epoch %d from %s failed (%s); per-node look-ups instead",
                        epoch,
                        source.name,
                        exc.message,
                    )
                    bulk_failed = True
                    break
                if got is None:
                    self._metrics.income_summaries.labels(source.name, "pending").inc()
                    if epoch == settled:
                        log.info(
                            "epoch %d: %s has no settled summary yet; asked again later", epoch, source.name
                        )
                        batch.pending_until = now + PENDING_RETRY
                    else:  # an older epoch the node no longer has: passed over
                        log.warning("epoch %d: %s has no summary; not backfilled", epoch, source.name)
                    continue
                self._metrics.income_summaries.labels(source.name, "ok").inc()
                incomes[epoch] = got
        batch.summary = incomes.get(settled)
        resolved = self._from_summaries(source.name, settled, incomes, by_address, batch)
        unresolved = {a: ids for a, ids in missing.items() if a not in resolved}
        if unresolved and (bulk_failed or settled in incomes):
            await self._look_up(source, settled, unresolved, batch)
        new_epochs = sorted({e.epoch_id for e in batch.entries if e.epoch_id > last})
        complete = {
            epoch for epoch, inc in incomes.items() if not (inc.skipped.addresses or inc.skipped.unidentified)
        }
        for epoch in new_epochs:
            at, estimated = self._settle_time(epoch, batch)
            batch.settlements.append(db.Settlement(epoch, at, estimated, epoch in complete, source.name))
        for epoch in complete:
            if epoch <= last:  # known, and now read whole: mark it so
                at, estimated = self._settle_time(epoch, batch)
                batch.settlements.append(db.Settlement(epoch, at, estimated, True, source.name))

    def _from_summaries(
        self,
        source_name: str,
        settled: int,
        incomes: dict[int, EpochIncome],
        by_address: dict[str, list[UUID]],
        batch: LedgerBatch,
    ) -> set[str]:
        """Ledger rows of every watched node from the bulk summaries; the addresses resolved for
        ``settled``. An address the summary does not list earned 0, unless a row failed validation."""
        resolved: set[str] = set()
        for epoch, inc in sorted(incomes.items()):
            unsure = inc.skipped.unidentified > 0
            for address, ids in by_address.items():
                value = inc.income.get(address)
                if value is None:
                    if unsure or address in inc.skipped.addresses:
                        continue
                    value = 0
                if epoch == settled:
                    resolved.add(address)
                for node_id in ids:
                    if epoch != settled or node_id not in self._done:
                        batch.entries.append(db.LedgerEntry(node_id, epoch, value, source_name))
        return resolved

    async def _look_up(
        self, source: Source, settled: int, missing: dict[str, list[UUID]], batch: LedgerBatch
    ) -> None:
        """The fallback: per-node look-ups, at most ``income_lookups_per_cycle`` a cycle."""
        addresses = list(missing)[: self._cfg.income_lookups_per_cycle]
        if not addresses:
            return
        gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def one(address: str) -> dict[int, int] | None:
            async with gate:
                try:
                    found = await source.settled_income(address, settled + 1)
                except SourceError as exc:
                    self._metrics.income_lookups.labels(source.name, "failed").inc()
                    log.warning("settled income of %s (epoch %d) failed: %s", address, settled, exc.message)
                    return None
            self._metrics.income_lookups.labels(source.name, "ok").inc()
            return found

        results = await asyncio.gather(*(one(a) for a in addresses))
        for address, found in zip(addresses, results, strict=True):
            if found is None or settled not in found:
                batch.income_failed.add(address)  # not asked again this epoch
            for epoch, ngonka in (found or {}).items():
                if epoch > settled:
                    continue
                for node_id in missing[address]:
                    batch.entries.append(db.LedgerEntry(node_id, epoch, ngonka, source.name))

    async def _estimates(
        self,
        source: Source,
        snap: SourceSnapshot,
        by_address: dict[str, list[UUID]],
        now: datetime,
        batch: LedgerBatch,
    ) -> None:
        limit = self._cfg.estimate_lookups_per_cycle
        if limit == 0 or not isinstance(source, EstimateSource) or snap.epoch_id is None:
            return
        current = snap.epoch_id
        if self._est_epoch != current:
            self._estimated = await db.nodes_with_estimate(self._pool, current)
            self._est_epoch = current
            self._est_failed = set()
        ask: list[str] = []
        for address, ids in by_address.items():
            if address in self._est_failed or all(i in self._estimated for i in ids):
                continue
            view = snap.participants.get(address)
            if view is None or not view.in_epoch:  # not in the active set: the chain has no estimate
                batch.estimates += [db.EstimateRow(i, current, None, None, now) for i in ids]
            elif len(ask) < limit:
                ask.append(address)
        if not ask:
            return
        gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def one(address: str) -> RewardEstimate | SourceError | None:
            async with gate:
                try:
                    return await source.reward_estimate(address)
                except SourceError as exc:
                    return exc

        for address, got in zip(ask, await asyncio.gather(*(one(a) for a in ask)), strict=True):
            if isinstance(got, SourceError):
                self._metrics.estimate_lookups.labels(source.name, "failed").inc()
                log.warning("reward estimate of %s (epoch %d) failed: %s", address, current, got.message)
                batch.estimate_failed.add(address)
                continue
            self._metrics.estimate_lookups.labels(source.name, "ok" if got else "none").inc()
            batch.estimates += [
                db.EstimateRow(
                    i,
                    current,
                    None if got is None else got.reward_ngonka,
                    None if got is None else got.work_ngonka,
                    now,
                )
                for i in by_address[address]
            ]

    # -- inside the transaction ----------------------------------------------------------------------

    async def write(self, conn: Executor, batch: LedgerBatch) -> None:
        await db.record_income(conn, batch.entries)
        await db.record_settlements(conn, batch.settlements)
        affected = sorted({e.node_id for e in batch.entries})
        if not self._refreshed or affected:
            await db.refresh_earnings(conn, affected if self._refreshed else None)
        if affected:
            await db.rebuild_history(conn, sorted({e.epoch_id for e in batch.entries}), affected)
        await db.save_estimates(conn, batch.estimates)

    # -- after the commit ----------------------------------------------------------------------------

    def committed(self, batch: LedgerBatch) -> None:
        self._refreshed = True
        if batch.seen is None:
            return
        settled = batch.seen[0]
        self._times.update(batch.transitions)
        for epoch in [e for e in self._times if e < settled - self._cfg.income_backfill_epochs]:
            del self._times[epoch]
        self._seen = batch.seen
        newest = max(batch.settlements, key=lambda s: s.epoch_id, default=None)
        if newest is not None and (self._last is None or newest.epoch_id > self._last.epoch_id):
            self._last = newest
        if self._done_epoch == settled:
            self._done |= {e.node_id for e in batch.entries if e.epoch_id == settled}
            self._failed |= batch.income_failed
        if batch.summary is not None:
            self._summary = batch.summary
        if batch.pending_until is not None:
            self._pending_until = batch.pending_until
        self._estimated |= {r.node_id for r in batch.estimates if r.epoch_id == self._est_epoch}
        self._est_failed |= batch.estimate_failed
