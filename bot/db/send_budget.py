"""The Telegram send budget shared by every replica on one bot token (``telegram_send_budget``).

One row per bot holds the grants of the last window; :func:`take_slot` grants a send when fewer than
``room`` were granted in the last ``window_s`` seconds (plus ``margin_s`` while more than one replica
sends), by the database's clock (the one clock every replica shares), under the row's lock
(``minegnk_take_send_slot``, migration 0650).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.types import Executor

TAKE_SLOT_SQL = "SELECT wait_s, granted_at FROM minegnk_take_send_slot($1, $2, $3, $4, $5)"


@dataclass(frozen=True, slots=True)
class SlotAnswer:
    #: 0 when granted, else seconds until a slot of the window frees
    wait_s: float
    #: the database time of the grant (None when not granted)
    granted_at: datetime | None

    @property
    def granted(self) -> bool:
        return self.granted_at is not None


async def take_slot(
    db: Executor, bot_id: int, room: int, window_s: float, *, owner: str = "", margin_s: float = 0.0
) -> SlotAnswer:
    """A slot for replica ``owner``; the window is ``margin_s`` longer while other replicas send."""
    row = await db.fetchrow(TAKE_SLOT_SQL, bot_id, room, float(window_s), owner, float(margin_s))
    assert row is not None
    return SlotAnswer(wait_s=float(row["wait_s"]), granted_at=row["granted_at"])
