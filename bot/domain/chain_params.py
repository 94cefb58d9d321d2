"""Thresholds the chain defines, and which of them are in force for an epoch.

The chain excludes a participant from an epoch's reward when its confirmation PoC ratio is under
``confirmation_poc_params.alpha_threshold``, and marks it INVALID / INACTIVE when the SPRT
log-likelihood ratios it keeps (``invalidLLR``, ``inactiveLLR``) reach ``invalidation_h_threshold`` /
``downtime_h_threshold``. The SPRT thresholds in force for an epoch are the ones frozen in that epoch's
``epoch_group_data.validation_params``; ``params`` holds today's (a proposal changes them for the
*next* epochs). :func:`resolve` picks, per value: the epoch's frozen one, else ``params``, else config.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

#: where a threshold came from
FROM_EPOCH = "epoch_group_data"
FROM_PARAMS = "params"
FROM_CONFIG = "config"


@dataclass(frozen=True, slots=True)
class SprtThresholds:
    """One ``validation_params`` block (any value may be missing)."""

    invalidation_h: Decimal | None = None
    bad_participant_invalidation_rate: Decimal | None = None
    false_positive_rate: Decimal | None = None
    downtime_h: Decimal | None = None
    downtime_good_percentage: Decimal | None = None
    downtime_bad_percentage: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChainThresholds:
    """What the chain said, for one epoch: today's params and the epoch's frozen validation params."""

    epoch_id: int
    cpoc_alpha: Decimal | None
    frozen: SprtThresholds | None
    current: SprtThresholds | None


@dataclass(frozen=True, slots=True)
class EpochThresholds:
    """The thresholds in force for one epoch, each with where it came from.

    This is what the poller hands to the mapping (``cpoc_alpha`` is the low-cPoC criterion) and
    records in ``network_state`` for the alert conditions on cPoC ratio and LLRs."""

    epoch_id: int | None
    cpoc_alpha: Decimal
    invalidation_h: Decimal
    downtime_h: Decimal
    cpoc_alpha_origin: str = FROM_CONFIG
    sprt_origin: str = FROM_CONFIG
    bad_participant_invalidation_rate: Decimal | None = None
    false_positive_rate: Decimal | None = None
    downtime_good_percentage: Decimal | None = None
    downtime_bad_percentage: Decimal | None = None

    @property
    def from_config(self) -> bool:
        return FROM_CONFIG in (self.cpoc_alpha_origin, self.sprt_origin)

    def as_json(self) -> dict[str, Any]:
        """Decimals as exact strings (JSON numbers would go through float on the way back)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EpochThresholds:
        known = {f.name: f for f in fields(cls)}
        kw: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if key in ("epoch_id", "cpoc_alpha_origin", "sprt_origin") or value is None:
                kw[key] = value
            else:
                kw[key] = Decimal(str(value))
        return cls(**kw)


def resolve(chain: ChainThresholds | None, fallback: EpochThresholds) -> EpochThresholds:
    """The thresholds in force: per value the epoch's frozen one, else ``params``, else ``fallback``."""
    if chain is None:
        return fallback
    picked: dict[str, Decimal] = {}
    origins: dict[str, str] = {}
    for name in (f.name for f in fields(SprtThresholds)):
        for origin, block in ((FROM_EPOCH, chain.frozen), (FROM_PARAMS, chain.current)):
            value = getattr(block, name) if block is not None else None
            if value is not None:
                picked[name], origins[name] = value, origin
                break
    main = {origins.get("invalidation_h", FROM_CONFIG), origins.get("downtime_h", FROM_CONFIG)}
    sprt_origin = FROM_CONFIG if FROM_CONFIG in main else FROM_PARAMS if FROM_PARAMS in main else FROM_EPOCH
    invalidation_h = picked.get("invalidation_h")
    downtime_h = picked.get("downtime_h")
    return EpochThresholds(
        epoch_id=chain.epoch_id,
        cpoc_alpha=chain.cpoc_alpha if chain.cpoc_alpha is not None else fallback.cpoc_alpha,
        cpoc_alpha_origin=FROM_PARAMS if chain.cpoc_alpha is not None else FROM_CONFIG,
        invalidation_h=invalidation_h if invalidation_h is not None else fallback.invalidation_h,
        downtime_h=downtime_h if downtime_h is not None else fallback.downtime_h,
        sprt_origin=sprt_origin,
        bad_participant_invalidation_rate=picked.get("bad_participant_invalidation_rate"),
        false_positive_rate=picked.get("false_positive_rate"),
        downtime_good_percentage=picked.get("downtime_good_percentage"),
        downtime_bad_percentage=picked.get("downtime_bad_percentage"),
    )
