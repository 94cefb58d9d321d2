"""The chain's Decimal in every form the network sends it, read exactly (never through a float)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from integrations.chain_decimal import ChainDecimal, chain_decimal

FORMS: list[tuple[str, Any, Decimal | None]] = [
    (
        "chain REST: string value",
        {"value": "924919395994990", "exponent": -16},
        Decimal("0.0924919395994990"),
    ),
    ("dapi v0.2.14: number value", {"value": 57419461588255, "exponent": -16}, Decimal("0.0057419461588255")),
    ("v0.2.15: both strings", {"value": "5", "exponent": "-1"}, Decimal("0.5")),
    ("positive exponent", {"value": "4", "exponent": 1}, Decimal(40)),
    ("exponent omitted (zero)", {"value": 1}, Decimal(1)),
    ("zero Decimal", {}, Decimal(0)),
    ("null: no cPoC yet", None, None),
    ("plain int", 1, Decimal(1)),
    ("plain float, by its repr", 0.0541, Decimal("0.0541")),
    ("numeric string", "0.18", Decimal("0.18")),
    ("int64 at its limit", {"value": str(2**63 - 1), "exponent": -18}, Decimal("9.223372036854775807")),
]


@pytest.mark.parametrize(("name", "raw", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_reads_exactly(name: str, raw: Any, expected: Decimal | None) -> None:
    got = chain_decimal(raw)
    # equal to the Decimal built from the digits: a float on the way would show (0.0541 is not exact)
    assert got == expected and (got is None or isinstance(got, Decimal))
    assert TypeAdapter(ChainDecimal).validate_python(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        True,
        [1],
        "abc",
        "NaN",
        "Infinity",
        {"value": "1", "exponent": 0.5},
        {"value": "1", "exponent": 10**6},
        {"value": "1" * 80},
        {"value": {"x": 1}},
    ],
)
def test_what_is_no_number_is_a_validation_error_of_that_field(raw: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(ChainDecimal).validate_python(raw)
