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
#: daily bars up to two weeks; longer periods are drawn as stacked areas (one polygon per node)
BARS_UP_TO_DAYS = 14
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
        xs = list(range(days))
        heights = [[float(values.get(d, Decimal(0))) for d in dates] for _, values in shown]
        labels = [label[:30] for label, _ in shown]
        if days <= BARS_UP_TO_DAYS:
            bottom = [0.0] * days
            for label, h in zip(labels, heights, strict=True):
                ax.bar(xs, h, bottom=bottom, label=label, width=0.8)
                bottom = [b + v for b, v in zip(bottom, h, strict=True)]
        elif heights:
            # one polygon per series instead of one patch per bar: long periods stay fast
            ax.stackplot(xs, heights, labels=labels, step="mid", alpha=0.9)
        ax.set_title(title)
        ax.set_ylabel("GNK per day")
        ax.grid(axis="y", alpha=0.3)
        if shown:
            ax.legend(loc="upper left", fontsize="small")
        step = max(1, days // 10)
        ax.set_xticks(xs[::step], [d.strftime("%m-%d") for d in dates[::step]])
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
        # fixed margins: tight_layout would draw the whole figure an extra time
        fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.16)
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
