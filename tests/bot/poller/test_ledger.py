"""Exact earnings: one bulk summary per settled epoch, history by the UTC day epochs settled, backfill
after downtime, the per-node fallback, and the current epoch's reward estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.config import Config
from bot.db.nodes import upsert_node
from bot.db.types import Pool
from bot.domain.formatting import quantize_gnk
from bot.poller.poller import Poller
from tests.bot.poller.conftest import HF1, HF2, HF3, make_poller, metric, tracker_config
from tests.bot.services.helpers import services
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_data import (
    era2026_estimate,
    synthetic_chain_participants,
    synthetic_gonka_participants,
    synthetic_hyperfusion,
    synthetic_validators,
)
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import caller, give_node, make_user

#: gonka1gvrrhj's real settled epoch 366 (rewarded + earned = 50,503.660277971 GNK: 9 places)
REWARDED, EARNED = 50_502_651_190_766, 1_009_087_205


def row(address: str, epoch: int, rewarded: int, earned: int = 0) -> dict[str, Any]:
    """One bulk summary row in the shape of the real capture (int64 as strings)."""
    return {
        "burned_coins": "0",
        "claimed": True,
        "earned_coins": str(earned),
        "epoch_index": str(epoch),
        "inference_count": "0",
        "invalidated_inferences": "0",
        "missed_requests": "0",
        "participant_id": address,
        "rewarded_coins": str(rewarded),
        "validated_inferences": "0",
    }


def settle(tracker: TrackerServer, epoch: int, rows: list[dict[str, Any]]) -> None:
    tracker.bulk_summaries[epoch] = {"epochPerformanceSummary": rows}


def move_to(tracker: TrackerServer, epoch: int) -> None:
    """The network enters ``epoch`` (past its claim_money height: the epoch before is settled)."""
    assert tracker.hyperfusion is not None and tracker.gonka_latest is not None
    assert tracker.gonka_participants is not None
    tracker.hyperfusion["epoch_id"] = epoch
    tracker.gonka_latest["latest_epoch"]["index"] = epoch
    tracker.gonka_latest["epoch_stages"]["epoch_index"] = epoch
    tracker.gonka_participants["active_participants"]["epoch_id"] = epoch
    tracker.invalidate()


def ledger_config(db_url: str, url: str, **kw: Any) -> Config:
    return tracker_config(
        db_url,
        url,
        sources=("hyperfusion", "gonka_api"),
        **{"income_lookups_per_cycle": 10, "estimate_lookups_per_cycle": 0, **kw},
    )


async def history(pool: Pool) -> dict[tuple[object, object], Decimal]:
    rows = await pool.fetch("SELECT node_id, date, earnings_gnk FROM earnings_history")
    return {(r["node_id"], r["date"]): r["earnings_gnk"] for r in rows}


async def test_two_epochs_settling_on_one_utc_day_sum_into_that_days_row(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    node, _ = await upsert_node(pool, HF1, "wallet")
    poller = make_poller(ledger_config(db_url, tracker.url), pool, db_url)
    settle(tracker, 104, [row(HF1, 104, 1_000_000_000)])
    await poller.poll_cycle()  # epoch 105: 104 is settled
    # 105 and 106 settle between two cycles minutes apart: the same UTC day
    settle(tracker, 105, [row(HF1, 105, REWARDED, EARNED)])
    settle(tracker, 106, [row(HF1, 106, 2 * REWARDED, 3 * EARNED)])
    move_to(tracker, 107)
    await poller.poll_cycle()
    await poller.poll_cycle()
    days = {
        r["epoch_id"]: r["settled_day"]
        for r in await pool.fetch("SELECT epoch_id, settled_day FROM settled_epochs")
    }
    assert days[105] == days[106]
    ngonka = {104: 1_000_000_000, 105: REWARDED + EARNED, 106: 2 * REWARDED + 3 * EARNED}
    exact = Decimal(sum(v for e, v in ngonka.items() if days[e] == days[105])) / 10**9
    assert (await history(pool))[(node.id, days[105])] == exact.quantize(Decimal("1e-8"), "ROUND_DOWN")
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 3 and tracker.requests[ts.GA_SUMMARY] == 0
    cache = await pool.fetchrow(
        "SELECT earnings_day, details FROM node_stats_cache WHERE node_id = $1", node.id
    )
    last_epoch = Decimal(2 * REWARDED + 3 * EARNED) / 10**9
    assert cache is not None and cache["earnings_day"] == last_epoch.quantize(Decimal("1e-8"), "ROUND_DOWN")
    assert cache["details"]["earnings_epoch"] == 106
    # running again changes nothing (idempotent)
    before = await history(pool)
    await poller.poll_cycle()
    assert await history(pool) == before and tracker.requests[ts.GA_BULK_SUMMARY] == 3


async def test_earnings_30d_equals_the_settled_coins_of_the_period_to_8_decimals(
    pool: Pool, db_url: str, config: Config, tracker: TrackerServer
) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", HF1, "rig")
    poller = make_poller(ledger_config(db_url, tracker.url), pool, db_url)
    coins = {104: (REWARDED, EARNED), 105: (7, 3), 106: (123_456_789_123, 987_654_321)}
    for epoch, (rewarded, earned) in coins.items():
        settle(tracker, epoch, [row(HF1, epoch, rewarded, earned), row(HF2, epoch, 5)])
        move_to(tracker, epoch + 1)
        await poller.poll_cycle()
    report = await services(pool, config).earnings.report(caller("1"), "30d", chart=False)
    settled = Decimal(sum(r + e for r, e in coins.values())) / 10**9
    assert [r.total_gnk for r in report.rows if r.node.id == node_id] == [quantize_gnk(settled)]
    assert report.total_gnk == quantize_gnk(settled)
    # the history rows are the same epochs, truncated per day to the column's 8 places
    assert sum((await history(pool)).values()) <= settled


async def test_a_newly_settled_epoch_with_1000_watched_nodes_costs_one_summary_request(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    hf = synthetic_hyperfusion(1000)
    tracker.hyperfusion = hf
    tracker.gonka_participants = synthetic_gonka_participants(hf)
    tracker.chain_participants = synthetic_chain_participants(hf)
    tracker.validators = synthetic_validators(hf)
    addresses = [p["address"] for p in hf["participants"]]
    await pool.executemany(
        "INSERT INTO nodes (identifier, identifier_type) VALUES ($1, 'wallet')", [(a,) for a in addresses]
    )
    # the chain lists 600 of them (the others earned nothing this epoch)
    settle(tracker, 104, [row(a, 104, 1_000_000_000 + i) for i, a in enumerate(addresses[:600])])
    poller = make_poller(ledger_config(db_url, tracker.url), pool, db_url)
    for _ in range(3):
        await poller.poll_cycle()
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 1
    assert tracker.requests[ts.GA_SUMMARY] == 0
    assert await pool.fetchval("SELECT count(*) FROM node_epoch_earnings WHERE epoch_id = 104") == 1000
    assert await pool.fetchval("SELECT count(*) FROM node_epoch_earnings WHERE income_ngonka > 0") == 600
    assert await pool.fetchval("SELECT complete FROM settled_epochs WHERE epoch_id = 104") is True
    # the next epoch: one more request
    settle(tracker, 105, [row(a, 105, 1) for a in addresses])
    move_to(tracker, 106)
    await poller.poll_cycle()
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 2
    assert metric(poller, "minegnk_tracker_income_summaries_total", source="gonka_api", outcome="ok") == 2


async def test_epochs_missed_while_down_are_backfilled_on_the_next_cycle(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    node, _ = await upsert_node(pool, HF1, "wallet")
    cfg = ledger_config(db_url, tracker.url)
    settle(tracker, 104, [row(HF1, 104, 1_000_000_000)])
    await make_poller(cfg, pool, db_url).poll_cycle()
    # the bot was last up three days ago, in epoch 105
    down_at = datetime.now(UTC) - timedelta(days=3)
    await pool.execute("UPDATE network_state SET observed_at = $1", down_at)
    await pool.execute("UPDATE settled_epochs SET settled_at = $1, settled_day = $2", down_at, down_at.date())
    await pool.execute("UPDATE earnings_history SET date = $1", down_at.date())
    for epoch in (105, 106, 107):
        settle(tracker, epoch, [row(HF1, epoch, epoch * 1_000_000_000)])
    move_to(tracker, 108)
    restarted = make_poller(cfg, pool, db_url)
    await restarted.poll_cycle()
    settled = await pool.fetch(
        "SELECT epoch_id, settled_at, estimated FROM settled_epochs WHERE epoch_id > 104 ORDER BY epoch_id"
    )
    assert [r["epoch_id"] for r in settled] == [105, 106, 107] and all(r["estimated"] for r in settled)
    times = [r["settled_at"] for r in settled]
    assert down_at < times[0] < times[1] < times[2] <= datetime.now(UTC)
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 4
    # every day's row is the sum of the epochs that settled on it; nothing is counted twice
    rows = await history(pool)
    by_day: dict[object, Decimal] = {}
    for r in await pool.fetch(
        "SELECT s.settled_day, e.income_ngonka"
        " FROM settled_epochs s JOIN node_epoch_earnings e USING (epoch_id)"
    ):
        by_day[r["settled_day"]] = by_day.get(r["settled_day"], Decimal(0)) + r["income_ngonka"] / 10**9
    assert {d: v for (_, d), v in rows.items()} == by_day
    assert sum(rows.values()) == Decimal(1 + 105 + 106 + 107)
    cache = await pool.fetchrow(
        "SELECT earnings_day, earnings_total FROM node_stats_cache WHERE node_id = $1", node.id
    )
    assert cache is not None and (cache["earnings_day"], cache["earnings_total"]) == (107, 319)


async def test_when_the_bulk_call_fails_nodes_are_looked_up_one_by_one_within_the_cap(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    for address in (HF1, HF2, HF3):
        await upsert_node(pool, address, "wallet")
    tracker.summaries = {
        (104, HF1): {"epochPerformanceSummary": {"rewarded_coins": "3000000000", "earned_coins": "5"}},
        (104, HF3): {"epochPerformanceSummary": {"rewarded_coins": "1000000000", "earned_coins": "0"}},
    }
    tracker.fault(ts.GA_BULK_SUMMARY, "status", times=2)
    poller = make_poller(ledger_config(db_url, tracker.url, income_lookups_per_cycle=2), pool, db_url)
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 2  # a 503, retried once, then given up this cycle
    assert tracker.requests[ts.GA_SUMMARY] == 2  # the cap
    assert metric(poller, "minegnk_tracker_income_summaries_total", source="gonka_api", outcome="failed") == 1
    expected = {HF1: 3_000_000_005, HF2: 0, HF3: 1_000_000_000}
    incomes = {
        r["identifier"]: r["income_ngonka"]
        for r in await pool.fetch(
            "SELECT n.identifier, e.income_ngonka FROM node_epoch_earnings e JOIN nodes n ON n.id = e.node_id"
        )
    }
    assert incomes and all(expected[a] == v for a, v in incomes.items())  # HF2 has no summary of its own
    assert await pool.fetchval("SELECT complete FROM settled_epochs WHERE epoch_id = 104") is False
    # the next cycle the bulk call works: every node has its epoch, and the epoch is complete
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 3
    incomes = {
        r["identifier"]: r["income_ngonka"]
        for r in await pool.fetch(
            "SELECT n.identifier, e.income_ngonka FROM node_epoch_earnings e JOIN nodes n ON n.id = e.node_id"
        )
    }
    assert incomes == expected
    assert await pool.fetchval("SELECT complete FROM settled_epochs WHERE epoch_id = 104") is True
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 3 and tracker.requests[ts.GA_SUMMARY] == 2


async def test_the_current_epochs_estimate_is_asked_once_per_node_per_epoch_within_the_cap(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    for address in (HF1, HF2, HF3):
        await upsert_node(pool, address, "wallet")
    tracker.estimates = {HF1: era2026_estimate(HF1, REWARDED, EARNED, epoch=105)}
    cfg = ledger_config(db_url, tracker.url, estimate_lookups_per_cycle=2)
    poller: Poller = make_poller(cfg, pool, db_url)
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_ESTIMATE] == 2
    await poller.poll_cycle()
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_ESTIMATE] == 3  # each node once this epoch
    rows = {
        r["identifier"]: (r["epoch_id"], r["reward_ngonka"], r["work_ngonka"])
        for r in await pool.fetch(
            "SELECT n.identifier, r.epoch_id, r.reward_ngonka, r.work_ngonka"
            " FROM reward_estimates r JOIN nodes n ON n.id = r.node_id"
        )
    }
    assert rows == {HF1: (105, REWARDED, EARNED), HF2: (105, None, None), HF3: (105, None, None)}
    move_to(tracker, 106)
    await poller.poll_cycle()
    assert tracker.requests[ts.GA_ESTIMATE] == 5  # a new epoch: asked again, within the cap


async def test_an_epoch_not_settled_yet_is_not_asked_every_cycle_nor_node_by_node(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet")
    poller = make_poller(ledger_config(db_url, tracker.url), pool, db_url)
    for _ in range(3):
        await poller.poll_cycle()  # the chain's summary of 104 is still empty
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 1 and tracker.requests[ts.GA_SUMMARY] == 0
    assert (
        metric(poller, "minegnk_tracker_income_summaries_total", source="gonka_api", outcome="pending") == 1
    )
    assert await pool.fetchval("SELECT count(*) FROM settled_epochs") == 0


async def test_during_the_poc_before_claim_money_the_last_epoch_is_not_asked_for(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await upsert_node(pool, HF1, "wallet")
    settle(tracker, 103, [row(HF1, 103, 3)])
    settle(tracker, 104, [row(HF1, 104, 5)])
    assert tracker.gonka_latest is not None
    tracker.gonka_latest["block_height"] = tracker.gonka_latest["epoch_stages"]["claim_money"] - 10
    poller = make_poller(ledger_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    ledger = "SELECT epoch_id, income_ngonka FROM node_epoch_earnings ORDER BY epoch_id"
    assert [tuple(r) for r in await pool.fetch(ledger)] == [(103, 3)]  # 104 settles at claim_money
    tracker.gonka_latest["block_height"] += 20
    tracker.invalidate()
    await poller.poll_cycle()
    assert [tuple(r) for r in await pool.fetch(ledger)] == [(103, 3), (104, 5)]
    assert tracker.requests[ts.GA_BULK_SUMMARY] == 2
