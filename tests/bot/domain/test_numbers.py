"""Whole numbers from untrusted text: ASCII digits only, bounded; everything else is "not a number"."""

from __future__ import annotations

import pytest

from bot.domain.numbers import parse_uint
from bot.services.arguments import request_number as parse_number
from integrations.http import parse_retry_after


@pytest.mark.parametrize("text", ["0", "7", "0042", "4611686018427387904"])
def test_ascii_digits_parse(text: str) -> None:
    assert parse_uint(text) == int(text)


@pytest.mark.parametrize(
    "text", ["²", "¹²", "٣", "１２", "-1", "+1", " 1", "1 ", "1_0", "", "9" * 20, "4611686018427387905", None]
)
def test_anything_else_is_not_a_number(text: str | None) -> None:
    assert parse_uint(text) is None


def test_a_superscript_retry_after_header_is_ignored_not_a_crash() -> None:
    # "²".isdigit() is true and float("²") raises: the header parser used to crash on it
    assert parse_retry_after("²") is None
    assert parse_retry_after("3") == 3.0


def test_a_request_number_is_ascii_digits() -> None:
    assert parse_number("#42") == 42
    for bad in ("٤٢", "²", "1_000", "-3"):
        with pytest.raises(Exception, match="whole number"):
            parse_number(bad)
