"""One poll cycle against real PostgreSQL and the local tracker: recorded samples, faults, writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.db.nodes import upsert_node
from bot.db.types import Pool
from bot.domain.identifiers import OPERATOR_HRP, convert_hrp, valcons_from_pubkey
from bot.domain.status import NodeStatus
from tests.bot.poller.conftest import HF1, HF2, HF3, RecordingObserver, make_poller, metric, tracker_config
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_server import TrackerServer


async def add_nodes(pool: Pool, *identifiers: tuple[str, str]) -> dict[str, object]:
    ids = {}
    for ident, typ in identifiers:
        node, _ = await upsert_node(pool, ident, typ)  # type: ignore[arg-type]
        ids[ident] = node.id
    return ids


async def cache(pool: Pool) -> dict[object, dict[str, object]]:
    return {r["node_id"]: dict(r) for r in await pool.fetch("SELECT * FROM node_stats_cache")}


async def test_recorded_hyperfusion_sample_maps_to_status_and_fields(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"), (HF2, "wallet"), (HF3, "wallet"))
    rec = RecordingObserver()
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url, rec)
    report = await poller.poll_cycle()
    rows = await cache(pool)
    one = rows[ids[HF1]]
    assert one["status"] == "healthy" and one["source"] == "hyperfusion" and one["epoch_id"] == 105
    assert one["voting_weight"] == Decimal(3965) and one["jobs_day"] == 6
    assert one["active_model"] == "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"
    assert one["uptime_percent"] == Decimal("100.00") and one["ready_to_unjail"] is False
    assert one["details"]["epoch_earned_ngonka"] == "3805" and one["details"]["ml_nodes"] == ["node1"]
    # is_jailed: null is unknown, never healthy
    assert rows[ids[HF2]]["status"] == "unknown" and rows[ids[HF2]]["status_reason"] == "jail status unknown"
    three = rows[ids[HF3]]
    assert three["status"] == "healthy" and three["uptime_percent"] == Decimal("94.59")
    by_node = {o.node_id: o for o in report.observations}
    assert by_node[ids[HF2]].status is NodeStatus.UNKNOWN and by_node[ids[HF1]].status is NodeStatus.HEALTHY
    assert report.poc_phase is False and report.epoch_id == 105
    assert [(s.source, s.ok) for s in report.sources] == [("hyperfusion", True)]
    assert rec.reports == [report]


async def test_missed_rate_threshold_is_config(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    ids = await add_nodes(pool, (HF3, "wallet"))
    cfg = tracker_config(db_url, tracker.url, missed_rate_threshold=0.05)
    await make_poller(cfg, pool, db_url).poll_cycle()
    row = (await cache(pool))[ids[HF3]]
    assert (row["status"], row["status_reason"]) == ("unhealthy", "missed requests")


async def test_every_identifier_type_maps_locally_with_one_request_per_bulk_endpoint(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    key = "f0pIRnCz3CR8Llv/A8dMkyGITRDp0ukI7+5dhHQWk1Y="
    ids = await add_nodes(
        pool,
        (HF1, "wallet"),
        (convert_hrp(HF1, OPERATOR_HRP), "operator"),
        (key, "validator"),
        (valcons_from_pubkey(key), "validator"),
        (f"{HF1}:node1", "node_id"),
        (f"{HF1}:node7", "node_id"),
    )
    cfg = tracker_config(db_url, tracker.url, sources=("hyperfusion", "gonka_api"))
    await make_poller(cfg, pool, db_url).poll_cycle()
    rows = await cache(pool)
    statuses = {ident: rows[i]["status"] for ident, i in ids.items()}
    assert statuses.pop(f"{HF1}:node7") == "offline"
    assert set(statuses.values()) == {"healthy"}
    assert rows[ids[f"{HF1}:node7"]]["status_reason"] == "ML node not in epoch"
    assert tracker.requests == {
        ts.HF_CURRENT: 1,
        ts.GA_PARTICIPANTS: 1,
        ts.GA_LATEST: 1,
        ts.GA_CHAIN: 1,
        ts.GA_VALIDATORS: 1,
        ts.GA_PARAMS: 1,  # the chain's thresholds, once per epoch (NotFound here: config is used)
    }
    assert tracker.user_agents == {cfg.trackers.user_agent}


async def test_gonka_api_decides_where_hyperfusion_cannot(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF2, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("hyperfusion", "gonka_api"))
    await make_poller(cfg, pool, db_url).poll_cycle()
    row = (await cache(pool))[ids[HF2]]
    assert (row["status"], row["source"]) == ("healthy", "gonka_api")


async def test_jailed_validator_from_the_staking_module(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    from tests.fakes.tracker_data import synthetic_validators

    assert tracker.hyperfusion is not None
    tracker.validators = synthetic_validators(tracker.hyperfusion, jailed={HF1})
    ids = await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("gonka_api",))
    await make_poller(cfg, pool, db_url).poll_cycle()
    row = (await cache(pool))[ids[HF1]]
    assert (row["status"], row["status_reason"], row["source"]) == ("jailed", "validator jailed", "gonka_api")


async def test_validators_are_read_across_pages(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    tracker.validators_page = 1
    ids = await add_nodes(pool, (HF3, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("gonka_api",))
    await make_poller(cfg, pool, db_url).poll_cycle()
    assert (await cache(pool))[ids[HF3]]["status"] == "healthy"
    assert tracker.requests[ts.GA_VALIDATORS] == 3


async def test_absent_from_every_successful_payload_is_offline(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ghost = "gonka1qr87yhkk79lyzvartvmauz3d0ezltdvtvujev8"
    ids = await add_nodes(pool, (ghost, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("hyperfusion", "gonka_api"))
    report = await make_poller(cfg, pool, db_url).poll_cycle()
    row = (await cache(pool))[ids[ghost]]
    assert (row["status"], row["status_reason"]) == ("offline", "not in epoch")
    assert report.changed == (ids[ghost],)


async def test_excluded_participant_is_offline_with_the_reason(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    assert tracker.gonka_participants is not None
    tracker.gonka_participants["excluded_participants"] = [
        {"address": HF1, "reason": "cPoC failed", "exclusion_block_height": 1642990}
    ]
    ids = await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("gonka_api",))
    await make_poller(cfg, pool, db_url).poll_cycle()
    row = (await cache(pool))[ids[HF1]]
    assert (row["status"], row["status_reason"]) == ("offline", "excluded from epoch: cPoC failed")


async def test_poc_phase_is_reported(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    assert tracker.gonka_latest is not None
    tracker.gonka_latest["phase"] = "PoCGenerate"
    await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=("hyperfusion", "gonka_api"))
    report = await make_poller(cfg, pool, db_url).poll_cycle()
    assert report.poc_phase is True


async def test_health_failures_count_up_to_offline(pool: Pool, db_url: str, tracker: TrackerServer) -> None:
    assert tracker.hyperfusion is not None
    tracker.hyperfusion["participants"][0]["node_healthy"] = False
    ids = await add_nodes(pool, (HF1, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url, offline_after_health_failures=3), pool, db_url)
    seen = []
    for _ in range(4):
        await poller.poll_cycle()
        row = (await cache(pool))[ids[HF1]]
        seen.append((row["status"], row["details"]["health_failures"]))
    assert seen == [("unhealthy", 1), ("unhealthy", 2), ("offline", 3), ("offline", 4)]
    tracker.hyperfusion["participants"][0]["node_healthy"] = True
    await poller.poll_cycle()
    row = (await cache(pool))[ids[HF1]]
    assert (row["status"], row["details"]["health_failures"]) == ("healthy", 0)


FAULTS = [
    ("timeout", {"kind": "timeout", "delay_s": 2}, "timeout"),
    ("5xx", {"kind": "status", "status": 502}, "http"),
    ("429", {"kind": "429", "retry_after": "1"}, "rate_limited"),
    ("truncated JSON", {"kind": "truncated"}, "bad_payload"),
    ("empty participant list", {"kind": "empty"}, "inconsistent"),
    ("epoch goes backwards", {"kind": "epoch_back"}, "inconsistent"),
]


@pytest.mark.parametrize(("name", "fault", "kind"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_a_fault_changes_no_status_and_is_counted(
    pool: Pool, db_url: str, tracker: TrackerServer, name: str, fault: dict[str, object], kind: str
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    rec = RecordingObserver()
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url, rec)
    await poller.poll_cycle()
    before = await cache(pool)
    tracker.fault(ts.HF_CURRENT, **fault)  # type: ignore[arg-type]
    report = await poller.poll_cycle()
    assert await cache(pool) == before  # status, fields and fetched_at untouched
    assert {o.status for o in report.observations} == {NodeStatus.UNKNOWN}
    assert all(o.reason == "no source answered: hyperfusion" for o in report.observations)
    assert report.sources[0].ok is False and report.changed == ()
    assert metric(poller, "minegnk_tracker_failures_total", source="hyperfusion", kind=kind) == 1
    assert metric(poller, "minegnk_tracker_polls_total", source="hyperfusion", outcome="failed") == 1
    assert metric(poller, "minegnk_nodes_by_status", status="unknown") == 2
    health = await pool.fetchrow("SELECT * FROM source_health WHERE source = 'hyperfusion'")
    assert health is not None and (health["polls_ok"], health["polls_failed"]) == (1, 1)
    assert ids  # the nodes exist; nothing about them changed


async def test_a_node_missing_from_one_source_is_not_offline(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(
        db_url, tracker.url, sources=("hyperfusion", "gonka_api"), gonka_api={"chain_api": False}
    )
    poller = make_poller(cfg, pool, db_url)
    await poller.poll_cycle()
    before = await cache(pool)
    assert before[ids[HF1]]["status"] == "healthy"
    tracker.fault(ts.HF_CURRENT, kind="missing", address=HF1)
    report = await poller.poll_cycle()
    # gonka_api still lists it (without jail data it cannot judge): the absence is not believed
    assert report.observations[0].status is NodeStatus.UNKNOWN
    assert report.observations[0].reason == "sources disagree"
    assert (await cache(pool))[ids[HF1]]["status"] == "healthy"
    assert metric(poller, "minegnk_tracker_disagreements_total", source="hyperfusion") == 1


async def test_is_jailed_null_changes_no_status_and_is_counted(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    before = await cache(pool)
    tracker.fault(ts.HF_CURRENT, kind="jailed_null", address=HF1)
    report = await poller.poll_cycle()
    assert report.observations[0].status is NodeStatus.UNKNOWN
    assert await cache(pool) == before and before[ids[HF1]]["status"] == "healthy"
    assert (
        metric(
            poller,
            "minegnk_tracker_unknown_verdicts_total",
            source="hyperfusion",
            reason="jail status unknown",
        )
        == 1
    )


async def test_gonka_api_fails_over_to_the_next_base_url(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    dead = "http://127.0.0.1:9"  # discard port: connection refused
    cfg = tracker_config(
        db_url, tracker.url, sources=("gonka_api",), gonka_api={"base_urls": [dead, tracker.url]}
    )
    await make_poller(cfg, pool, db_url).poll_cycle()
    assert (await cache(pool))[ids[HF1]]["status"] == "healthy"


async def test_the_observer_runs_in_the_cache_transaction(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await add_nodes(pool, (HF1, "wallet"), (HF3, "wallet"))
    rec = RecordingObserver(fail=True)
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url, rec)
    with pytest.raises(RuntimeError):
        await poller.poll_cycle()
    assert rec.cache_seen_in_tx == [2]  # it saw this cycle's rows inside the transaction...
    assert await pool.fetchval("SELECT count(*) FROM node_stats_cache") == 0  # ...which rolled back
    assert await pool.fetchval("SELECT count(*) FROM source_health") == 0


async def test_hashiro_enabled_is_a_failed_source_not_offline_nodes(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(db_url, tracker.url, sources=(), hashiro={"enabled": True}, priority=["hashiro"])
    poller = make_poller(cfg, pool, db_url)
    report = await poller.poll_cycle()
    assert report.sources[0].source == "hashiro" and not report.sources[0].ok
    assert "no public API" in (report.sources[0].error or "")
    assert (await cache(pool))[ids[HF1]]["status"] == "unknown"
    assert metric(poller, "minegnk_tracker_failures_total", source="hashiro", kind="disabled") == 1


async def test_a_node_added_between_cycles_is_polled_next_cycle(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    ids = await add_nodes(pool, (HF1, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    later = await add_nodes(pool, (HF3, "wallet"))
    report = await poller.poll_cycle()
    assert {o.node_id for o in report.observations} == {ids[HF1], later[HF3]}
    await pool.execute("DELETE FROM nodes WHERE id = $1", ids[HF1])
    report = await poller.poll_cycle()
    assert {o.node_id for o in report.observations} == {later[HF3]}


async def test_large_payloads_are_streamed_with_the_same_result(
    pool: Pool, db_url: str, tracker: TrackerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from integrations import hyperfusion

    monkeypatch.setattr(hyperfusion, "WHOLE_BODY_LIMIT", 1024)
    ids = await add_nodes(pool, (HF1, "wallet"), (HF2, "wallet"), (HF3, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    rows = await cache(pool)
    assert [rows[ids[a]]["status"] for a in (HF1, HF2, HF3)] == ["healthy", "unknown", "healthy"]
    assert rows[ids[HF3]]["uptime_percent"] == Decimal("94.59")
    tracker.fault(ts.HF_CURRENT, kind="truncated")
    await poller.poll_cycle()
    assert metric(poller, "minegnk_tracker_failures_total", source="hyperfusion", kind="bad_payload") == 1
    assert await cache(pool) == rows


async def test_without_an_observer_the_poller_keeps_source_health(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    await add_nodes(pool, (HF1, "wallet"))
    poller = make_poller(tracker_config(db_url, tracker.url), pool, db_url)
    await poller.poll_cycle()
    tracker.fault(ts.HF_CURRENT, kind="status", status=503)
    await poller.poll_cycle()
    await poller.poll_cycle()
    h = await pool.fetchrow("SELECT * FROM source_health WHERE source = 'hyperfusion'")
    assert h is not None
    assert (h["consecutive_failures"], h["polls_ok"], h["polls_failed"], h["last_epoch_id"]) == (2, 1, 2, 105)
    assert "HTTP 503" in h["last_error"] and h["last_ok_at"] is not None
    tracker.clear_faults()
    await poller.poll_cycle()
    assert await pool.fetchval("SELECT consecutive_failures FROM source_health") == 0


async def test_with_the_alert_engine_failures_are_counted_once_and_degrade_once(
    pool: Pool, db_url: str, tracker: TrackerServer
) -> None:
    from bot.alerts.engine import AlertEngine

    await add_nodes(pool, (HF1, "wallet"))
    cfg = tracker_config(db_url, tracker.url, degraded_after_failures=3)
    poller = make_poller(cfg, pool, db_url, AlertEngine(cfg))
    await poller.poll_cycle()
    tracker.fault(ts.HF_CURRENT, kind="status", status=503)
    for _ in range(4):
        await poller.poll_cycle()
    h = await pool.fetchrow("SELECT * FROM source_health WHERE source = 'hyperfusion'")
    assert h is not None and h["consecutive_failures"] == 4 and h["degraded"] is True
    assert (h["polls_ok"], h["polls_failed"], h["last_epoch_id"]) == (1, 4, 105)
    # never offline on a failed source: the node was seen, and its status has no row (ok, nothing pending)
    assert await pool.fetchval("SELECT count(*) FROM alert_nodes") == 1
    assert await pool.fetchval("SELECT count(*) FROM alert_state WHERE condition_group = 'status'") == 0
