"""The network's phase for the node views: shown by ``/nodes`` and ``/node`` on every frontend."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import network_state
from bot.db.types import Pool
from bot.i18n.catalogs import ENGLISH, Translator
from bot.render.message import Span


async def phase_line(
    pool: Pool, now: datetime, fresh_for: timedelta, t: Translator = ENGLISH
) -> tuple[Span, ...] | None:
    """``⏳ Confirmation PoC in progress (generation) · offline alerts are held`` while the last
    cycle (no older than ``fresh_for``) saw PoC or a confirmation PoC under way; None otherwise."""
    state = await network_state.load(pool)
    if state is None or now - state.observed_at > fresh_for:
        return None  # a stopped poller's last word is no longer news
    text = state.phase_text(t)
    if text is None:
        return None
    return (Span(text="⏳ "), Span(text=text, style="bold"), Span(text=" · " + t("offline alerts are held")))
