"""The inference module's params and an epoch's group data (chain REST), as read.

``GET /chain-api/productscience/inference/inference/params`` holds the thresholds in force *now*
(``confirmation_poc_params.alpha_threshold``, ``validation_params.invalidation_h_threshold``...);
``GET .../epoch_group_data/{epoch}`` holds ``validation_params`` as they were frozen when the epoch
began (epoch 366 still ran with H = 4 after proposal 96 set 40 in ``params``), ``null`` in model
subgroups; ``…/epoch_group_data/{epoch}?model_id={model}`` is one model's subgroup, whose
``validation_weights[]{member_address, weight, ml_nodes[]{node_id, poc_weight}}`` lists every member
that committed PoC for that model (the probes read it). Real captures:
``tests/data/trackers/2026/chain_inference_params_live_2026-09.json``,
``chain_epoch_group_data_366_root.trimmed.json`` and ``chain_epoch_group_data_267_model_kimi.trimmed.json``.
Every Decimal is a :data:`ChainDecimal`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, TypeAdapter
from pydantic.dataclasses import dataclass

from bot.domain.chain_params import ChainThresholds, SprtThresholds
from integrations.chain_decimal import ChainDecimal
from integrations.errors import SourceError
from integrations.http import JsonFetcher
from integrations.payload import LENIENT, whole

log = logging.getLogger(__name__)
PARAMS_PATH = "/chain-api/productscience/inference/inference/params"
EPOCH_GROUP_DATA_PATH = "/chain-api/productscience/inference/inference/epoch_group_data/{epoch}"


@dataclass(frozen=True, slots=True, config=LENIENT)
class ValidationParams:
    false_positive_rate: ChainDecimal = None
    pass_value: ChainDecimal = None
    bad_participant_invalidation_rate: ChainDecimal = None
    invalidation_h_threshold: ChainDecimal = None
    downtime_good_percentage: ChainDecimal = None
    downtime_bad_percentage: ChainDecimal = None
    downtime_h_threshold: ChainDecimal = None
    quick_failure_threshold: ChainDecimal = None
    miss_percentage_cutoff: ChainDecimal = None
    binom_test_p0: ChainDecimal = None

    def sprt(self) -> SprtThresholds:
        return SprtThresholds(
            invalidation_h=self.invalidation_h_threshold,
            bad_participant_invalidation_rate=self.bad_participant_invalidation_rate,
            false_positive_rate=self.false_positive_rate,
            downtime_h=self.downtime_h_threshold,
            downtime_good_percentage=self.downtime_good_percentage,
            downtime_bad_percentage=self.downtime_bad_percentage,
        )


@dataclass(frozen=True, slots=True, config=LENIENT)
class ConfirmationPoCParams:
    expected_confirmations_per_epoch: int | None = None
    #: a confirmation PoC ratio under this excludes the participant from the epoch's reward
    alpha_threshold: ChainDecimal = None
    slash_fraction: ChainDecimal = None
    upgrade_protection_window: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class CollateralParams:
    slash_fraction_invalid: ChainDecimal = None
    slash_fraction_downtime: ChainDecimal = None
    downtime_missed_percentage_threshold: ChainDecimal = None
    grace_period_end_epoch: int | None = None
    base_weight_ratio: ChainDecimal = None
    collateral_per_weight_unit: ChainDecimal = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class DelegationParams:
    deploy_window: int | None = None
    refusal_penalty: ChainDecimal = None
    no_participation_penalty: ChainDecimal = None
    delegation_share: ChainDecimal = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class PocModel:
    model_id: str
    penalty_start_epoch: int | None = None
    weight_scale_factor: ChainDecimal = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class PocParams:
    models: tuple[PocModel, ...] | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochParams:
    epoch_length: int | None = None
    poc_slot_allocation: ChainDecimal = None
    confirmation_poc_safety_window: int | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class InferenceParams:
    epoch_params: EpochParams | None = None
    validation_params: ValidationParams | None = None
    poc_params: PocParams | None = None
    collateral_params: CollateralParams | None = None
    confirmation_poc_params: ConfirmationPoCParams | None = None
    delegation_params: DelegationParams | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ParamsEnvelope:
    params: InferenceParams


@dataclass(frozen=True, slots=True, config=LENIENT)
class MlNode:
    """An ML node of a participant (the chain's ``MLNodeInfo``: in epoch groups and in
    ``/v1/epochs/current/participants``)."""

    node_id: str | None = Field(default=None, validation_alias=AliasChoices("node_id", "nodeId", "local_id"))
    poc_weight: int | None = None


def _null_as_empty(value: Any) -> Any:
    return () if value is None else value


@dataclass(frozen=True, slots=True, config=LENIENT)
class ValidationWeight:
    member_address: str
    weight: int | None = None
    reputation: int | None = None
    confirmation_weight: int | None = None
    ml_nodes: tuple[MlNode, ...] | None = None

    @property
    def committed(self) -> bool:
        """The member committed PoC weight to this group."""
        if self.weight is not None and self.weight > 0:
            return True
        return any((n.poc_weight or 0) > 0 for n in self.ml_nodes or ())


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochGroupData:
    epoch_index: int | None = None
    model_id: str | None = None
    total_weight: int | None = None
    #: frozen at the epoch's start in the root group; null in model subgroups
    validation_params: ValidationParams | None = None
    #: absent or null reads as empty
    validation_weights: Annotated[tuple[ValidationWeight, ...], BeforeValidator(_null_as_empty)] = ()


@dataclass(frozen=True, slots=True, config=LENIENT)
class EpochGroupEnvelope:
    epoch_group_data: EpochGroupData | None = None


PARAMS = TypeAdapter(ParamsEnvelope)
EPOCH_GROUP = TypeAdapter(EpochGroupEnvelope)


async def fetch_params(fetch: JsonFetcher) -> InferenceParams:
    return (await fetch.get(PARAMS_PATH, whole(PARAMS))).params


async def fetch_epoch_group(fetch: JsonFetcher, epoch_id: int) -> EpochGroupData | None:
    """The root group's data of ``epoch_id`` (``model_id`` empty: the one with validation_params)."""
    path = EPOCH_GROUP_DATA_PATH.format(epoch=epoch_id)
    return (await fetch.get(path, whole(EPOCH_GROUP))).epoch_group_data


async def fetch_chain_thresholds(fetch: JsonFetcher, epoch_id: int) -> ChainThresholds:
    """Two requests: the current params, and the epoch's frozen validation params."""
    params = await fetch_params(fetch)
    try:
        group = await fetch_epoch_group(fetch, epoch_id)
    except SourceError as exc:  # the params alone still say what is in force now
        log.info("epoch_group_data of epoch %d unavailable (%s): using params", epoch_id, exc.message)
        group = None
    cpoc = params.confirmation_poc_params
    frozen = group.validation_params if group is not None else None
    return ChainThresholds(
        epoch_id=epoch_id,
        cpoc_alpha=cpoc.alpha_threshold if cpoc is not None else None,
        frozen=frozen.sprt() if frozen is not None else None,
        current=params.validation_params.sprt() if params.validation_params is not None else None,
    )
