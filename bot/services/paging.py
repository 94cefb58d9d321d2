"""Pagination shared by the list results: page slices and the ◀ / ▶ buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.render.message import Button

T = TypeVar("T")


def page_slice(items: Sequence[T], page: int, size: int) -> tuple[list[T], int, int]:
    """``(items on the page, page clamped to range, page count ≥ 1)``."""
    pages = max(1, -(-len(items) // size))
    page = min(max(0, page), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


def nav_buttons(action: str, page: int, pages: int, *prefix: str) -> tuple[Button, ...]:
    """◀ / ▶ buttons calling ``action`` with ``(*prefix, page)``; empty for a single page."""
    if pages <= 1:
        return ()
    row: list[Button] = []
    if page > 0:
        row.append(Button(label="◀ Prev", action=action, args=(*prefix, str(page - 1))))
    row.append(Button(label=f"{page + 1}/{pages}", action=action, args=(*prefix, str(page))))
    if page < pages - 1:
        row.append(Button(label="Next ▶", action=action, args=(*prefix, str(page + 1))))
    return tuple(row)


#: the tightest platform limit on button rows (Discord: 5 action rows)
MAX_ROWS = 5


def button_grid(
    buttons: Sequence[Button], per_row: int = 2, max_rows: int = MAX_ROWS
) -> tuple[tuple[Button, ...], ...]:
    """Pack buttons into rows of ``per_row``, at most ``max_rows`` rows (the rest are left off)."""
    rows = [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return tuple(rows[:max_rows])
