"""Chat input as the bot keeps it.

Text typed in a chat may hold control characters: NUL, which PostgreSQL cannot store in a text value
(any query carrying one fails), and terminal escapes, which have no meaning in a chat and would reach
logs and replies. Both frontends pass every incoming text through :func:`clean_input` once, where it
enters, so the services only ever see printable text (line breaks and tabs are kept).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_input(text: str) -> str:
    """``text`` without C0 control characters and DEL, except tab and line breaks."""
    return _CONTROL.sub("", text)
