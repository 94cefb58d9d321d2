"""Identifiers typed by users are normalised or refused with a clear message."""

from __future__ import annotations

import pytest

from bot.domain.identifiers import convert_hrp, parse_identifier, valcons_from_pubkey
from bot.errors import InvalidInputError

WALLET = "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7"  # participant #1 of the hyperfusion capture
VALIDATOR_KEY = "f0pIRnCz3CR8Llv/A8dMkyGITRDp0ukI7+5dhHQWk1Y="


def test_wallet_is_lower_cased_and_trimmed() -> None:
    ident = parse_identifier(f"  {WALLET.upper()} ")
    assert (ident.value, ident.type) == (WALLET, "wallet")


def test_operator_address_maps_to_the_same_account() -> None:
    operator = convert_hrp(WALLET, "gonkavaloper")
    ident = parse_identifier(operator)
    assert ident.type == "operator"
    assert ident.account_address == WALLET


def test_validator_key_is_kept_verbatim() -> None:
    ident = parse_identifier(VALIDATOR_KEY)
    assert (ident.value, ident.type) == (VALIDATOR_KEY, "validator")


def test_consensus_address_is_a_validator() -> None:
    valcons = valcons_from_pubkey(VALIDATOR_KEY)
    assert valcons.startswith("gonkavalcons1")
    assert parse_identifier(valcons).type == "validator"


def test_ml_node_id_is_qualified_by_its_wallet() -> None:
    ident = parse_identifier(f"{WALLET.upper()}:mlnode-large-8b88e29a")
    assert ident.value == f"{WALLET}:mlnode-large-8b88e29a"
    assert ident.type == "node_id"
    assert ident.account_address == WALLET


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "gonka1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh8",  # checksum broken
        "cosmos1qzmhx83xnamk0uqup3lxpf2te9karrwjm9cjh7",
        "<script>alert(1)</script>",
        "'; DROP TABLE nodes; --",
        "gonka1" + "q" * 300,
        f"{WALLET}:",
        f"{WALLET}:bad id with spaces",
    ],
)
def test_malformed_identifiers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_identifier(raw)


def test_expected_type_mismatch_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="is a wallet, not a operator"):
        parse_identifier(WALLET, "operator")
