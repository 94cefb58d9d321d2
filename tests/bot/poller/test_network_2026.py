"""Today's network (the 2026 shapes) through a whole poll cycle: real PostgreSQL, the local tracker."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from bot.alerts.engine import AlertEngine
from bot.config import Config
from bot.db import network_state
from bot.db.types import Pool
from bot.domain.chain_params import FROM_CONFIG, FROM_EPOCH, FROM_PARAMS
from bot.domain.status import NodeStatus
from bot.render import discord as discord_render
from bot.render import telegram as telegram_render
from tests.bot.poller.conftest import HF1, HF3, RecordingObserver, make_poller, metric, tracker_config
from tests.bot.poller.test_poll_cycle import add_nodes, cache
from tests.bot.services.helpers import services
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_data import (
    ACTIVE_2026,
    EXCLUDED_2026,
    INACTIVE_2026,
    NO_CPOC_YET_2026,
    era2026_latest,
    synthetic_address,
)
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import caller, give_node, make_user

BOTH = ("hyperfusion", "gonka_api")


def both_sources(db_url: str, tracker: TrackerServer, **kw: object) -> Config:
    return tracker_config(db_url, tracker.url, sources=BOTH, gonka_api={"chain_api": True}, **kw)


async def test_todays_chain_shape_with_hyperfusion_down_polls_on_gonka_api_alone(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    # Hyperfusion answers 503; the chain list carries Decimal objects (the old float parser failed it)
    ids = await add_nodes(
        pool,
        (ACTIVE_2026, "wallet"),
        (INACTIVE_2026, "wallet"),
        (NO_CPOC_YET_2026, "wallet"),
        (EXCLUDED_2026, "wallet"),
    )
    rec = RecordingObserver()
    poller = make_poller(both_sources(db_url, tracker2026), pool, db_url, rec)
    report = await poller.poll_cycle()

    assert [(s.source, s.ok) for s in report.sources] == [("hyperfusion", False), ("gonka_api", True)]
    assert report.epoch_id == 366
    rows = await cache(pool)
    got = {
        ident: (rows[i]["status"], rows[i]["status_reason"], rows[i]["source"]) for ident, i in ids.items()
    }
    assert got == {
        ACTIVE_2026: ("healthy", None, "gonka_api"),
        INACTIVE_2026: ("offline", "failed PoC", "gonka_api"),
        NO_CPOC_YET_2026: ("healthy", None, "gonka_api"),
        EXCLUDED_2026: ("offline", "excluded from epoch: statistical_invalidations", "gonka_api"),
    }
    # the chain's Decimal reaches the cache exactly, to its last digit
    ratio = await pool.fetchval(
        "SELECT details->>'confirmation_poc_ratio' FROM node_stats_cache WHERE node_id = $1",
        ids[INACTIVE_2026],
    )
    assert Decimal(ratio) == Decimal("0.0057419461588255")
    assert rows[ids[ACTIVE_2026]]["voting_weight"] == Decimal(60555)  # epoch 366's real weight
    assert rows[ids[ACTIVE_2026]]["jobs_day"] == 9120
    # the early-warning numbers reach the alert engine exactly (for the conditions on cPoC and LLRs)
    seen = next(o for o in report.observations if o.node_id == ids[ACTIVE_2026])
    llrs = (seen.confirmation_poc_ratio, seen.invalid_llr, seen.inactive_llr)
    assert llrs == (1, Decimal("1.265406437825"), 0)
    assert metric(poller, "minegnk_tracker_polls_total", source="gonka_api", outcome="ok") == 1
    assert metric(poller, "minegnk_tracker_rows_skipped_total") == 0


async def test_thresholds_are_read_from_the_chain_once_per_epoch_the_frozen_ones_first(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    await add_nodes(pool, (ACTIVE_2026, "wallet"))
    poller = make_poller(both_sources(db_url, tracker2026), pool, db_url)
    first = await poller.poll_cycle()
    await poller.poll_cycle()
    await poller.poll_cycle()

    t = first.network.thresholds if first.network else None
    assert t is not None and t.epoch_id == 366
    # alpha from params; the SPRT thresholds epoch 366 froze (H 4, downtime H 100), not today's (40, 1e9)
    assert (t.cpoc_alpha, t.cpoc_alpha_origin) == (Decimal("0.5"), FROM_PARAMS)
    assert (t.invalidation_h, t.downtime_h, t.sprt_origin) == (Decimal(4), Decimal(100), FROM_EPOCH)
    assert t.bad_participant_invalidation_rate == Decimal("0.1")
    assert tracker2026.requests[ts.GA_PARAMS] == 1 and tracker2026.requests[ts.GA_EPOCH_GROUP] == 1
    # persisted for the alert conditions (and across restarts)
    stored = await network_state.load(pool)
    assert stored is not None and stored.thresholds == t and stored.epoch_id == 366


async def test_the_chains_alpha_threshold_decides_a_low_confirmation_poc(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    assert tracker2026.params is not None and tracker2026.chain_participants is not None
    tracker2026.params["params"]["confirmation_poc_params"]["alpha_threshold"] = {
        "value": "6",
        "exponent": -1,
    }
    row = next(p for p in tracker2026.chain_participants["participant"] if p["index"] == ACTIVE_2026)
    row["current_epoch_stats"]["confirmationPoCRatio"] = {"value": "55", "exponent": -2}  # 0.55
    ids = await add_nodes(pool, (ACTIVE_2026, "wallet"))
    # config says 0.5 (0.55 would pass); the chain says 0.6
    await make_poller(both_sources(db_url, tracker2026), pool, db_url).poll_cycle()
    got = (await cache(pool))[ids[ACTIVE_2026]]
    assert (got["status"], got["status_reason"]) == ("unhealthy", "low confirmation PoC")


async def test_config_thresholds_are_the_fallback_and_their_use_is_logged(
    pool: Pool, db_url: str, tracker2026: TrackerServer, caplog: pytest.LogCaptureFixture
) -> None:
    tracker2026.params = None  # the node answers NotFound
    await add_nodes(pool, (ACTIVE_2026, "wallet"))
    cfg = both_sources(db_url, tracker2026, invalidation_llr_threshold="7.5")
    poller = make_poller(cfg, pool, db_url)
    with caplog.at_level(logging.WARNING, logger="bot.poller.chain_thresholds"):
        report = await poller.poll_cycle()
        await poller.poll_cycle()
    t = report.network.thresholds if report.network else None
    assert t is not None
    assert (t.cpoc_alpha_origin, t.sprt_origin) == (FROM_CONFIG, FROM_CONFIG)
    assert (t.cpoc_alpha, t.invalidation_h) == (Decimal("0.5"), Decimal("7.5"))
    warnings = [r.getMessage() for r in caplog.records if "using config" in r.getMessage()]
    assert len(warnings) == 1 and "epoch 366" in warnings[0]
    assert metric(poller, "minegnk_chain_thresholds_from_config") == 1
    assert tracker2026.requests[ts.GA_PARAMS] == 1  # not asked again every cycle


async def test_a_poisoned_participant_skips_only_itself(
    pool: Pool, db_url: str, tracker2026: TrackerServer, caplog: pytest.LogCaptureFixture
) -> None:
    chain, epoch = tracker2026.chain_participants, tracker2026.gonka_participants
    assert chain is not None and epoch is not None
    rows = {p["index"]: p for p in chain["participant"]}
    members = {p["index"]: p for p in epoch["active_participants"]["participants"]}
    # wrong type: a chain Decimal that is no number
    rows[NO_CPOC_YET_2026]["current_epoch_stats"]["confirmationPoCRatio"] = {"value": "lots", "exponent": -2}
    # a weight of 10^15 (no DECIMAL(20,8) holds it) and a job count of 2^40 (no INTEGER holds it)
    members[ACTIVE_2026]["weight"] = 10**15
    rows[ACTIVE_2026]["current_epoch_stats"]["inference_count"] = str(2**40)
    # a member row of the wrong type altogether, without an address: it hides nobody that is listed
    epoch["active_participants"]["participants"].append({"index": ["not", "an", "address"], "weight": 1})
    # a member whose weight is not a number
    ghost = synthetic_address(4242)
    epoch["active_participants"]["participants"].append({"index": ghost, "weight": "heavy"})
    ids = await add_nodes(
        pool,
        (ACTIVE_2026, "wallet"),
        (INACTIVE_2026, "wallet"),
        (NO_CPOC_YET_2026, "wallet"),
        (ghost, "wallet"),
    )
    engine = AlertEngine(both_sources(db_url, tracker2026))
    poller = make_poller(both_sources(db_url, tracker2026), pool, db_url, engine)
    with caplog.at_level(logging.WARNING, logger="bot.poller.poller"):
        report = await poller.poll_cycle()

    assert [(s.source, s.ok) for s in report.sources] == [("hyperfusion", False), ("gonka_api", True)]
    got = await cache(pool)
    # the skipped ones are unknown for the source, never offline
    by_node = {o.node_id: o for o in report.observations}
    assert by_node[ids[NO_CPOC_YET_2026]].status is NodeStatus.UNKNOWN
    assert by_node[ids[ghost]].status is NodeStatus.UNKNOWN
    assert by_node[ids[NO_CPOC_YET_2026]].reason == "participant row unreadable"
    assert got[ids[NO_CPOC_YET_2026]]["status"] == got[ids[ghost]]["status"] == "unknown"
    # the out-of-range values are stored as unknown; the rest of that node is written as usual
    active = got[ids[ACTIVE_2026]]
    assert (active["status"], active["voting_weight"], active["jobs_day"]) == ("healthy", None, None)
    assert (got[ids[INACTIVE_2026]]["status"], got[ids[INACTIVE_2026]]["status_reason"]) == (
        "offline",
        "failed PoC",
    )
    # counted by bounded labels, logged once this cycle naming the fields
    assert metric(poller, "minegnk_tracker_rows_skipped_total", source="gonka_api",
                  reason="current_epoch_stats.confirmation_poc_ratio") == 1  # fmt: skip
    assert metric(poller, "minegnk_tracker_rows_skipped_total", source="gonka_api", reason="weight") == 1
    assert metric(poller, "minegnk_tracker_rows_skipped_total", source="gonka_api", reason="index") == 1
    assert (
        metric(poller, "minegnk_tracker_values_out_of_range_total", source="gonka_api", field="weight") == 1
    )
    assert metric(poller, "minegnk_tracker_values_out_of_range_total",
                  source="gonka_api", field="inference_count") == 1  # fmt: skip
    lines = [r.getMessage() for r in caplog.records if "unreadable row" in r.getMessage()]
    assert len(lines) == 1 and "confirmation_poc_ratio" in lines[0] and "weight" in lines[0]
    # nothing alerts (first sight is a silent baseline; unknown never even records one)
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 0
    assert await pool.fetchval("SELECT count(*) FROM alert_state WHERE node_id = $1", ids[ghost]) == 0


async def test_confirmation_poc_holds_offline_alerts_like_poc(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    await make_user(pool, "op@example.com", telegram="555")
    node_id = await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    cfg = both_sources(db_url, tracker2026)
    poller = make_poller(cfg, pool, db_url, AlertEngine(cfg))
    await poller.poll_cycle()  # baseline: healthy

    async def state() -> tuple[str, str | None, int]:
        r = await pool.fetchrow(
            "SELECT notified_status, pending_status, pending_count FROM alert_state"
            " WHERE node_id = $1 AND condition_group = 'status'",
            node_id,
        )
        if r is None:  # no row: ok with nothing pending (the node was seen)
            assert await pool.fetchval("SELECT count(*) FROM alert_nodes WHERE node_id = $1", node_id) == 1
            return "ok", None, 0
        return r[0], r[1], r[2]

    # a confirmation PoC (v0.2.14: phase 2) while the node is absent from the epoch: held, never counted
    tracker2026.gonka_latest = era2026_latest("v0.2.14")
    tracker2026.fault(ts.GA_PARTICIPANTS, "missing", address=ACTIVE_2026)
    for _ in range(4):  # more than alerts.confirm_polls.offline (3)
        report = await poller.poll_cycle()
        assert report.offline_held and report.poc_phase is False
        assert next(o for o in report.observations if o.node_id == node_id).status is NodeStatus.OFFLINE
    assert await state() == ("ok", None, 0)
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 0

    # the confirmation PoC is over and the node still absent: now it confirms as usual
    tracker2026.gonka_latest = era2026_latest()
    for _ in range(3):
        await poller.poll_cycle()
    assert (await state())[0] == "offline"
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 1


@pytest.mark.parametrize("version", ["v0.2.14", "v0.2.15"])
async def test_nodes_and_node_show_the_confirmation_poc_phase_on_both_frontends(
    pool: Pool, db_url: str, tracker2026: TrackerServer, version: str
) -> None:
    await make_user(pool, "op@example.com", telegram="555", discord="777")
    await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    cfg = both_sources(db_url, tracker2026)
    tracker2026.gonka_latest = era2026_latest(version)  # phase 2 / "CONFIRMATION_POC_GENERATION"
    await make_poller(cfg, pool, db_url).poll_cycle()
    svc = services(pool, cfg)
    shown = "Confirmation PoC in progress (generation)"
    for who in (caller("555", platform="telegram"), caller("777", platform="discord")):
        listing = (await svc.nodes.list_nodes(who)).message
        detail = (await svc.nodes.detail(who, "rig-1")).message
        for message in (listing, detail):
            assert shown in message.plain()
            html = "".join(c.text for c in telegram_render.render(message))
            # Discord's markdown escapes the parentheses
            embeds = str([p.as_json() for p in discord_render.render(message)]).replace("\\", "")
            assert shown in html and shown in embeds and "offline alerts are held" in html

    # once it is over, the line goes away
    tracker2026.gonka_latest = era2026_latest()
    await make_poller(cfg, pool, db_url).poll_cycle()
    listing = (await svc.nodes.list_nodes(caller("555"))).message
    assert "Confirmation PoC" not in listing.plain()


async def test_a_poisoned_hyperfusion_row_skips_only_itself_in_the_2025_shape(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    assert tracker.hyperfusion is not None
    parts = {p["address"]: p for p in tracker.hyperfusion["participants"]}
    parts[HF1]["current_epoch_stats"] = "not an object"
    parts[HF3]["weight"] = 10**15
    ids = await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    report = await poller.poll_cycle()
    assert [(s.source, s.ok) for s in report.sources] == [("hyperfusion", True)]
    got = await cache(pool)
    one = got[ids[HF1]]
    assert (one["status"], one["status_reason"]) == ("unknown", "participant row unreadable")
    assert (got[ids[HF3]]["status"], got[ids[HF3]]["voting_weight"]) == ("healthy", None)
    skipped = "minegnk_tracker_rows_skipped_total"
    assert metric(poller, skipped, source="hyperfusion", reason="current_epoch_stats") == 1
    clamped = "minegnk_tracker_values_out_of_range_total"
    assert metric(poller, clamped, source="hyperfusion", field="weight") == 1
