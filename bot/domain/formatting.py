"""Formatting shared by every frontend: status badges, GNK and fiat amounts, durations and ages.

Texts take the reader's :class:`~bot.i18n.catalogs.Translator` (``t``; English when none is given).
Amounts are :class:`~decimal.Decimal` end to end. GNK is shown exactly to 8 places (the schema's
``DECIMAL(20,8)``) with trailing zeros trimmed to at least 2, so nothing is ever rounded away.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from bot.errors import InvalidInputError
from bot.i18n.catalogs import ENGLISH, N_, Translator

GNK_PLACES = Decimal("0.00000001")
FIAT_PLACES = Decimal("0.01")

_BADGES = {
    "healthy": "🟢",
    "unhealthy": "🟡",
    "jailed": "🔴",
    "offline": "⚫",
    "unknown": "⚪",
}


#: the statuses' words, for the catalogue
_STATUS_WORDS = (N_("healthy"), N_("unhealthy"), N_("jailed"), N_("offline"), N_("unknown"))


def status_badge(status: str | None, t: Translator = ENGLISH) -> str:
    """``🟢 healthy`` and so on; no data at all is ``⚪ no data``."""
    if status is None:
        return "⚪ " + t("no data")
    return f"{_BADGES.get(status, '⚪')} {t.text(status)}"


def quantize_gnk(amount: Decimal) -> Decimal:
    """The amount to exactly 8 places (banker's rounding beyond that; stored values never need it)."""
    return amount.quantize(GNK_PLACES, rounding=ROUND_HALF_EVEN)


def _group(text: str) -> str:
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{frac}" if frac else f"{sign}{grouped}"


def format_gnk(amount: Decimal | None, *, unit: bool = True) -> str:
    """``1,234.5678 GNK``: exact to 8 places, trailing zeros trimmed (at least 2 decimals)."""
    if amount is None:
        return "—"
    text = f"{quantize_gnk(amount):f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    out = _group(f"{whole}.{frac}")
    if out in ("-0.00",):
        out = "0.00"
    return f"{out} GNK" if unit else out


def format_fiat(amount: Decimal | None, currency: str) -> str:
    """``1,234.57 USD`` (2 places, half-even)."""
    if amount is None:
        return "—"
    text = f"{amount.quantize(FIAT_PLACES, rounding=ROUND_HALF_EVEN):f}"
    out = _group(text)
    if out == "-0.00":
        out = "0.00"
    return f"{out} {currency}"


def format_percent(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{d:f}".rstrip("0").rstrip(".")
    return f"{text}%"


_UNITS = (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
#: an amount of one unit (``3h``: ru ``3 ч``, zh ``3小时``)
UNIT_TEXTS = {"d": N_("{n}d"), "h": N_("{n}h"), "m": N_("{n}m"), "s": N_("{n}s")}


def unit_text(n: int, unit: str, t: Translator = ENGLISH) -> str:
    """``n`` of a unit (``d``, ``h``, ``m``, ``s``) in the reader's language."""
    return t(UNIT_TEXTS[unit], n=n)


def format_duration(value: timedelta | float, t: Translator = ENGLISH) -> str:
    """The two largest units: ``2d 3h``, ``45m``, ``0s``. Negative durations are shown as ``0s``."""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds <= 0:
        return unit_text(0, "s", t)
    parts: list[tuple[int, str]] = []
    for name, size in _UNITS[1:]:  # weeks read badly in "down for"; days are enough
        n, seconds = divmod(seconds, size)
        if n or parts:
            parts.append((n, name))
        if len(parts) == 2:
            break
    parts = [p for p in parts if p[0]] or parts[:1]
    return " ".join(unit_text(n, name, t) for n, name in parts)


def format_age(then: datetime | None, now: datetime, t: Translator = ENGLISH) -> str:
    """``just now``, ``5m ago``, ``2h 10m ago``; ``never`` when unknown."""
    if then is None:
        return t("never")
    delta = now - then
    if delta.total_seconds() < 60:
        return t("just now")
    return t("{duration} ago", duration=format_duration(delta, t))


_DURATION = re.compile(r"(\d{1,6})\s*([smhdw])")


def parse_duration(text: str, *, maximum: timedelta) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``1w`` and combinations like ``1h30m``; at most ``maximum``."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned) != "":
        raise InvalidInputError("That is not a duration. Use for example 30m, 2h, 1d or 1w.")
    total = sum(int(n) * dict(_UNITS)[unit] for n, unit in _DURATION.findall(cleaned))
    if total <= 0:
        raise InvalidInputError("The duration must be longer than zero.")
    if total > maximum.total_seconds():
        raise InvalidInputError(f"The longest mute is {format_duration(maximum)}.")
    return timedelta(seconds=total)
