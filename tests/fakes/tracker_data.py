"""Tracker payloads for tests: the real recordings, and synthetic ones derived from them.

Everything returned by a function whose name starts with ``synthetic_`` is SYNTHETIC: built in code
from the recorded shapes (same keys, same value types: stringified counters, int weights, float rates),
never a capture.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bot.domain.identifiers import OPERATOR_HRP, WALLET_HRP, bech32_encode, convert_hrp

DATA = Path(__file__).resolve().parent.parent / "data" / "trackers"


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def hyperfusion_current() -> dict[str, Any]:
    """The recorded ``/api/v1/inference/current`` (3 participants; #2 has ``is_jailed: null``)."""
    payload: dict[str, Any] = recorded("hyperfusion-inference.json")
    payload.pop("_meta", None)
    return payload


def gonka_latest() -> dict[str, Any]:
    payload: dict[str, Any] = recorded("gonka-epochs-latest.json")
    return payload


def synthetic_gonka_participants(hyperfusion: dict[str, Any]) -> dict[str, Any]:
    """SYNTHETIC: ``/v1/epochs/current/participants`` listing the same participants as ``hyperfusion``,
    in the recorded shape of ``gonka-participants.json``."""
    shape: dict[str, Any] = recorded("gonka-participants.json")
    shape.pop("_meta", None)
    template = shape["active_participants"]["participants"][0]
    parts = []
    for p in hyperfusion["participants"]:
        q = copy.deepcopy(template)
        q["index"] = p["address"]
        q["validator_key"] = p["validator_key"]
        q["weight"] = p["weight"]
        q["inference_url"] = p["inference_url"]
        q["models"] = list(p["models"])
        q["seed"]["participant"] = p["address"]
        q["ml_nodes"] = [
            {"ml_nodes": [{"node_id": k, "poc_weight": v, "timeslot_allocation": [True, False]}]}
            for k, v in (p.get("ml_nodes_map") or {}).items()
        ]
        parts.append(q)
    shape["active_participants"]["participants"] = parts
    shape["active_participants"]["epoch_id"] = hyperfusion["epoch_id"]
    shape["active_participants"]["epoch_group_id"] = hyperfusion["epoch_id"]
    shape["addresses"] = shape["addresses"][: len(parts)]
    return shape


def synthetic_chain_participants(hyperfusion: dict[str, Any]) -> dict[str, Any]:
    """SYNTHETIC: the chain participant list (shape of ``all_participants_height_887711.json``)."""
    shape: dict[str, Any] = recorded("all_participants_height_887711.json")
    template = shape["participant"][0]
    out = []
    for p in hyperfusion["participants"]:
        q = copy.deepcopy(template)
        q["index"] = q["address"] = p["address"]
        q["status"] = p.get("participant_status") or p.get("status") or "ACTIVE"
        q["validator_key"] = p["validator_key"]
        q["current_epoch_stats"] = dict(p["current_epoch_stats"])
        out.append(q)
    return {"participant": out, "pagination": {"next_key": None, "total": str(len(out))}, "block_height": 1}


def synthetic_validators(hyperfusion: dict[str, Any], jailed: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    """SYNTHETIC: staking validators (the Cosmos SDK shape of the trackers README) for the participants."""
    out = []
    for p in hyperfusion["participants"]:
        is_jailed = p["address"] in jailed
        out.append(
            {
                "operator_address": convert_hrp(p["address"], OPERATOR_HRP),
                "consensus_pubkey": {"@type": "/cosmos.crypto.ed25519.PubKey", "key": p["validator_key"]},
                "jailed": is_jailed,
                "status": "BOND_STATUS_UNBONDING" if is_jailed else "BOND_STATUS_BONDED",
                "tokens": "0" if is_jailed else str(p["weight"]),
                "delegator_shares": "0.000000000000000000",
                "description": {"moniker": "", "identity": "", "website": "", "details": ""},
            }
        )
    return out


def synthetic_address(i: int) -> str:
    """SYNTHETIC: a valid ``gonka1…`` bech32 address for participant ``i``."""
    return bech32_encode(WALLET_HRP, i.to_bytes(20, "big"))


def synthetic_hyperfusion(n: int, epoch_id: int = 105) -> dict[str, Any]:
    """SYNTHETIC: ``/inference/current`` with ``n`` participants cloned from recorded participant #1."""
    payload = hyperfusion_current()
    template = payload["participants"][0]
    parts = []
    for i in range(n):
        q = dict(template)
        q["index"] = q["address"] = synthetic_address(i)
        parts.append(q)
    payload["participants"] = parts
    payload["epoch_id"] = epoch_id
    return payload
