"""Earnings charts: PNG images drawn with matplotlib's object API (Agg), off the event loop.

matplotlib keeps process-wide state (font cache, rcParams), so renders are serialised by a lock and
run in a worker thread; the event loop never draws.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_SERIES = 6
_DRAW_LOCK = threading.Lock()


def render_earnings_png(
    series: Mapping[str, Mapping[date, Decimal]], *, start: date, days: int, title: str
) -> bytes:
    """Stacked daily bars per node (the largest ``MAX_SERIES`` by total, the rest as "others")."""
    dates = [start + timedelta(days=i) for i in range(days)]
    ranked = sorted(series.items(), key=lambda kv: sum(kv[1].values(), Decimal(0)), reverse=True)
    shown: list[tuple[str, Mapping[date, Decimal]]] = list(ranked[:MAX_SERIES])
    if len(ranked) > MAX_SERIES:
        others: dict[date, Decimal] = {}
        for _, values in ranked[MAX_SERIES:]:
            for d, v in values.items():
                others[d] = others.get(d, Decimal(0)) + v
        shown.append(("others", others))
    with _DRAW_LOCK:
        fig = Figure(figsize=(8, 4), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        bottom = [0.0] * days
        xs = list(range(days))
        for label, values in shown:
            heights = [float(values.get(d, Decimal(0))) for d in dates]
            ax.bar(xs, heights, bottom=bottom, label=label[:30], width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_title(title)
        ax.set_ylabel("GNK per day")
        ax.grid(axis="y", alpha=0.3)
        if shown:
            ax.legend(loc="upper left", fontsize="small")
        step = max(1, days // 10)
        ax.set_xticks(xs[::step], [d.strftime("%m-%d") for d in dates[::step]])
        fig.autofmt_xdate()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


class ChartRenderer:
    """Renders in a worker thread, one at a time (bounded CPU on a shared machine)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def earnings_png(
        self, series: Mapping[str, Mapping[date, Decimal]], *, start: date, days: int, title: str
    ) -> bytes:
        async with self._lock:
            return await asyncio.to_thread(render_earnings_png, series, start=start, days=days, title=title)
