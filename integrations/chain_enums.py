"""The chain's enums, read as a name (chain REST, dapi v0.2.15) or as a number (dapi v0.2.14).

Chain REST writes proto enums by name (``"ACTIVE"``, ``"CONFIRMATION_POC_GENERATION"``); the dapi's
Go ``encoding/json`` wrote them as their numbers until v0.2.15 (``"status": 2``, ``"phase": 2``). The
numbers are those of ``inference-chain/proto/inference/inference/participant.proto``
(``ParticipantStatus``) and of the ``ConfirmationPoCPhase`` enum (``epoch.proto``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainValidator

PARTICIPANT_STATUS = {
    0: "UNSPECIFIED",
    1: "ACTIVE",
    2: "INACTIVE",
    3: "INVALID",
    4: "RAMPING",  # deprecated
    5: "UNCONFIRMED",
}

CONFIRMATION_POC_PHASE = {
    0: "CONFIRMATION_POC_INACTIVE",
    1: "CONFIRMATION_POC_GRACE_PERIOD",
    2: "CONFIRMATION_POC_GENERATION",
    3: "CONFIRMATION_POC_VALIDATION",
    4: "CONFIRMATION_POC_COMPLETED",
}
#: phases in which a confirmation PoC is under way (grace period included: hosts stop inference)
CONFIRMATION_POC_RUNNING = frozenset(
    {"CONFIRMATION_POC_GRACE_PERIOD", "CONFIRMATION_POC_GENERATION", "CONFIRMATION_POC_VALIDATION"}
)


def _enum(table: dict[int, str]) -> Any:
    def read(raw: Any) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise ValueError("a boolean is not an enum value")
        if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
            number = int(raw)
            if number not in table:
                raise ValueError(f"unknown enum number {number}")
            return table[number]
        if isinstance(raw, str) and 0 < len(raw) <= 64:
            return raw.strip().upper()
        raise ValueError(f"expected an enum name or number, got {type(raw).__name__}")

    return PlainValidator(read)


#: a participant's chain status as its name: ``ACTIVE``, ``INACTIVE``, ``INVALID``, ``UNCONFIRMED``...
ParticipantStatus = Annotated[str | None, _enum(PARTICIPANT_STATUS)]
#: a confirmation PoC event's phase as its name: ``CONFIRMATION_POC_GENERATION``...
ConfirmationPoCPhase = Annotated[str | None, _enum(CONFIRMATION_POC_PHASE)]


def phase_label(name: str | None) -> str | None:
    """``CONFIRMATION_POC_GRACE_PERIOD`` -> ``grace period`` (what users read)."""
    if not name:
        return None
    return name.removeprefix("CONFIRMATION_POC_").replace("_", " ").lower()
