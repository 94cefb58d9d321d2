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


def synthetic_chain_participants_2026(hyperfusion: dict[str, Any]) -> dict[str, Any]:
    """SYNTHETIC: the chain participant list in today's shape (the first participant of the DERIVED
    ``2026/chain_participant_bulk.DERIVED.json``: Decimal objects, camelCase ``confirmationPoCRatio``),
    one per participant of ``hyperfusion``."""
    shape: dict[str, Any] = recorded_2026("chain_participant_bulk.DERIVED.json")
    template = shape["participant"][0]
    out = []
    for p in hyperfusion["participants"]:
        q = copy.deepcopy(template)
        q["index"] = q["address"] = p["address"]
        q["validator_key"] = p["validator_key"]
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


# -- the 2026 era: today's shapes (tests/data/trackers/2026, see its README and SOURCES.md) ----------

DATA_2026 = DATA / "2026"
#: the epoch the 2026 world is in: the one of the real exclusions and frozen validation params
EPOCH_2026 = 366
#: the participants of ``chain_participant_bulk.DERIVED.json``, by what the chain says of them
ACTIVE_2026 = "gonka16dgkvx7mh609ntkzknckwaskgq9lcdp86j0skk"  # ACTIVE, ratio 1, invalidLLR 1.265406437825
INACTIVE_2026 = "gonka1j7x6dv42xehe9e5au4ku3wvzwtqlegfjhlvzj6"  # INACTIVE, real ratio 0.0057419461588255
NO_CPOC_YET_2026 = "gonka1qqyc9gsld2666kpunherra8rx2efwg4v8wafg3"  # ACTIVE, ratio null (no cPoC yet)
#: listed in the DERIVED ``excluded_participants`` fragment (real epoch-366 rows)
EXCLUDED_2026 = "gonka1scskt6wpnjnumsah6kjphmdu87vjgvcxmn4rxv"  # statistical_invalidations


def recorded_2026(name: str) -> Any:
    return json.loads((DATA_2026 / name).read_text())


def era2026_chain_participants() -> dict[str, Any]:
    """The chain participant list as chain REST serves it today: ``chain_participant_bulk.DERIVED.json``
    unchanged (DERIVED: shape from the proto, Decimal objects, camelCase ``confirmationPoCRatio``)."""
    payload: dict[str, Any] = recorded_2026("chain_participant_bulk.DERIVED.json")
    return payload


def era2026_epoch_participants(chain: dict[str, Any]) -> dict[str, Any]:
    """DERIVED: ``/v1/epochs/current/participants`` of epoch 366 listing the chain list's participants
    (the 2025 recorded shape of ``gonka-participants.json``; weights from the real epoch-366 group where
    it has them), with the DERIVED ``excluded_participants`` fragment (real epoch-366 rows)."""
    shape: dict[str, Any] = recorded("gonka-participants.json")
    shape.pop("_meta", None)
    template = shape["active_participants"]["participants"][0]
    group = recorded_2026("chain_epoch_group_data_366_root.trimmed.json")["epoch_group_data"]
    weights = {w["member_address"]: int(w["weight"]) for w in group["validation_weights"]}
    parts = []
    for p in chain["participant"]:
        q = copy.deepcopy(template)
        q["index"] = p["index"]
        q["validator_key"] = p["validator_key"]
        q["weight"] = weights.get(p["index"], template["weight"])
        q["inference_url"] = p["inference_url"]
        q["seed"]["participant"] = p["index"]
        q["seed"]["epoch_index"] = EPOCH_2026
        parts.append(q)
    shape["active_participants"]["participants"] = parts
    shape["active_participants"]["epoch_id"] = EPOCH_2026
    shape["active_participants"]["epoch_group_id"] = int(group["epoch_group_id"])
    shape["addresses"] = shape["addresses"][: len(parts)]
    shape["excluded_participants"] = recorded_2026("dapi_epochs_participants_excluded_fragment.DERIVED.json")[
        "excluded_participants"
    ]
    return shape


def era2026_latest(cpoc: str | None = None) -> dict[str, Any]:
    """DERIVED: ``/v1/epochs/latest`` in epoch 366: the 2025 recorded body (stages, params) with the
    epoch renumbered; ``cpoc`` ``"v0.2.14"`` / ``"v0.2.15"`` lays the DERIVED confirmation-PoC fragment
    of that version over it (phase a number / a name; its real epoch-267 event renumbered to 366)."""
    payload: dict[str, Any] = recorded("gonka-epochs-latest.json")
    payload["latest_epoch"]["index"] = EPOCH_2026
    payload["is_confirmation_poc_active"] = False
    if cpoc is not None:
        fragment = recorded_2026(f"dapi_v1_epochs_latest_cpoc_active.{cpoc}.fragment.DERIVED.json")
        event = fragment["active_confirmation_poc_event"]
        event["epoch_index"] = str(EPOCH_2026) if isinstance(event["epoch_index"], str) else EPOCH_2026
        payload["is_confirmation_poc_active"] = fragment["is_confirmation_poc_active"]
        payload["active_confirmation_poc_event"] = event
    return payload


def era2026_validators(chain: dict[str, Any], jailed: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    """SYNTHETIC: staking validators (the Cosmos SDK shape) of the 2026 chain list's participants."""
    return synthetic_validators(
        {
            "participants": [
                {"address": p["index"], "validator_key": p["validator_key"], "weight": 1000}
                for p in chain["participant"]
            ]
        },
        jailed,
    )


def era2026_params() -> dict[str, Any]:
    """The REAL live params of 2026-09 (alpha 0.5, invalidation H 40 after proposal 96)."""
    payload: dict[str, Any] = recorded_2026("chain_inference_params_live_2026-09.json")
    return payload


def era2026_epoch_group_data() -> dict[str, Any]:
    """The REAL root group of epoch 366 (frozen validation params: H 4, rate 0.1, downtime H 100)."""
    payload: dict[str, Any] = recorded_2026("chain_epoch_group_data_366_root.trimmed.json")
    return payload


def era2026_bulk_summary() -> dict[str, Any]:
    """The REAL bulk ``epoch_performance_summary/276`` (trimmed to 6 rows: 3 rewarded, 3 excluded)."""
    payload: dict[str, Any] = recorded_2026("chain_epoch_performance_summary_bulk_276.trimmed.json")
    return payload


def era2026_estimate(address: str, reward: int, work: int, epoch: int = EPOCH_2026) -> dict[str, Any]:
    """DERIVED: ``estimate_bitcoin_reward/{address}`` in the shape of
    ``chain_estimate_bitcoin_reward.DERIVED.json`` (from query.proto; never captured), with the amounts
    and epoch given (uint64 as strings, as chain REST writes them)."""
    payload: dict[str, Any] = recorded_2026("chain_estimate_bitcoin_reward.DERIVED.json")
    payload["settle_amount"].update(
        participant=address, reward_coins=str(reward), work_coins=str(work), epoch_index=str(epoch)
    )
    return payload


def synthetic_bulk_summary(incomes: dict[str, tuple[int, int]], epoch: int) -> dict[str, Any]:
    """SYNTHETIC: the bulk ``epoch_performance_summary/{epoch}`` listing ``incomes`` (address ->
    (rewarded, earned) ngonka), each row in the shape of the REAL capture's rows (int64 as strings)."""
    template = era2026_bulk_summary()["epochPerformanceSummary"][0]
    rows = []
    for address, (rewarded, earned) in incomes.items():
        row = dict(template)
        row.update(
            participant_id=address,
            epoch_index=str(epoch),
            rewarded_coins=str(rewarded),
            earned_coins=str(earned),
        )
        rows.append(row)
    return {"epochPerformanceSummary": rows}


# -- the probes' world: hosts' versions and metrics, collateral, delegations, model groups -----------


def era2026_versions(patched: bool = True) -> dict[str, Any]:
    """DERIVED: a host's ``/v1/versions`` (``dapi_v1_versions.DERIVED.json``, ML nodes node1 3.0.16,
    node2 0.2.0, node3 ""), or the v0.2.15 host without ``mlnodes`` (not patched)."""
    name = "dapi_v1_versions.DERIVED.json" if patched else "dapi_v1_versions_v0.2.15_unpatched.DERIVED.json"
    payload: dict[str, Any] = recorded_2026(name)
    return payload


def era2026_mlnode_metrics(with_mlnode_up: bool = True) -> str:
    """DERIVED: a host's ``/v1/mlnodes/metrics`` (node1 up, node2 down); without ``mlnode_up`` the
    same text with that family's lines removed (a host whose federation reports no ML node)."""
    text = (DATA_2026 / "dapi_v1_mlnodes_metrics.DERIVED.txt").read_text()
    if with_mlnode_up:
        return text
    return "".join(line for line in text.splitlines(keepends=True) if "mlnode_up" not in line)


def era2026_model_group(model_id: str, members: dict[str, int], epoch: int = EPOCH_2026) -> dict[str, Any]:
    """SYNTHETIC: one model's ``epoch_group_data`` in the REAL shape of the Kimi epoch-267 subgroup,
    renumbered to ``epoch``, listing ``members`` (address -> weight; 0: did not commit PoC)."""
    payload: dict[str, Any] = recorded_2026("chain_epoch_group_data_267_model_kimi.trimmed.json")
    group = payload["epoch_group_data"]
    template = group["validation_weights"][0]
    rows = []
    for address, weight in members.items():
        row = copy.deepcopy(template)
        row["member_address"] = address
        row["weight"] = str(weight)
        row["ml_nodes"] = [{**template["ml_nodes"][0], "poc_weight": str(weight)}] if weight else []
        rows.append(row)
    group.update(
        model_id=model_id, epoch_index=str(epoch), validation_weights=rows, member_seed_signatures=[]
    )
    return payload
