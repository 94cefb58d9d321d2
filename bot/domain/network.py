"""The network's phase as the poller last saw it: PoC, confirmation PoC, and the thresholds in force.

Offline alerts are held during both (nodes look absent while they prove their weight); ``/nodes`` and
``/node`` say which is under way (:meth:`NetworkState.phase_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.chain_params import EpochThresholds
from bot.i18n.catalogs import ENGLISH, N_, Translator

#: the confirmation PoC phases the trackers name, for the catalogue
_PHASES = (N_("grace period"), N_("generation"), N_("validation"))


@dataclass(frozen=True, slots=True)
class ConfirmationPoC:
    """The network's confirmation PoC as ``/v1/epochs/latest`` reports it."""

    active: bool
    #: the event's phase, readable: ``grace period``, ``generation``, ``validation``
    phase: str | None = None
    epoch_id: int | None = None
    event_sequence: int | None = None


@dataclass(frozen=True, slots=True)
class PocSchedule:
    """Where the chain is and where the next PoC starts, in blocks (``/v1/epochs/latest``:
    ``block_height`` and ``epoch_stages.next_poc_start``; Hyperfusion ``/inference/current``:
    ``current_block_height``, ``next_poc_start_block`` and ``avg_block_time``)."""

    block_height: int
    next_poc_height: int
    #: seconds per block: the source's figure, else measured across poll cycles; None: not yet known
    avg_block_time_s: Decimal | None = None

    def at(self, height: int, observed_at: datetime) -> datetime | None:
        """When the chain reaches ``height``, estimated from ``observed_at``; None without a block time."""
        if self.avg_block_time_s is None:
            return None
        seconds = (height - self.block_height) * self.avg_block_time_s
        return observed_at + timedelta(seconds=float(seconds))

    def next_poc_at(self, observed_at: datetime) -> datetime | None:
        return self.at(self.next_poc_height, observed_at)

    def upgrade_window(self, observed_at: datetime, blocks: int) -> tuple[datetime, datetime] | None:
        """The safe upgrade window: the ``blocks`` before the next PoC (operators upgrade outside PoC and
        confirmation PoC, in the few hundred blocks before PoC)."""
        start, end = self.at(self.next_poc_height - blocks, observed_at), self.next_poc_at(observed_at)
        if start is None or end is None:
            return None
        return max(start, observed_at), end


@dataclass(frozen=True, slots=True)
class NetworkState:
    """One row of ``network_state``: what the last poll cycle saw of the network as a whole."""

    epoch_id: int | None
    poc_phase: bool
    confirmation_poc: ConfirmationPoC | None
    thresholds: EpochThresholds | None
    observed_at: datetime
    #: the next PoC in blocks; None when no source reports it
    schedule: PocSchedule | None = None

    @property
    def offline_held_by_cpoc(self) -> bool:
        return self.confirmation_poc is not None and self.confirmation_poc.active

    @property
    def offline_held(self) -> bool:
        return self.poc_phase or (self.confirmation_poc is not None and self.confirmation_poc.active)

    def phase_text(self, t: Translator = ENGLISH) -> str | None:
        """``Confirmation PoC in progress (generation)``, ``PoC in progress``, or None (inference), in
        the reader's language."""
        cpoc = self.confirmation_poc
        if cpoc is not None and cpoc.active:
            if cpoc.phase:
                return t("Confirmation PoC in progress ({phase})", phase=t.text(cpoc.phase))
            return t("Confirmation PoC in progress")
        if self.poc_phase:
            return t("PoC in progress")
        return None
