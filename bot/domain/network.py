"""The network's phase as the poller last saw it: PoC, confirmation PoC, and the thresholds in force.

Offline alerts are held during both (nodes look absent while they prove their weight); ``/nodes`` and
``/node`` say which is under way (:meth:`NetworkState.phase_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.chain_params import EpochThresholds


@dataclass(frozen=True, slots=True)
class ConfirmationPoC:
    """The network's confirmation PoC as ``/v1/epochs/latest`` reports it."""

    active: bool
    #: the event's phase, readable: ``grace period``, ``generation``, ``validation``
    phase: str | None = None
    epoch_id: int | None = None
    event_sequence: int | None = None


@dataclass(frozen=True, slots=True)
class NetworkState:
    """One row of ``network_state``: what the last poll cycle saw of the network as a whole."""

    epoch_id: int | None
    poc_phase: bool
    confirmation_poc: ConfirmationPoC | None
    thresholds: EpochThresholds | None
    observed_at: datetime

    @property
    def offline_held_by_cpoc(self) -> bool:
        return self.confirmation_poc is not None and self.confirmation_poc.active

    @property
    def offline_held(self) -> bool:
        return self.poc_phase or (self.confirmation_poc is not None and self.confirmation_poc.active)

    def phase_text(self) -> str | None:
        """``Confirmation PoC in progress (generation)``, ``PoC in progress``, or None (inference)."""
        cpoc = self.confirmation_poc
        if cpoc is not None and cpoc.active:
            return "Confirmation PoC in progress" + (f" ({cpoc.phase})" if cpoc.phase else "")
        if self.poc_phase:
            return "PoC in progress"
        return None
