"""Formatting helpers: exact GNK amounts, durations, ages and badges (property-based)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.formatting import (
    format_age,
    format_duration,
    format_fiat,
    format_gnk,
    format_percent,
    parse_duration,
    quantize_gnk,
    status_badge,
)
from bot.errors import InvalidInputError
from bot.i18n.catalogs import Catalogs

gnk = st.decimals(
    min_value=Decimal("-999999999999.99999999"),
    max_value=Decimal("999999999999.99999999"),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)


@given(gnk)
def test_gnk_amounts_round_trip_exactly_to_8_places(amount: Decimal) -> None:
    text = format_gnk(amount)
    assert text.endswith(" GNK")
    assert Decimal(text.removesuffix(" GNK").replace(",", "")) == quantize_gnk(amount)


@given(gnk)
def test_gnk_amounts_have_between_2_and_8_decimals(amount: Decimal) -> None:
    decimals = format_gnk(amount, unit=False).partition(".")[2]
    assert 2 <= len(decimals) <= 8


def test_gnk_examples() -> None:
    assert format_gnk(Decimal("1234.5")) == "1,234.50 GNK"
    assert format_gnk(Decimal("0.00000001")) == "0.00000001 GNK"
    assert format_gnk(None) == "—"


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_fiat_has_two_places(amount: Decimal) -> None:
    text = format_fiat(amount, "EUR")
    assert text.endswith(" EUR") and len(text.split()[0].partition(".")[2]) == 2


@given(st.integers(min_value=1, max_value=30 * 86400))
def test_durations_parse_back_from_compact_form(seconds: int) -> None:
    minutes = max(1, seconds // 60)
    assert parse_duration(f"{minutes}m", maximum=timedelta(days=30)) == timedelta(minutes=minutes)


@given(st.integers(min_value=-(10**6), max_value=10**8))
def test_format_duration_is_short_and_never_empty(seconds: int) -> None:
    text = format_duration(seconds)
    assert text and len(text.split()) <= 2


def test_duration_examples() -> None:
    assert format_duration(timedelta(days=2, hours=3, minutes=5)) == "2d 3h"
    assert format_duration(3600) == "1h"
    assert format_duration(59) == "59s"
    assert parse_duration("1h30m", maximum=timedelta(days=1)) == timedelta(minutes=90)
    assert parse_duration("1w", maximum=timedelta(days=30)) == timedelta(weeks=1)


@pytest.mark.parametrize("bad", ["", "soon", "0m", "5x", "-1h", "1h later"])
def test_bad_durations_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_duration(bad, maximum=timedelta(days=30))


def test_a_duration_over_the_maximum_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="longest"):
        parse_duration("5w", maximum=timedelta(days=30))


@given(st.integers(min_value=0, max_value=10**8))
def test_ages(seconds: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    text = format_age(now - timedelta(seconds=seconds), now)
    assert text == "just now" if seconds < 60 else text.endswith(" ago")


def test_badges_and_percent() -> None:
    assert status_badge("jailed") == "🔴 jailed"
    assert status_badge(None) == "⚪ no data"
    assert format_percent(Decimal("99.50")) == "99.5%"
    assert format_percent(None) == "—"


def test_durations_ages_and_badges_in_each_language() -> None:
    catalogs = Catalogs()
    ru, zh = catalogs.translator("ru"), catalogs.translator("zh")
    three_h_20 = timedelta(hours=3, minutes=20)
    assert format_duration(three_h_20, ru) == "3 ч 20 мин"
    assert format_duration(three_h_20, zh) == "3小时 20分钟"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert format_age(now - timedelta(minutes=5), now, ru) == "5 мин назад"
    assert format_age(None, now, zh) == "从未"
    assert status_badge("jailed", ru) == "🔴 в джейле"
    assert status_badge(None, zh) == "⚪ 无数据"
