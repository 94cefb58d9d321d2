"""The chain's settled income in bulk (one request per epoch) and its reward estimate, as the client
reads them from the local tracker serving the 2026 samples."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from integrations import gonka_api
from integrations.errors import SourceHTTPError
from integrations.gonka_api import GonkaApiClient, settled_epoch
from integrations.http import HttpSettings, JsonFetcher
from tests.fakes import tracker_server as ts
from tests.fakes.tracker_data import (
    era2026_bulk_summary,
    era2026_estimate,
    gonka_latest,
    recorded_2026,
)
from tests.fakes.tracker_server import TrackerServer

FAST = HttpSettings(timeout_s=2, retries=0, backoff_base_s=0.01, backoff_max_s=0.02, user_agent="test")
GVRRHJ = "gonka1gvrrhjmy4w4mayvs2s5l23edj8ertcmtd2v4zr"


@pytest_asyncio.fixture
async def chain() -> AsyncIterator[tuple[TrackerServer, GonkaApiClient]]:
    srv = TrackerServer()
    await srv.start()
    async with aiohttp.ClientSession() as session:
        try:
            yield srv, GonkaApiClient(JsonFetcher(session, "gonka_api", [srv.url], FAST))
        finally:
            await srv.stop()


async def test_the_real_bulk_summary_gives_every_participants_income_exactly(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    srv.bulk_summaries[276] = era2026_bulk_summary()
    got = await client.epoch_income(276)
    assert got is not None and not got.skipped
    assert got.income == {
        "gonka1qwfrtz9c7kcrfkrrlne2pkcye74mj6ce33xdkl": 164805656087,
        "gonka1qa90tgczc0k5dvk4l5nvlf5y6phgm6mg22sfjv": 28717385573292,
        "gonka1830lqug50lse998x2lakk4pj5ypfumz5pasz0y": 0,  # excluded: rewarded 0
        "gonka1gyk0aahvr3qeju4zx0nplfreej6cy4jjk8svc5": 0,
        "gonka1duuaqdx06sx8v2dzggltwwmqyuw8lvjkjq7xll": 43384023411292,
        "gonka1l8jd2nz92mnem0xwgwkltcw2952cnlphs5arsa": 0,
    }
    assert srv.requests[ts.GA_BULK_SUMMARY] == 1


async def test_rewarded_plus_earned_of_a_real_settled_host(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    row = recorded_2026("chain_epoch_performance_summary_366_gonka1gvrrhj.json")["epochPerformanceSummary"]
    srv.bulk_summaries[366] = {"epochPerformanceSummary": [row]}
    got = await client.epoch_income(366)
    assert got is not None and got.income == {GVRRHJ: 50502651190766 + 1009087205}


async def test_an_empty_summary_means_not_settled_yet(chain: tuple[TrackerServer, GonkaApiClient]) -> None:
    srv, client = chain
    assert await client.epoch_income(400) is None  # the fake serves an empty list
    assert srv.requests[ts.GA_BULK_SUMMARY] == 1


async def test_an_unreadable_row_is_skipped_and_named_not_the_summary(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    payload = era2026_bulk_summary()
    payload["epochPerformanceSummary"][1]["rewarded_coins"] = {"not": "a number"}
    srv.bulk_summaries[276] = payload
    got = await client.epoch_income(276)
    assert got is not None and len(got.income) == 5
    assert got.skipped.addresses == {"gonka1qa90tgczc0k5dvk4l5nvlf5y6phgm6mg22sfjv"}
    assert dict(got.skipped.counts) == {"rewarded_coins": 1}


async def test_a_row_naming_no_participant_is_skipped_and_unidentified(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    payload = era2026_bulk_summary()
    del payload["epochPerformanceSummary"][1]["participant_id"]
    srv.bulk_summaries[276] = payload
    got = await client.epoch_income(276)
    assert got is not None and len(got.income) == 5
    assert "gonka1qa90tgczc0k5dvk4l5nvlf5y6phgm6mg22sfjv" not in got.income
    assert dict(got.skipped.counts) == {"participant_id": 1} and got.skipped.unidentified == 1


async def test_a_failing_bulk_call_raises_for_the_fallback(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    srv.bulk_summaries[276] = era2026_bulk_summary()
    srv.fault(ts.GA_BULK_SUMMARY, "status", times=1)
    with pytest.raises(SourceHTTPError):
        await client.epoch_income(276)


async def test_the_estimate_reads_the_derived_shape_and_not_found_is_none(
    chain: tuple[TrackerServer, GonkaApiClient],
) -> None:
    srv, client = chain
    # DERIVED sample unchanged (its amounts are borrowed from gvrrhj's settled epoch 366)
    srv.estimates[GVRRHJ] = recorded_2026("chain_estimate_bitcoin_reward.DERIVED.json")
    got = await client.reward_estimate(GVRRHJ)
    assert got is not None
    assert (got.epoch_id, got.reward_ngonka, got.work_ngonka) == (366, 50502651190766, 1009087205)
    srv.estimates["gonka1other"] = era2026_estimate("gonka1other", 5, 0, epoch=367)
    other = await client.reward_estimate("gonka1other")
    assert other is not None and (other.epoch_id, other.reward_ngonka) == (367, 5)
    assert await client.reward_estimate("gonka1absent") is None  # NotFound: not in the active set


def test_the_last_epoch_is_settled_only_past_this_epochs_claim_money_height() -> None:
    body = gonka_latest()  # epoch 105, block 1634326, claim_money 1627716
    assert settled_epoch(gonka_api._LATEST.validate_python(body)) == 104
    body["block_height"] = body["epoch_stages"]["claim_money"] - 1  # PoC: 104 is not settled yet
    assert settled_epoch(gonka_api._LATEST.validate_python(body)) == 103
    assert settled_epoch(gonka_api._LATEST.validate_python({"latest_epoch": {"index": 105}})) == 104
