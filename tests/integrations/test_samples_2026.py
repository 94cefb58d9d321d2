"""Every 2026 participant, params, summary, exclusion and epoch sample parses with the production
models, Decimal values exact to the last digit (files: tests/data/trackers/2026, origins in README)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from bot.config import TrackersConfig
from bot.domain.chain_params import FROM_EPOCH, FROM_PARAMS, ChainThresholds, resolve
from bot.domain.network import ConfirmationPoC
from bot.domain.node_stats import SkippedRows
from bot.poller.chain_thresholds import config_thresholds
from integrations import chain_params, gonka_api
from integrations.jsonstream import parse_object_streaming
from integrations.payload import validate_items_tolerant
from tests.fakes.tracker_data import DATA_2026


def raw(name: str) -> bytes:
    return (DATA_2026 / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


async def one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


# -- participants ---------------------------------------------------------------------------------


async def test_chain_participant_bulk_parses_every_row_exactly() -> None:
    rows: list[gonka_api.ChainParticipant] = []
    skipped = SkippedRows()
    on_item = validate_items_tolerant(gonka_api._CHAIN_PARTICIPANT, gonka_api.ChainParticipant, rows, skipped)
    head = await parse_object_streaming(
        one_chunk(raw("chain_participant_bulk.DERIVED.json")), ("participant",), on_item
    )
    assert not skipped and head["pagination"]["next_key"] is None
    by = {r.address: r for r in rows}
    active = by["gonka16dgkvx7mh609ntkzknckwaskgq9lcdp86j0skk"]
    assert active.status == "ACTIVE" and active.current_epoch_stats is not None
    s = active.current_epoch_stats
    assert (s.confirmation_poc_ratio, s.invalid_llr, s.inactive_llr) == (
        Decimal(1),
        Decimal("1.265406437825"),
        0,
    )
    assert (s.inference_count, s.missed_requests, s.invalidated_inferences) == (9120, 35, 130)
    inactive = by["gonka1j7x6dv42xehe9e5au4ku3wvzwtqlegfjhlvzj6"]
    assert inactive.status == "INACTIVE" and inactive.current_epoch_stats is not None
    assert inactive.current_epoch_stats.confirmation_poc_ratio == Decimal("0.0057419461588255")
    fresh = by["gonka1qqyc9gsld2666kpunherra8rx2efwg4v8wafg3"].current_epoch_stats
    assert fresh is not None and fresh.confirmation_poc_ratio is None  # no cPoC yet this epoch


def test_chain_participant_single_parses_exactly() -> None:
    p = TypeAdapter(gonka_api.ChainParticipant).validate_python(
        doc("chain_participant_single.DERIVED.json")["participant"]
    )
    assert p.address == "gonka1j7x6dv42xehe9e5au4ku3wvzwtqlegfjhlvzj6" and p.status == "INACTIVE"
    assert p.current_epoch_stats is not None
    assert p.current_epoch_stats.confirmation_poc_ratio == Decimal("0.0057419461588255")
    assert (p.current_epoch_stats.invalid_llr, p.current_epoch_stats.inactive_llr) == (0, 0)


def test_dapi_v2_participant_numbers_enum_and_empty_decimals_parse() -> None:
    p = TypeAdapter(gonka_api.ChainParticipant).validate_python(
        doc("dapi_v2_participant.DERIVED.json")["participant"]
    )
    assert p.status == "INACTIVE"  # the enum as its number, 2
    s = p.current_epoch_stats
    assert s is not None and s.confirmation_poc_ratio == Decimal("0.0057419461588255")
    assert (s.invalid_llr, s.inactive_llr) == (Decimal(0), Decimal(0))  # {} is a zero Decimal


# -- params ---------------------------------------------------------------------------------------


def test_live_params_2026_09_parse_exactly() -> None:
    p = chain_params.PARAMS.validate_json(raw("chain_inference_params_live_2026-09.json")).params
    assert p.confirmation_poc_params is not None and p.validation_params is not None
    assert p.confirmation_poc_params.alpha_threshold == Decimal("0.5")
    assert p.confirmation_poc_params.slash_fraction == 0
    v = p.validation_params
    assert (v.invalidation_h_threshold, v.bad_participant_invalidation_rate) == (Decimal(40), Decimal("0.18"))
    assert (v.downtime_h_threshold, v.quick_failure_threshold) == (Decimal(10**9), Decimal("0.000001"))
    assert (v.false_positive_rate, v.downtime_good_percentage) == (Decimal("0.05"), Decimal("0.99"))
    assert p.collateral_params is not None and p.collateral_params.grace_period_end_epoch == 180
    assert p.collateral_params.collateral_per_weight_unit == Decimal("4.2")
    assert p.collateral_params.slash_fraction_invalid == Decimal("0.2")
    assert p.delegation_params is not None
    assert (p.delegation_params.no_participation_penalty, p.delegation_params.refusal_penalty) == (
        Decimal("0.15"),
        Decimal("0.1"),
    )
    assert p.poc_params is not None and p.poc_params.models is not None
    models = {m.model_id: m for m in p.poc_params.models}
    flash = models["deepseek-ai/DeepSeek-V4-Flash-0731"]
    assert (flash.penalty_start_epoch, flash.weight_scale_factor) == (360, Decimal("0.246"))
    assert p.epoch_params is not None and p.epoch_params.poc_slot_allocation == Decimal("0.1")


# -- settled summaries ----------------------------------------------------------------------------


def test_performance_summary_366_normal_host_is_exact() -> None:
    s = gonka_api._SUMMARY.validate_json(raw("chain_epoch_performance_summary_366_gonka1gvrrhj.json"))
    row = s.epoch_performance_summary
    assert row is not None
    assert (row.epoch_index, row.rewarded_coins, row.earned_coins) == (366, 50502651190766, 1009087205)
    assert row.claimed is True


def test_performance_summary_366_invalidated_host_is_zero_and_unclaimed() -> None:
    s = gonka_api._SUMMARY.validate_json(raw("chain_epoch_performance_summary_366_gonka1scskt.json"))
    row = s.epoch_performance_summary
    assert row is not None and (row.rewarded_coins, row.earned_coins, row.claimed) == (0, 0, False)


def test_bulk_performance_summary_276_parses_every_row() -> None:
    body = doc("chain_epoch_performance_summary_bulk_276.trimmed.json")["epochPerformanceSummary"]
    rows = {r.participant_id: r for r in (gonka_api._SUMMARY_ROW.validate_python(b) for b in body)}
    assert len(rows) == 6 and {r.epoch_index for r in rows.values()} == {276}
    assert rows["gonka1qa90tgczc0k5dvk4l5nvlf5y6phgm6mg22sfjv"].rewarded_coins == 28717385573292
    assert sum(r.rewarded_coins or 0 for r in rows.values()) == 164805656087 + 28717385573292 + 43384023411292
    assert [r.claimed for r in rows.values() if r.rewarded_coins == 0] == [False, False, False]


# -- exclusions -----------------------------------------------------------------------------------


def excluded(name: str) -> tuple[gonka_api.Excluded, ...]:
    return TypeAdapter(tuple[gonka_api.Excluded, ...]).validate_python(doc(name)["items"])


def test_excluded_participants_366_with_reasons() -> None:
    items = excluded("chain_excluded_participants_366.json")
    assert len(items) == 7
    by = {i.address: i for i in items}
    scskt = by["gonka1scskt6wpnjnumsah6kjphmdu87vjgvcxmn4rxv"]
    assert (scskt.reason, scskt.exclusion_block_height) == ("statistical_invalidations", 5652288)
    assert {i.reason for i in items} == {"failed_confirmation_poc", "statistical_invalidations"}


def test_excluded_participants_250_has_consecutive_failures() -> None:
    items = excluded("chain_excluded_participants_250.json")
    assert len(items) == 17
    assert sum(i.reason == "consecutive_failures" for i in items) == 3
    assert min(i.exclusion_block_height or 0 for i in items) == 3859512


def test_dapi_excluded_fragment_parses_with_the_client_model() -> None:
    body = doc("dapi_epochs_participants_excluded_fragment.DERIVED.json")["excluded_participants"]
    items = TypeAdapter(tuple[gonka_api.Excluded, ...]).validate_python(body)
    assert [(i.reason, i.exclusion_block_height) for i in items] == [
        ("statistical_invalidations", 5652288),
        ("failed_confirmation_poc", 5648631),
    ]


# -- epochs ---------------------------------------------------------------------------------------


def test_epoch_group_data_366_root_has_the_frozen_validation_params() -> None:
    g = chain_params.EPOCH_GROUP.validate_json(
        raw("chain_epoch_group_data_366_root.trimmed.json")
    ).epoch_group_data
    assert g is not None and g.validation_params is not None and g.model_id == ""
    v = g.validation_params
    assert (v.invalidation_h_threshold, v.bad_participant_invalidation_rate) == (Decimal(4), Decimal("0.1"))
    assert (v.downtime_h_threshold, v.downtime_good_percentage) == (Decimal(100), Decimal("0.98"))
    assert g.validation_weights is not None
    w = {x.member_address: x for x in g.validation_weights}["gonka10thh6z0wvq9c05j4z3f9qtpxxedruqn5ae350k"]
    assert (w.weight, w.confirmation_weight, w.reputation) == (14528, 8592, 47)
    # resolved against today's params: the epoch's frozen SPRT thresholds win, alpha comes from params
    params = chain_params.PARAMS.validate_json(raw("chain_inference_params_live_2026-09.json")).params
    assert params.validation_params is not None and params.confirmation_poc_params is not None
    chain = ChainThresholds(
        366, params.confirmation_poc_params.alpha_threshold, v.sprt(), params.validation_params.sprt()
    )
    t = resolve(chain, config_thresholds(TrackersConfig()))
    assert (t.invalidation_h, t.downtime_h, t.sprt_origin) == (Decimal(4), Decimal(100), FROM_EPOCH)
    assert (t.cpoc_alpha, t.cpoc_alpha_origin) == (Decimal("0.5"), FROM_PARAMS)


def test_epoch_group_data_267_model_subgroup_has_no_validation_params() -> None:
    body = raw("chain_epoch_group_data_267_model_kimi.trimmed.json")
    g = chain_params.EPOCH_GROUP.validate_json(body).epoch_group_data
    assert g is not None and g.validation_params is None and g.model_id == "moonshotai/Kimi-K2.6"
    assert (g.epoch_index, g.total_weight) == (267, 658820)


def test_confirmation_poc_events_267() -> None:
    body = doc("chain_confirmation_poc_events_267.json")["events"]
    events = TypeAdapter(tuple[gonka_api.ConfirmationPoCEvent, ...]).validate_python(body)
    assert [(e.event_sequence, e.phase) for e in events] == [
        (i, "CONFIRMATION_POC_COMPLETED") for i in range(4)
    ]
    assert events[1].generation_start_height == 4130087 and events[1].trigger_height == 4130085


def test_epochs_latest_during_cpoc_v0_2_14_phase_as_a_number() -> None:
    latest = gonka_api._LATEST.validate_json(
        raw("dapi_v1_epochs_latest_cpoc_active.v0.2.14.fragment.DERIVED.json")
    )
    assert latest.latest_epoch.index == 267 and latest.block_height == 4130090
    assert gonka_api.confirmation_poc(latest) == ConfirmationPoC(True, "generation", 267, 1)


def test_epochs_latest_during_cpoc_v0_2_15_phase_as_a_name_numbers_as_strings() -> None:
    latest = gonka_api._LATEST.validate_json(
        raw("dapi_v1_epochs_latest_cpoc_active.v0.2.15.fragment.DERIVED.json")
    )
    assert latest.latest_epoch.index == 267 and latest.block_height == 4130090
    assert gonka_api.confirmation_poc(latest) == ConfirmationPoC(True, "generation", 267, 1)
