"""Payload models accept what the recordings show; the streaming parser survives any chunking."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.network import PocSchedule
from integrations import gonka_api, hyperfusion
from integrations.errors import SourceDisabledError
from integrations.hashiro import HashiroClient
from integrations.jsonstream import parse_object_streaming
from tests.fakes.tracker_data import DATA


async def chunked(body: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


async def stream(body: bytes, path: tuple[str, ...], size: int = 7) -> tuple[dict[str, Any], list[Any]]:
    items: list[Any] = []
    head = await parse_object_streaming(chunked(body, size), path, items.append)
    return head, items


@pytest.mark.parametrize("size", [1, 3, 64, 1 << 20])
async def test_streaming_matches_json_loads_at_any_chunk_size(size: int) -> None:
    body = (DATA / "hyperfusion-inference.json").read_bytes()
    head, items = await stream(body, ("participants",), size)
    whole = json.loads(body)
    assert items == whole.pop("participants")
    assert head == {**whole, "participants": []}


async def test_streaming_a_nested_array() -> None:
    body = (DATA / "gonka-participants.json").read_bytes()
    head, items = await stream(body, ("active_participants", "participants"))
    assert [p["index"] for p in items] == [
        p["index"] for p in json.loads(body)["active_participants"]["participants"]
    ]
    assert head["active_participants"]["epoch_id"] == 105


async def test_a_number_split_across_chunks_is_read_whole() -> None:
    head, items = await stream(b'{"epoch_id": 123456789, "participants": [1, 23456]}', ("participants",), 2)
    assert head["epoch_id"] == 123456789 and items == [1, 23456]


@pytest.mark.parametrize("cut", [10, 100, 2000, -2])
async def test_truncated_json_is_an_error(cut: int) -> None:
    body = (DATA / "hyperfusion-inference.json").read_bytes()[:cut]
    with pytest.raises(ValueError):
        await stream(body, ("participants",))


def test_hyperfusion_participant_accepts_strings_ints_nulls_and_camel_case() -> None:
    p = hyperfusion._PARTICIPANT.validate_python(
        {
            "index": "gonka1x",
            "weight": "521",
            "currentEpochStats": {"inferenceCount": 14, "missedRequests": "2", "confirmationPoCRatio": "0.4"},
            "is_jailed": None,
            "missedRate": "0.0541",
            "jailed_until": "2025-12-08T13:50:02.123456789Z",
            "unknown_new_field": {"x": 1},
        }
    )
    assert p.address == "gonka1x" and p.weight == 521 and p.missed_rate == 0.0541
    assert p.current_epoch_stats is not None
    assert p.current_epoch_stats.inference_count == 14 and p.current_epoch_stats.missed_requests == 2
    view = hyperfusion.to_view(p)
    assert view.is_jailed is None and view.confirmation_poc_ratio == Decimal("0.4")
    assert view.jailed_until is not None and view.jailed_until.tzinfo is not None


def test_performance_summary_accepts_the_recorded_camel_case_wrapper() -> None:
    env = gonka_api._SUMMARY.validate_json(
        (DATA / "epoch_performance_summary_53_gonka14cu38x.json").read_bytes()
    )
    assert env.epoch_performance_summary is not None
    assert env.epoch_performance_summary.rewarded_coins == 48552031736571
    snake = gonka_api._SUMMARY.validate_python({"epoch_performance_summary": {"rewarded_coins": 5}})
    assert snake.epoch_performance_summary is not None and snake.epoch_performance_summary.rewarded_coins == 5


def test_recorded_chain_participants_parse() -> None:
    data = json.loads((DATA / "all_participants_height_887711.json").read_text())
    parsed = [gonka_api._CHAIN_PARTICIPANT.validate_python(p) for p in data["participant"]]
    statuses = {p.status for p in parsed}
    assert statuses <= {"ACTIVE", "RAMPING", "INACTIVE", "INVALID"} and len(parsed) == len(
        data["participant"]
    )


def test_hyperfusion_poc_window_from_block_heights() -> None:
    head = hyperfusion._HEAD.validate_python(
        {
            "epoch_id": 1,
            "current_block_height": 100,
            "next_poc_start_block": 90,
            "set_new_validators_block": 120,
        }
    )
    assert hyperfusion.poc_phase(head) is True
    recorded = hyperfusion._HEAD.validate_json((DATA / "hyperfusion-inference.json").read_bytes())
    assert hyperfusion.poc_phase(recorded) is False


async def test_hashiro_is_disabled_and_says_why() -> None:
    with pytest.raises(SourceDisabledError, match="no public API"):
        await HashiroClient().poll()


async def test_a_big_payload_is_mapped_in_slices_so_commands_keep_flowing() -> None:
    """Regression: 10,000 participants validated in one call held the event loop for the whole call."""
    import asyncio

    from tests.fakes.tracker_data import synthetic_hyperfusion

    n = 4 * hyperfusion.YIELD_EVERY
    body = json.dumps(synthetic_hyperfusion(n)).encode()
    seen: list[Any] = []
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    head = await hyperfusion.parse_whole(body, seen.append)
    during = ticks
    task.cancel()
    assert len(seen) == n and head.epoch_id is not None
    assert during >= 4  # the loop ran other work between slices


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"epoch_id": 1, "participants": {"a": 1}}', b'{"participants": []}', b"{not json"],
)
async def test_a_whole_body_of_the_wrong_shape_is_an_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        await hyperfusion.parse_whole(body, lambda item: None)


def test_the_next_poc_is_read_from_both_recorded_sources() -> None:
    head = hyperfusion._HEAD.validate_json((DATA / "hyperfusion-inference.json").read_bytes())
    assert hyperfusion.schedule_of(head) == PocSchedule(1634323, 1642801, Decimal("6.02"))
    latest = gonka_api._LATEST.validate_json((DATA / "gonka-epochs-latest.json").read_bytes())
    # the chain's own endpoint gives heights only: the block time is measured (bot.db.network_state)
    assert gonka_api.schedule_of(latest) == PocSchedule(1634326, 1642801, None)
