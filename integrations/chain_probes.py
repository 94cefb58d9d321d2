"""Chain REST look-ups behind the collateral and model-participation conditions.

- ``GET /chain-api/productscience/inference/collateral/collateral/{participant}`` ->
  ``{"amount": {"denom": "ngonka", "amount": "<string>"}}``; a participant with no deposit gets the
  chain's NotFound (HTTP 404 with the grpc-gateway body ``{"code": 5, ...}``), which is a zero deposit.
  Any other 404 means the node does not serve the path: unknown. DERIVED shape (collateral proto and
  keeper), ``tests/data/trackers/2026/chain_collateral.DERIVED.json``.
- ``GET /chain-api/productscience/inference/inference/poc_delegation/{participant}`` ->
  ``{delegations[]{model_id, delegator, delegate_to}, refusals[]{model_id, participant},
  intents[]{model_id, participant}}``. DERIVED for REST (which emits all three arrays); the CLI capture
  ``cli_poc_delegation_height_4104861.trimmed.json`` (real) omits empty ones, read the same way. The
  chain offers no bulk form: one request per participant.
- ``GET …/epoch_group_data/{epoch}?model_id={model}`` -> one model's subgroup
  (:class:`~integrations.chain_params.EpochGroupData`): every member that committed PoC for that
  model. One request per model covers every participant (the bulk form).

The collateral the chain requires, ``weight × (1 − base_weight_ratio) × collateral_per_weight_unit``
ngonka (truncated), is computed in :mod:`bot.domain.probes` from ``params.collateral_params``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

from integrations.chain_params import EPOCH_GROUP, EPOCH_GROUP_DATA_PATH, EpochGroupData
from integrations.errors import BadPayloadError, SourceNotFoundError
from integrations.http import JsonFetcher
from integrations.payload import LENIENT, whole

CHAIN = "/chain-api/productscience/inference"
COLLATERAL_PATH = CHAIN + "/collateral/collateral/{participant}"
POC_DELEGATION_PATH = CHAIN + "/inference/poc_delegation/{participant}"
DENOM = "ngonka"
#: grpc codes.NotFound in the grpc-gateway error body
GRPC_NOT_FOUND = 5


@dataclass(frozen=True, slots=True, config=LENIENT)
class Coin:
    denom: str
    amount: int


@dataclass(frozen=True, slots=True, config=LENIENT)
class CollateralResponse:
    amount: Coin | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class Delegation:
    model_id: str
    delegate_to: str
    delegator: str | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class ModelChoice:
    """A refusal or a direct intent: ``{model_id, participant}``."""

    model_id: str
    participant: str | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class PoCDelegationResponse:
    #: REST emits every array; the CLI omits empty ones (``{}``): both read as empty
    delegations: tuple[Delegation, ...] = ()
    refusals: tuple[ModelChoice, ...] = ()
    intents: tuple[ModelChoice, ...] = ()


_COLLATERAL = TypeAdapter(CollateralResponse)
POC_DELEGATION = TypeAdapter(PoCDelegationResponse)


def is_chain_not_found(body: str) -> bool:
    """The chain's own NotFound (grpc-gateway ``{"code": 5, ...}``), not a path the node does not serve."""
    try:
        doc: Any = json.loads(body)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("code") == GRPC_NOT_FOUND


def collateral_ngonka(resp: CollateralResponse, source: str) -> int:
    if resp.amount is None:
        return 0
    if resp.amount.denom != DENOM:
        raise BadPayloadError(source, f"collateral in {resp.amount.denom!r}, expected {DENOM}")
    if resp.amount.amount < 0:
        raise BadPayloadError(source, "negative collateral")
    return resp.amount.amount


async def fetch_collateral(fetch: JsonFetcher, participant: str) -> int:
    """Deposited collateral in ngonka (0 when the chain has none for ``participant``)."""
    try:
        resp = await fetch.get(COLLATERAL_PATH.format(participant=participant), whole(_COLLATERAL))
    except SourceNotFoundError as exc:
        if is_chain_not_found(exc.body):
            return 0
        raise
    return collateral_ngonka(resp, fetch.source)


async def fetch_poc_delegation(fetch: JsonFetcher, participant: str) -> PoCDelegationResponse:
    return await fetch.get(POC_DELEGATION_PATH.format(participant=participant), whole(POC_DELEGATION))


async def fetch_model_group(fetch: JsonFetcher, epoch_id: int, model_id: str) -> EpochGroupData | None:
    """One model's subgroup of ``epoch_id``; None when the chain has none (NotFound)."""
    try:
        env = await fetch.get(
            EPOCH_GROUP_DATA_PATH.format(epoch=epoch_id), whole(EPOCH_GROUP), params={"model_id": model_id}
        )
    except SourceNotFoundError as exc:
        if is_chain_not_found(exc.body):
            return None
        raise
    return env.epoch_group_data
