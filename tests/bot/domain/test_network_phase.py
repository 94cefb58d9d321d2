"""The network's phase as ``/nodes`` and the digest say it, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.network import ConfirmationPoC, NetworkState
from bot.i18n.catalogs import Catalogs


def state(*, poc: bool = False, cpoc_phase: str | None = None) -> NetworkState:
    cpoc = None if cpoc_phase is None else ConfirmationPoC(active=True, phase=cpoc_phase)
    return NetworkState(
        epoch_id=7, poc_phase=poc, confirmation_poc=cpoc, thresholds=None, observed_at=datetime.now(UTC)
    )


def test_the_phase_in_each_language() -> None:
    catalogs = Catalogs()
    ru, zh = catalogs.translator("ru"), catalogs.translator("zh")
    assert state(cpoc_phase="generation").phase_text() == "Confirmation PoC in progress (generation)"
    assert state(cpoc_phase="generation").phase_text(ru) == "Идёт confirmation PoC (генерация)"
    assert state(poc=True).phase_text(zh) == "PoC 进行中"
    assert state().phase_text(ru) is None
