"""The tracker link is built in one place from the participant's account address, URL-encoded, for every
identifier type (issue 16 item 6); a validator key names no account by itself: no link at all."""

from __future__ import annotations

import base64

from bot.domain.identifiers import convert_hrp, valcons_from_pubkey
from bot.domain.tracker import UNJAIL_HINT, tracker_link
from tests.helpers import WALLET

TEMPLATE = "https://tracker.example/?participant={address}&epoch={epoch}"
EXPECTED = f"https://tracker.example/?participant={WALLET}&epoch=7"


def test_wallet_operator_and_ml_node_link_to_the_account_address() -> None:
    operator = convert_hrp(WALLET, "gonkavaloper")
    for identifier in (WALLET, operator, f"{WALLET}:node1"):
        assert tracker_link(TEMPLATE, identifier, 7) == EXPECTED, identifier


def test_a_validator_key_gets_no_link_rather_than_a_wrong_one() -> None:
    key = base64.b64encode(bytes(range(32))).decode()
    assert tracker_link(TEMPLATE, key, 7) is None
    assert tracker_link(TEMPLATE, valcons_from_pubkey(key), 7) is None


def test_the_address_is_url_encoded_and_the_epoch_may_be_unknown() -> None:
    assert tracker_link("https://t/{address}?e={epoch}", WALLET, None) == f"https://t/{WALLET}?e="
    assert tracker_link("https://t/?p={address}", "not an identifier") is None


def test_one_unjail_hint() -> None:
    assert UNJAIL_HINT.startswith("inferenced tx slashing unjail --from <your-key>")
