"""Normalisation of Gonka node identifiers.

Accepted inputs (whitespace and case of bech32 are forgiven):

* wallet / account address ``gonka1…`` (bech32, 20-byte payload) → ``wallet``
* operator address ``gonkavaloper1…`` → ``operator`` (same 20 bytes as the wallet)
* validator: a consensus address ``gonkavalcons1…`` or the base64 ed25519 ``validator_key`` → ``validator``
* an ML node of a participant, ``gonka1…:node1`` → ``node_id`` (ML-node ids are unique only within a
  participant, so they are stored qualified by the wallet)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from bot.errors import InvalidInputError
from bot.i18n.catalogs import N_

IdentifierType = Literal["wallet", "node_id", "operator", "validator"]
IDENTIFIER_TYPES: tuple[IdentifierType, ...] = ("wallet", "node_id", "operator", "validator")

WALLET_HRP = "gonka"
OPERATOR_HRP = "gonkavaloper"
VALCONS_HRP = "gonkavalcons"

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_ML_NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MAX_INPUT = 200


@dataclass(frozen=True, slots=True)
class NodeIdentifier:
    """A normalised identifier; ``value`` is what ``nodes.identifier`` stores."""

    value: str
    type: IdentifierType

    @property
    def account_address(self) -> str | None:
        """The participant's ``gonka1…`` address when derivable from the identifier alone."""
        if self.type == "wallet":
            return self.value
        if self.type == "operator":
            return convert_hrp(self.value, WALLET_HRP)
        if self.type == "node_id":
            return self.value.split(":", 1)[0]
        return None


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _GENERATOR[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    acc = 0
    bits = 0
    ret: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or (value >> frombits):
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


def bech32_decode(address: str) -> tuple[str, bytes] | None:
    """Return ``(hrp, payload bytes)`` of a valid bech32 string, else ``None``."""
    if address.lower() != address and address.upper() != address:
        return None
    address = address.lower()
    pos = address.rfind("1")
    if pos < 1 or pos + 7 > len(address) or len(address) > 90:
        return None
    hrp, data_part = address[:pos], address[pos + 1 :]
    if any(c not in _CHARSET for c in data_part):
        return None
    data = [_CHARSET.find(c) for c in data_part]
    if _polymod(_hrp_expand(hrp) + data) != 1:
        return None
    decoded = _convertbits(data[:-6], 5, 8, pad=False)
    if decoded is None:
        return None
    return hrp, bytes(decoded)


def bech32_encode(hrp: str, payload: bytes) -> str:
    data = _convertbits(payload, 8, 5, pad=True)
    assert data is not None
    values = _hrp_expand(hrp) + data
    polymod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def convert_hrp(address: str, hrp: str) -> str:
    """Re-encode a bech32 address under another prefix (wallet ↔ operator)."""
    decoded = bech32_decode(address)
    if decoded is None:
        raise InvalidInputError(N_("Not a valid bech32 address: {address}"), address=address[:80])
    return bech32_encode(hrp, decoded[1])


def valcons_from_pubkey(validator_key: str) -> str:
    """``gonkavalcons1…`` of a base64 ed25519 pubkey: bech32 of sha256(pubkey)[:20]."""
    raw = base64.b64decode(validator_key, validate=True)
    return bech32_encode(VALCONS_HRP, hashlib.sha256(raw).digest()[:20])


def _is_validator_key(text: str) -> bool:
    if len(text) != 44 or not text.endswith("="):
        return False
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _bech32_with(text: str, hrp: str) -> str | None:
    decoded = bech32_decode(text)
    if decoded is None or decoded[0] != hrp or len(decoded[1]) != 20:
        return None
    return text.lower()


def parse_identifier(raw: str, expected: IdentifierType | None = None) -> NodeIdentifier:
    """Normalise ``raw`` or raise :class:`InvalidInputError` with a message fit for the user."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInputError(N_("The node identifier is empty."))
    if len(text) > _MAX_INPUT:
        raise InvalidInputError(N_("That node identifier is far too long."))
    ident = _classify(text)
    if ident is None:
        raise InvalidInputError(
            N_(
                "That is not a Gonka node identifier. Use a wallet (gonka1…), an operator address "
                "(gonkavaloper1…), a validator key or consensus address (gonkavalcons1…), "
                "or an ML node as gonka1…:node-id."
            )
        )
    if expected is not None and ident.type != expected:
        raise InvalidInputError(
            N_("That identifier is a {type}, not a {expected}."), type=ident.type, expected=expected
        )
    return ident


def _classify(text: str) -> NodeIdentifier | None:
    lowered = text.lower()
    if ":" in text:
        wallet, _, local = text.partition(":")
        w = _bech32_with(wallet.strip(), WALLET_HRP)
        local = local.strip()
        if w is None or not _ML_NODE_ID.match(local):
            return None
        return NodeIdentifier(f"{w}:{local}", "node_id")
    if lowered.startswith(OPERATOR_HRP + "1"):
        v = _bech32_with(text, OPERATOR_HRP)
        return NodeIdentifier(v, "operator") if v else None
    if lowered.startswith(VALCONS_HRP + "1"):
        v = _bech32_with(text, VALCONS_HRP)
        return NodeIdentifier(v, "validator") if v else None
    if lowered.startswith(WALLET_HRP + "1"):
        v = _bech32_with(text, WALLET_HRP)
        return NodeIdentifier(v, "wallet") if v else None
    if _is_validator_key(text):
        return NodeIdentifier(text, "validator")
    return None
