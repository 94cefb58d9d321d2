"""Whole numbers from untrusted text (button data, typed arguments, HTTP headers, CLI arguments).

``str.isdigit()`` is true for ``²`` or ``٣`` and ``int()`` accepts signs, spaces, underscores and any
Unicode decimal digit, so neither is a parse: this module's ASCII ``[0-9]+`` is the only one used on
input the bot does not control.
"""

from __future__ import annotations

import re

_UINT = re.compile(r"[0-9]{1,19}")
#: large enough for any id or page the bot hands out (PostgreSQL bigint and Telegram ids fit)
MAX_UINT = 2**62


def parse_uint(text: str | None, *, maximum: int = MAX_UINT) -> int | None:
    """``text`` as a whole number ``0 <= n <= maximum`` when it is only ASCII digits, else ``None``."""
    if text is None or _UINT.fullmatch(text) is None:
        return None
    value = int(text)
    return value if value <= maximum else None
