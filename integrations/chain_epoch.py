"""Per-epoch chain records: exclusions with their reasons, settled performance summaries, and the
epoch's confirmation PoC events (chain REST; real captures in ``tests/data/trackers/2026``).

``excluded_participants/{epoch}`` -> ``items[]{address, reason, exclusion_block_height (string),
epoch_index (string)}``; ``epoch_performance_summary/{epoch}[/{addr}]`` -> ``epochPerformanceSummary``
(a list in bulk, no pagination; one object per address); ``confirmation_poc_events/{epoch}`` ->
``events[]`` (the same event ``/v1/epochs/latest`` shows as ``active_confirmation_poc_event``).
Coins are integer ngonka (JSON strings).
"""

from __future__ import annotations

from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

from integrations.gonka_api import ConfirmationPoCEvent
from integrations.payload import LENIENT


@dataclass(frozen=True, slots=True, config=LENIENT)
class ExcludedItem:
    address: str
    #: failed_confirmation_poc, statistical_invalidations, consecutive_failures, downtime
    reason: str | None = None
    exclusion_block_height: int | None = None
    epoch_index: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ExcludedList:
    items: tuple[ExcludedItem, ...] = ()


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochSummaryRow:
    participant_id: str | None = None
    epoch_index: int | None = None
    inference_count: int | None = None
    missed_requests: int | None = None
    earned_coins: int | None = None
    rewarded_coins: int | None = None
    burned_coins: int | None = None
    validated_inferences: int | None = None
    invalidated_inferences: int | None = None
    claimed: bool | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochSummaryBulk:
    epoch_performance_summary: tuple[EpochSummaryRow, ...] = ()


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochSummaryOne:
    epoch_performance_summary: EpochSummaryRow | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ConfirmationPoCEvents:
    events: tuple[ConfirmationPoCEvent, ...] = ()


@dataclass(frozen=True, slots=True, config=LENIENT)
class CollateralModuleParams:
    """``/chain-api/productscience/inference/collateral/params`` -> ``params``."""

    unbonding_period_epochs: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class CollateralParamsEnvelope:
    params: CollateralModuleParams


EXCLUDED = TypeAdapter(ExcludedList)
SUMMARY_BULK = TypeAdapter(EpochSummaryBulk)
SUMMARY_ONE = TypeAdapter(EpochSummaryOne)
CPOC_EVENTS = TypeAdapter(ConfirmationPoCEvents)
COLLATERAL_PARAMS = TypeAdapter(CollateralParamsEnvelope)
