"""The chain's Decimal, read exactly from every form the network sends it in.

The inference chain defines some numbers as a ``Decimal`` message ``{value int64, exponent int32}``
meaning ``value × 10^exponent``. How it reaches us depends on who serialised it
(``docs/trackers.md``; each shape's capture in ``tests/data/trackers/2026/SOURCES.md``):

===============================================  =========================================
chain REST ``/chain-api`` (grpc-gateway)          ``{"value": "924919395994990", "exponent": -16}``
dapi ``/v1``, ``/v2`` (v0.2.14, encoding/json)    ``{"value": 57419461588255, "exponent": -16}``;
                                                  a zero exponent omitted: ``{"value": 1}``;
                                                  a zero Decimal: ``{}``
dapi from v0.2.15                                 numbers may be strings: ``{"value": "5", "exponent": "-1"}``
a nil Decimal (no cPoC yet this epoch)            ``null``
Hyperfusion, older payloads                       a plain number (``1``, ``0.0541``) or a numeric string
===============================================  =========================================

:func:`chain_decimal` turns each into a :class:`~decimal.Decimal` built digit by digit (never through
binary float arithmetic: a JSON float is read from its shortest ``repr``), or ``None`` for ``null``.
:data:`ChainDecimal` is the same as a pydantic field type. Anything else (a bool, a list, an exponent
that is not an integer, NaN, a value of absurd size) is a ``ValueError``, which pydantic reports as a
validation error of that field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainValidator

#: the chain's exponent is an int32; real ones are within a few dozen of zero
MAX_ABS_EXPONENT = 400
#: an int64 has 19 digits; a little headroom for the v0.2.15 strings, none for a denial of service
MAX_DIGITS = 40


def _from_text(text: str) -> Decimal:
    text = text.strip()
    if not text or len(text) > MAX_DIGITS + 8:
        raise ValueError(f"not a decimal number: {text[:20]!r}")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {text[:20]!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a finite number: {text[:20]!r}")
    return d


def _scalar(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{what}: a boolean is not a number")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise ValueError(f"{what}: more than {MAX_DIGITS} digits")
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest string that reads back as this float: 0.0541 -> "0.0541", never
        # Decimal(0.0541) = 0.05410000000000000169...
        return _from_text(repr(value))
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}: not a finite number")
        return value
    raise ValueError(f"{what}: expected a number or a numeric string, got {type(value).__name__}")


def _exponent(value: Any) -> int:
    if value is None:
        return 0
    d = _scalar(value, "exponent")
    if d != d.to_integral_value():
        raise ValueError(f"exponent is not an integer: {value!r}")
    exp = int(d)
    if abs(exp) > MAX_ABS_EXPONENT:
        raise ValueError(f"exponent out of range: {exp}")
    return exp


def chain_decimal(raw: Any) -> Decimal | None:
    """The exact value of a chain number in any of its forms; ``None`` for ``null``."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        value = raw.get("value")
        base = Decimal(0) if value is None else _scalar(value, "value")
        exp = _exponent(raw.get("exponent"))
        if exp == 0:
            return base
        sign, digits, base_exp = base.as_tuple()
        assert isinstance(base_exp, int)  # finite: checked by _scalar
        # shifting the exponent of the digit tuple: exact, no context precision or rounding involved
        return Decimal((sign, digits, base_exp + exp))
    return _scalar(raw, "value")


#: a pydantic field type: ``confirmation_poc_ratio: ChainDecimal = None``
ChainDecimal = Annotated[Decimal | None, PlainValidator(chain_decimal)]
