"""Earnings chart render time (matplotlib Agg, the renderer /earnings uses).

Run: python bench/charts.py   (prints ms per chart for 7/30/90 days × 10 nodes)
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.services.charts import render_earnings_png


def main() -> None:
    start = date(2026, 1, 1)
    series = {
        f"rig-{n}": {start + timedelta(days=d): Decimal(n + d) / 7 for d in range(90)} for n in range(10)
    }
    render_earnings_png(series, start=start, days=7, title="warm-up")
    for days in (7, 30, 90):
        times = []
        size = 0
        for _ in range(5):
            t0 = time.perf_counter()
            png = render_earnings_png(series, start=start, days=days, title=f"last {days}d")
            times.append((time.perf_counter() - t0) * 1000)
            size = len(png)
        print(f"{days:>3}d x 10 nodes: median {statistics.median(times):6.0f} ms, {size} bytes")


if __name__ == "__main__":
    main()
