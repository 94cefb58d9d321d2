"""The chain thresholds in force for the current epoch: read once per epoch, config as the fallback.

The first cycle of an epoch asks a source that can read chain REST (``gonka_api`` with ``chain_api``)
for ``params`` and the epoch's ``epoch_group_data`` (two requests), resolves them with
:func:`bot.domain.chain_params.resolve` and keeps the result for the rest of the epoch. When the chain
cannot be read, config's values are used and that is logged (once per epoch); the chain is asked
again after :data:`RETRY_AFTER_CYCLES` cycles, never every cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from bot.config import TrackersConfig
from bot.domain.chain_params import ChainThresholds, EpochThresholds, resolve
from integrations.errors import SourceError

log = logging.getLogger(__name__)

#: cycles between two attempts while the chain's thresholds could not be read
RETRY_AFTER_CYCLES = 10


@runtime_checkable
class ChainThresholdsReader(Protocol):
    name: str

    async def chain_thresholds(self, epoch_id: int) -> ChainThresholds | None:
        """``None`` when this source cannot read chain REST (configured off)."""
        ...


def config_thresholds(cfg: TrackersConfig, epoch_id: int | None = None) -> EpochThresholds:
    return EpochThresholds(
        epoch_id=epoch_id,
        cpoc_alpha=Decimal(str(cfg.confirmation_ratio_threshold)),
        invalidation_h=cfg.invalidation_llr_threshold,
        downtime_h=cfg.inactive_llr_threshold,
    )


class ThresholdsKeeper:
    def __init__(self, cfg: TrackersConfig) -> None:
        self._cfg = cfg
        self.current = config_thresholds(cfg)
        self._epoch: int | None = None
        self._cycles_since_attempt = 0
        self.reads = 0

    async def for_epoch(self, epoch_id: int | None, sources: Sequence[object]) -> EpochThresholds:
        """The thresholds of ``epoch_id`` (cached for the epoch; ``sources`` are this cycle's good ones)."""
        self._cycles_since_attempt += 1
        if epoch_id is None:
            return self.current
        if epoch_id == self._epoch and (
            not self.current.from_config or self._cycles_since_attempt < RETRY_AFTER_CYCLES
        ):
            return self.current
        first_try = epoch_id != self._epoch
        self._epoch = epoch_id
        self._cycles_since_attempt = 0
        fallback = config_thresholds(self._cfg, epoch_id)
        chain: ChainThresholds | None = None
        why = "no source reads chain REST (gonka_api with chain_api = true)"
        for source in sources:
            if not isinstance(source, ChainThresholdsReader):
                continue
            try:
                self.reads += 1
                chain = await source.chain_thresholds(epoch_id)
            except SourceError as exc:
                why = f"{source.name}: {exc.message}"
                continue
            if chain is not None:
                break
        self.current = resolve(chain, fallback)
        t = self.current
        if t.from_config:
            level = logging.WARNING if first_try else logging.DEBUG
            log.log(
                level,
                "chain thresholds of epoch %d: using config for %s (%s); cPoC alpha %s, invalidation H %s,"
                " downtime H %s",
                epoch_id,
                ", ".join(
                    name
                    for name, origin in (("cPoC alpha", t.cpoc_alpha_origin), ("SPRT", t.sprt_origin))
                    if origin == "config"
                ),
                why if chain is None else "the chain did not say",
                t.cpoc_alpha,
                t.invalidation_h,
                t.downtime_h,
            )
        else:
            log.info(
                "chain thresholds of epoch %d: cPoC alpha %s (%s), invalidation H %s, downtime H %s (%s)",
                epoch_id,
                t.cpoc_alpha,
                t.cpoc_alpha_origin,
                t.invalidation_h,
                t.downtime_h,
                t.sprt_origin,
            )
        return self.current
