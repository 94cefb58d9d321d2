"""Hyperfusion's public gonka-tracker deployment: ``GET /api/v1/inference/current`` and rewards.

One bulk call per cycle gives every current-epoch participant with jail, health, chain status and
missed rate (never ``?reload=true``: it forces the tracker to re-read the whole chain). Rewards of the
previous five epochs come from ``/api/v1/participants/{address}?epoch_id=`` in integer GNK.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, Field, TypeAdapter
from pydantic.dataclasses import dataclass
from pydantic_core import from_json

from bot.domain.network import PocSchedule
from bot.domain.node_stats import NGONKA_PER_GNK, ParticipantView, SkippedRows, SourceSnapshot
from integrations.chain_decimal import ChainDecimal
from integrations.errors import InconsistentPayloadError
from integrations.http import JsonFetcher
from integrations.jsonstream import parse_object_streaming
from integrations.payload import LENIENT, field_labels, tolerant, whole

SOURCE = "hyperfusion"
CURRENT_PATH = "/api/v1/inference/current"


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochStats:
    inference_count: int | None = None
    missed_requests: int | None = None
    earned_coins: int | None = None
    rewarded_coins: int | None = None
    validated_inferences: int | None = None
    invalidated_inferences: int | None = None
    #: chain Decimals: camelCase on the chain (``confirmationPoCRatio``, ``invalidLLR``, ``inactiveLLR``)
    confirmation_poc_ratio: ChainDecimal = Field(
        default=None, validation_alias=AliasChoices("confirmation_poc_ratio", "confirmationPoCRatio")
    )
    invalid_llr: ChainDecimal = Field(
        default=None, validation_alias=AliasChoices("invalidLLR", "invalid_llr")
    )
    inactive_llr: ChainDecimal = Field(
        default=None, validation_alias=AliasChoices("inactiveLLR", "inactive_llr")
    )


@dataclass(frozen=True, slots=True, config=LENIENT)
class Participant:
    address: str = Field(validation_alias=AliasChoices("address", "index"))
    weight: int | None = None
    validator_key: str | None = None
    inference_url: str | None = None
    status: str | None = None
    models: tuple[str, ...] | None = None
    current_epoch_stats: EpochStats | None = None
    is_jailed: bool | None = None
    jailed_until: datetime | None = None
    ready_to_unjail: bool | None = None
    node_healthy: bool | None = None
    ml_nodes_map: dict[str, Any] | None = None
    confirmation_poc_ratio: ChainDecimal = Field(
        default=None, validation_alias=AliasChoices("confirmation_poc_ratio", "confirmationPoCRatio")
    )
    participant_status: str | None = None
    missed_rate: float | None = None
    invalidation_rate: float | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class CurrentHead:
    """``/inference/current`` without its participants."""

    epoch_id: int
    height: int | None = None
    is_current: bool | None = None
    current_block_height: int | None = None
    avg_block_time: float | None = None
    next_poc_start_block: int | None = None
    set_new_validators_block: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class Reward:
    epoch_id: int
    assigned_reward_gnk: int | None = None
    claimed: bool | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ParticipantDetails:
    rewards: tuple[Reward, ...] | None = None


_PARTICIPANT = TypeAdapter(Participant)
_HEAD = TypeAdapter(CurrentHead)
#: bodies up to this size are validated in one go (fast); larger ones are streamed (bounded memory)
WHOLE_BODY_LIMIT = 16 << 20
#: participants validated between two yields to the event loop (docs/performance.md: the cost)
YIELD_EVERY = 500
_DETAILS = TypeAdapter(ParticipantDetails)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.year <= 1970:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _shared(value: tuple[str, ...] | None, pool: dict[tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    """One tuple object (of interned strings) per distinct value: 100,000 participants share a few."""
    if not value:
        return ()
    got = pool.get(value)
    if got is None:
        got = pool[value] = tuple(sys.intern(x) for x in value)
    return got


def to_view(p: Participant, pool: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> ParticipantView:
    pool = {} if pool is None else pool
    stats = p.current_epoch_stats
    cpr = p.confirmation_poc_ratio
    if cpr is None and stats is not None:
        cpr = stats.confirmation_poc_ratio
    return ParticipantView(
        address=p.address,
        is_jailed=p.is_jailed,
        jailed_until=_utc(p.jailed_until),
        ready_to_unjail=p.ready_to_unjail,
        chain_status=sys.intern(status) if (status := p.participant_status or p.status) else None,
        node_healthy=p.node_healthy,
        missed_rate=p.missed_rate,
        invalidation_rate=p.invalidation_rate,
        confirmation_poc_ratio=cpr,
        invalid_llr=stats.invalid_llr if stats else None,
        inactive_llr=stats.inactive_llr if stats else None,
        weight=p.weight,
        models=_shared(p.models, pool),
        ml_nodes=_shared(tuple(p.ml_nodes_map), pool) if p.ml_nodes_map else None,
        validator_key=p.validator_key,
        inference_count=stats.inference_count if stats else None,
        earned_coins=stats.earned_coins if stats else None,
    )


def schedule_of(head: CurrentHead) -> PocSchedule | None:
    """The chain height, the next PoC's start and Hyperfusion's average block time."""
    if head.current_block_height is None or head.next_poc_start_block is None:
        return None
    block_time = head.avg_block_time
    return PocSchedule(
        block_height=head.current_block_height,
        next_poc_height=head.next_poc_start_block,
        # a float on the wire; kept to the millisecond the column holds
        avg_block_time_s=None
        if block_time is None or block_time <= 0
        else Decimal(str(round(block_time, 3))),
    )


def poc_phase(head: CurrentHead) -> bool | None:
    """PoC runs from ``next_poc_start_block`` until ``set_new_validators_block``."""
    if head.current_block_height is None or head.next_poc_start_block is None:
        return None
    end = head.set_new_validators_block
    return head.next_poc_start_block <= head.current_block_height and (
        end is None or head.current_block_height < end
    )


async def parse_whole(body: bytes, on_item: Callable[[Any], None]) -> CurrentHead:
    """A body that fits in memory: JSON-decoded in one C call, then validated participant by
    participant, handing the event loop back every :data:`YIELD_EVERY` so that commands keep flowing
    while a big payload is mapped."""
    doc = from_json(body)
    if not isinstance(doc, dict):
        raise ValueError(f"expected a JSON object, got {type(doc).__name__}")
    participants = doc.pop("participants", None)
    head = _HEAD.validate_python(doc)
    if participants is None:
        return head
    if not isinstance(participants, list):
        raise ValueError(f"participants: expected a list, got {type(participants).__name__}")
    for i, item in enumerate(participants, 1):
        on_item(item)
        if i % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    return head


class HyperfusionClient:
    name = SOURCE

    def __init__(self, fetcher: JsonFetcher) -> None:
        self._fetch = fetcher

    async def poll(self) -> SourceSnapshot:
        views: dict[str, ParticipantView] = {}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        skipped = SkippedRows()
        validate = tolerant(_PARTICIPANT.validate_python, field_labels(Participant), skipped)

        def on_item(item: Any) -> None:
            # validated and normalised one by one: no list of payload objects is ever held; a row
            # that fails validation is skipped and recorded, never the reason the payload fails
            p = validate(item)
            if p is not None:
                view = to_view(p, shared)
                views[view.address] = view

        async def parse(chunks: AsyncIterator[bytes]) -> CurrentHead:
            views.clear()  # a retried attempt starts over
            skipped.clear()
            buffered: list[bytes] = []
            size = 0
            async for chunk in chunks:
                buffered.append(chunk)
                size += len(chunk)
                if size > WHOLE_BODY_LIMIT:
                    break
            else:
                return await parse_whole(b"".join(buffered), on_item)

            async def rest() -> AsyncIterator[bytes]:
                for chunk in buffered:
                    yield chunk
                async for chunk in chunks:
                    yield chunk

            return _HEAD.validate_python(await parse_object_streaming(rest(), ("participants",), on_item))

        head = await self._fetch.get(CURRENT_PATH, parse)
        if head.is_current is False:
            raise InconsistentPayloadError(SOURCE, f"epoch {head.epoch_id} is not the current one")
        if not views:
            raise InconsistentPayloadError(SOURCE, f"no participants in epoch {head.epoch_id}")
        return SourceSnapshot(
            source=SOURCE,
            epoch_id=head.epoch_id,
            fetched_at=datetime.now(UTC),
            participants=views,
            poc_phase=poc_phase(head),
            reports_health=True,
            skipped=skipped,
            schedule=schedule_of(head),
        )

    async def settled_income(self, address: str, epoch_id: int) -> dict[int, int]:
        """Income (ngonka, from integer GNK) of the epochs before ``epoch_id`` that Hyperfusion lists."""
        details = await self._fetch.get(
            f"/api/v1/participants/{address}", whole(_DETAILS), params={"epoch_id": str(epoch_id)}
        )
        return {
            r.epoch_id: r.assigned_reward_gnk * NGONKA_PER_GNK
            for r in details.rewards or ()
            if r.assigned_reward_gnk is not None and r.assigned_reward_gnk >= 0 and r.epoch_id < epoch_id
        }
