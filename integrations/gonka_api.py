"""The network's own API on public nodes (dapi ``/v1`` and Cosmos REST under ``/chain-api``).

Per cycle: ``/v1/epochs/current/participants`` (the active set, weights, models, ML nodes, exclusions)
and ``/v1/epochs/latest`` (epoch and phase); when ``chain_api`` is on, the chain participant list
(status, this epoch's counters) and the staking validators (``jailed``), each paginated in bulk. Base
URLs fail over. Settled income comes from the bulk ``epoch_performance_summary/{epoch}`` (one request per
settled epoch for every participant); ``epoch_performance_summary/{epoch}/{address}`` is the per-node
fallback. The current epoch's reward estimate is ``estimate_bitcoin_reward/{address}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, Field, TypeAdapter
from pydantic.dataclasses import dataclass

from bot.domain.chain_params import ChainThresholds
from bot.domain.identifiers import OPERATOR_HRP, convert_hrp
from bot.domain.network import ConfirmationPoC, PocSchedule
from bot.domain.node_stats import ParticipantView, SkippedRows, SourceSnapshot
from bot.errors import InvalidInputError
from integrations.chain_enums import (
    CONFIRMATION_POC_RUNNING,
    ConfirmationPoCPhase,
    ParticipantStatus,
    phase_label,
)
from integrations.chain_params import MlNode, fetch_chain_thresholds
from integrations.errors import InconsistentPayloadError, SourceHTTPError
from integrations.http import JsonFetcher
from integrations.hyperfusion import EpochStats
from integrations.jsonstream import parse_object_streaming
from integrations.payload import LENIENT, validate_items_tolerant, whole

SOURCE = "gonka_api"
PARTICIPANTS_PATH = "/v1/epochs/current/participants"
LATEST_PATH = "/v1/epochs/latest"
CHAIN_PARTICIPANTS_PATH = "/chain-api/productscience/inference/inference/participant"
VALIDATORS_PATH = "/chain-api/cosmos/staking/v1beta1/validators"
SUMMARY_PATH = "/chain-api/productscience/inference/inference/epoch_performance_summary/{epoch}/{address}"
BULK_SUMMARY_PATH = "/chain-api/productscience/inference/inference/epoch_performance_summary/{epoch}"
ESTIMATE_PATH = "/chain-api/productscience/inference/inference/estimate_bitcoin_reward/{address}"
MAX_PAGES = 50


@dataclass(frozen=True, slots=True, config=LENIENT)
class MlNodeGroup:
    ml_nodes: tuple[MlNode, ...] | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochParticipant:
    index: str = Field(validation_alias=AliasChoices("index", "address"))
    validator_key: str | None = None
    weight: int | None = None
    inference_url: str | None = None
    models: tuple[str, ...] | None = None
    ml_nodes: tuple[MlNodeGroup, ...] | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ActiveHead:
    epoch_id: int | None = None
    epoch_group_id: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class Excluded:
    address: str
    reason: str | None = None
    exclusion_block_height: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ParticipantsHead:
    active_participants: ActiveHead
    #: raw rows, validated one by one (:func:`excluded_rows`): a bad one is skipped, not the page
    excluded_participants: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class LatestEpoch:
    index: int


@dataclass(frozen=True, slots=True, config=LENIENT)
class ConfirmationPoCEvent:
    """``active_confirmation_poc_event``: numbers as numbers (v0.2.14) or strings (v0.2.15), the phase
    as its enum number (v0.2.14) or name (v0.2.15)."""

    epoch_index: int | None = None
    event_sequence: int | None = None
    trigger_height: int | None = None
    generation_start_height: int | None = None
    phase: ConfirmationPoCPhase = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochStages:
    """``epoch_stages`` (block heights; recorded 2025 body, the 2026 fragments keep it): the next
    PoC's start, and ``claim_money``, the height at which the last epoch's rewards settle."""

    epoch_index: int | None = None
    claim_money: int | None = None
    next_poc_start: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochsLatest:
    latest_epoch: LatestEpoch
    block_height: int | None = None
    phase: str | None = None
    is_confirmation_poc_active: bool | None = None
    #: absent when no confirmation PoC is under way
    active_confirmation_poc_event: ConfirmationPoCEvent | None = None
    epoch_stages: EpochStages | None = None


def schedule_of(latest: EpochsLatest) -> PocSchedule | None:
    """The chain height and the next PoC's start (this endpoint gives no block time)."""
    stages = latest.epoch_stages
    if latest.block_height is None or stages is None or stages.next_poc_start is None:
        return None
    return PocSchedule(block_height=latest.block_height, next_poc_height=stages.next_poc_start)


def confirmation_poc(latest: EpochsLatest) -> ConfirmationPoC | None:
    """The network's confirmation PoC from ``/v1/epochs/latest``; None when the node does not say."""
    event = latest.active_confirmation_poc_event
    active = latest.is_confirmation_poc_active
    if active is None and event is None:
        return None  # a node older than confirmation PoC
    if event is not None and event.phase is not None:
        running = event.phase in CONFIRMATION_POC_RUNNING
        active = running if active is None else active and event.phase != "CONFIRMATION_POC_COMPLETED"
    if not active:
        return ConfirmationPoC(active=False)
    return ConfirmationPoC(
        active=True,
        phase=phase_label(event.phase) if event is not None else None,
        epoch_id=event.epoch_index if event is not None else None,
        event_sequence=event.event_sequence if event is not None else None,
    )


@dataclass(frozen=True, slots=True, config=LENIENT)
class ChainParticipant:
    address: str = Field(validation_alias=AliasChoices("address", "index"))
    status: ParticipantStatus = None
    current_epoch_stats: EpochStats | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class Pagination:
    next_key: str | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class PageHead:
    pagination: Pagination | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class Validator:
    operator_address: str
    jailed: bool | None = None
    tokens: int | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class PerformanceSummary:
    """A participant's settled epoch: the object of ``epoch_performance_summary/{epoch}/{address}`` and
    each row of the bulk ``epoch_performance_summary/{epoch}`` list (real captures
    ``chain_epoch_performance_summary_366_*.json``, ``…_bulk_276.trimmed.json``; int64 as strings).
    A bulk row without ``participant_id`` is skipped."""

    participant_id: str | None = None
    epoch_index: int | None = None
    earned_coins: int | None = None
    rewarded_coins: int | None = None
    claimed: bool | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class SummaryEnvelope:
    epoch_performance_summary: PerformanceSummary | None = None


@dataclass(frozen=True, slots=True)
class EpochIncome:
    """Settled income (rewarded + earned, ngonka) of every participant the bulk summary lists."""

    epoch_id: int
    income: dict[str, int]
    #: rows that failed validation: a watched address missing from ``income`` is then unknown, not 0
    skipped: SkippedRows


@dataclass(frozen=True, slots=True, config=LENIENT)
class SettleAmount:
    """``settle_amount`` of ``estimate_bitcoin_reward/{participant}``. DERIVED shape (query.proto
    ``QueryEstimateBitcoinRewardResponse``, see ``chain_estimate_bitcoin_reward.DERIVED.json``): it
    was never captured; the keys and JSON types follow the proto (uint64 as strings)."""

    participant: str | None = None
    reward_coins: int | None = None
    work_coins: int | None = None
    epoch_index: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EstimateEnvelope:
    settle_amount: SettleAmount | None = None


@dataclass(frozen=True, slots=True)
class RewardEstimate:
    """The chain's own estimate of a participant's reward for the current (unsettled) epoch."""

    epoch_id: int | None
    reward_ngonka: int
    work_ngonka: int


_EPOCH_PARTICIPANT = TypeAdapter(EpochParticipant)
_EXCLUDED = TypeAdapter(Excluded)
_PARTICIPANTS_HEAD = TypeAdapter(ParticipantsHead)
_LATEST = TypeAdapter(EpochsLatest)
_CHAIN_PARTICIPANT = TypeAdapter(ChainParticipant)
_VALIDATOR = TypeAdapter(Validator)
_PAGE_HEAD = TypeAdapter(PageHead)
_SUMMARY = TypeAdapter(SummaryEnvelope)
_SUMMARY_ROW = TypeAdapter(PerformanceSummary)
_ESTIMATE = TypeAdapter(EstimateEnvelope)


def settled_epoch(latest: EpochsLatest) -> int:
    """The newest epoch whose rewards are settled: the last one once this epoch's ``claim_money``
    height is passed, the one before while it is not (PoC at the start of an epoch); the last one
    when the node does not say."""
    current = latest.latest_epoch.index
    stages = latest.epoch_stages
    if (
        stages is not None
        and stages.claim_money is not None
        and latest.block_height is not None
        and stages.epoch_index in (None, current)
        and latest.block_height < stages.claim_money
    ):
        return current - 2
    return current - 1


def _ml_node_ids(p: EpochParticipant) -> tuple[str, ...] | None:
    if p.ml_nodes is None:
        return None
    return tuple(n.node_id for g in p.ml_nodes for n in g.ml_nodes or () if n.node_id)


def _missed_rate(stats: EpochStats | None) -> float | None:
    if stats is None or stats.missed_requests is None or stats.inference_count is None:
        return None
    total = stats.missed_requests + stats.inference_count
    return round(stats.missed_requests / total, 4) if total > 0 else 0.0


def _invalidation_rate(stats: EpochStats | None) -> float | None:
    if stats is None or stats.invalidated_inferences is None or not stats.inference_count:
        return None
    return round(stats.invalidated_inferences / stats.inference_count, 4)


def _operator(address: str) -> str | None:
    try:
        return convert_hrp(address, OPERATOR_HRP)
    except InvalidInputError:
        return None


class GonkaApiClient:
    name = SOURCE

    def __init__(self, fetcher: JsonFetcher, *, chain_api: bool = True) -> None:
        self._fetch = fetcher
        self._chain_api = chain_api

    async def _participants(self, skipped: SkippedRows) -> tuple[ParticipantsHead, list[EpochParticipant]]:
        items: list[EpochParticipant] = []
        page_skipped = SkippedRows()

        async def parse(chunks: Any) -> ParticipantsHead:
            items.clear()
            page_skipped.clear()
            head = await parse_object_streaming(
                chunks,
                ("active_participants", "participants"),
                validate_items_tolerant(_EPOCH_PARTICIPANT, EpochParticipant, items, page_skipped),
            )
            return _PARTICIPANTS_HEAD.validate_python(head)

        head = await self._fetch.get(PARTICIPANTS_PATH, parse)
        skipped.merge(page_skipped)
        return head, items

    async def _paged(
        self, path: str, key: str, adapter: TypeAdapter[Any], model: type, limit: int, skipped: SkippedRows
    ) -> list[Any]:
        out: list[Any] = []
        next_key: str | None = None
        for _ in range(MAX_PAGES):
            page: list[Any] = []
            page_skipped = SkippedRows()

            async def parse(
                chunks: Any, page: list[Any] = page, page_skipped: SkippedRows = page_skipped
            ) -> PageHead:
                page.clear()
                page_skipped.clear()
                on_item = validate_items_tolerant(adapter, model, page, page_skipped)
                return _PAGE_HEAD.validate_python(await parse_object_streaming(chunks, (key,), on_item))

            params = {"pagination.limit": str(limit)}
            if next_key:
                params["pagination.key"] = next_key
            head = await self._fetch.get(path, parse, params=params)
            out.extend(page)
            skipped.merge(page_skipped)
            next_key = head.pagination.next_key if head.pagination else None
            if not next_key:
                return out
        raise InconsistentPayloadError(SOURCE, f"{path}: more than {MAX_PAGES} pages")

    async def poll(self) -> SourceSnapshot:
        skipped = SkippedRows()
        head, participants = await self._participants(skipped)
        latest = await self._fetch.get(LATEST_PATH, whole(_LATEST))
        epoch_id = head.active_participants.epoch_id or head.active_participants.epoch_group_id
        if not participants:
            raise InconsistentPayloadError(SOURCE, f"no readable participants in epoch {epoch_id}")
        if epoch_id is not None and epoch_id != latest.latest_epoch.index:
            raise InconsistentPayloadError(
                SOURCE,
                f"participants are of epoch {epoch_id} but the latest epoch is {latest.latest_epoch.index}",
            )
        chain: dict[str, ChainParticipant] = {}
        jailed: dict[str, bool | None] = {}
        if self._chain_api:
            chain = {
                c.address: c
                for c in await self._paged(
                    CHAIN_PARTICIPANTS_PATH,
                    "participant",
                    _CHAIN_PARTICIPANT,
                    ChainParticipant,
                    10000,
                    skipped,
                )
            }
            # an unreadable validator row leaves its participant's jail status unknown (not found):
            # counted, but its operator address says nothing about participant rows
            bad_validators = SkippedRows()
            jailed = {
                v.operator_address: v.jailed
                for v in await self._paged(
                    VALIDATORS_PATH, "validators", _VALIDATOR, Validator, 200, bad_validators
                )
            }
            for label, n in bad_validators.counts.items():
                skipped.counts[f"validator.{label}"] += n
                skipped.examples.setdefault(f"validator.{label}", bad_validators.examples[label])
        views: dict[str, ParticipantView] = {}
        for p in participants:
            c = chain.get(p.index)
            stats = c.current_epoch_stats if c else None
            operator = _operator(p.index) if jailed else None
            views[p.index] = ParticipantView(
                address=p.index,
                is_jailed=jailed.get(operator) if operator else None,
                chain_status=c.status if c else None,
                missed_rate=_missed_rate(stats),
                invalidation_rate=_invalidation_rate(stats),
                confirmation_poc_ratio=stats.confirmation_poc_ratio if stats else None,
                invalid_llr=stats.invalid_llr if stats else None,
                inactive_llr=stats.inactive_llr if stats else None,
                weight=p.weight,
                models=p.models or (),
                ml_nodes=_ml_node_ids(p),
                validator_key=p.validator_key,
                inference_count=stats.inference_count if stats else None,
                earned_coins=stats.earned_coins if stats else None,
                inference_url=p.inference_url,
            )
        excluded: list[Excluded] = []
        on_excluded = validate_items_tolerant(_EXCLUDED, Excluded, excluded, skipped)
        for row in head.excluded_participants or ():
            on_excluded(row)
        for ex in excluded:
            base = views.get(ex.address) or ParticipantView(address=ex.address)
            views[ex.address] = ParticipantView(
                **{
                    **{f: getattr(base, f) for f in ParticipantView.__slots__},
                    "in_epoch": False,
                    "excluded_reason": ex.reason or "excluded",
                }
            )
        return SourceSnapshot(
            source=SOURCE,
            epoch_id=latest.latest_epoch.index,
            fetched_at=datetime.now(UTC),
            participants=views,
            poc_phase=None if latest.phase is None else latest.phase != "Inference",
            reports_health=False,
            skipped=skipped,
            confirmation_poc=confirmation_poc(latest),
            schedule=schedule_of(latest),
            settled_epoch_id=settled_epoch(latest),
        )

    async def chain_thresholds(self, epoch_id: int) -> ChainThresholds | None:
        """The chain's thresholds for ``epoch_id`` (two requests); None without the chain API."""
        if not self._chain_api:
            return None
        return await fetch_chain_thresholds(self._fetch, epoch_id)

    async def epoch_income(self, epoch_id: int) -> EpochIncome | None:
        """Every participant's settled income of ``epoch_id`` in ONE request (the bulk summary); None
        without the chain API or when the epoch is not settled yet (an empty list). Raises
        :class:`SourceError` when the request fails: the caller falls back to per-node look-ups."""
        if not self._chain_api:
            return None
        rows: list[PerformanceSummary] = []
        skipped = SkippedRows()

        async def parse(chunks: Any) -> None:
            rows.clear()
            skipped.clear()
            on_item = validate_items_tolerant(_SUMMARY_ROW, PerformanceSummary, rows, skipped)
            await parse_object_streaming(chunks, ("epochPerformanceSummary",), on_item)

        await self._fetch.get(BULK_SUMMARY_PATH.format(epoch=epoch_id), parse)
        if not rows and not skipped:
            return None
        income: dict[str, int] = {}
        for r in rows:
            if r.participant_id is None:
                skipped.add("participant_id", None, "participant_id: missing")
                continue
            if r.epoch_index is not None and r.epoch_index != epoch_id:
                raise InconsistentPayloadError(
                    SOURCE, f"summary of epoch {epoch_id} has a row of epoch {r.epoch_index}"
                )
            income[r.participant_id] = (r.rewarded_coins or 0) + (r.earned_coins or 0)
        return EpochIncome(epoch_id=epoch_id, income=income, skipped=skipped)

    async def reward_estimate(self, address: str) -> RewardEstimate | None:
        """The chain's estimate of ``address``'s reward in the current epoch; None when the chain has
        none for it (NotFound: not in the active set) or without the chain API."""
        if not self._chain_api:
            return None
        try:
            env = await self._fetch.get(ESTIMATE_PATH.format(address=address), whole(_ESTIMATE))
        except SourceHTTPError as exc:
            if exc.status == 404:
                return None
            raise
        s = env.settle_amount
        if s is None or (s.reward_coins is None and s.work_coins is None):
            return None
        return RewardEstimate(
            epoch_id=s.epoch_index, reward_ngonka=s.reward_coins or 0, work_ngonka=s.work_coins or 0
        )

    async def settled_income(self, address: str, epoch_id: int) -> dict[int, int]:
        """Income (rewarded + earned, ngonka) of the settled epoch ``epoch_id - 1``."""
        if not self._chain_api:
            return {}
        settled = epoch_id - 1
        env = await self._fetch.get(SUMMARY_PATH.format(epoch=settled, address=address), whole(_SUMMARY))
        s = env.epoch_performance_summary
        if s is None or (s.rewarded_coins is None and s.earned_coins is None):
            return {}
        return {settled: (s.rewarded_coins or 0) + (s.earned_coins or 0)}
