"""The event-loop lag metric: a synchronous stretch of work shows up in /metrics and the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest

from bot.looplag import LoopLagMonitor
from bot.metrics import Metrics


def _over(metrics: Metrics, bound: str) -> float:
    """Samples above the bucket ``bound`` (seconds)."""
    total = metrics.registry.get_sample_value("minegnk_event_loop_lag_seconds_count") or 0.0
    below = metrics.registry.get_sample_value("minegnk_event_loop_lag_seconds_bucket", {"le": bound}) or 0.0
    return total - below


async def test_a_blocked_loop_is_measured_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()
    task = asyncio.create_task(LoopLagMonitor(metrics, interval_s=0.02, warn_s=0.2).run())
    await asyncio.sleep(0.1)
    before = _over(metrics, "0.25")
    with caplog.at_level(logging.WARNING, logger="bot.looplag"):
        time.sleep(0.3)  # the point of the test: a synchronous stretch of work
        await asyncio.sleep(0.1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert _over(metrics, "0.25") >= before + 1
    assert "event loop blocked for 0.2" in caplog.text or "event loop blocked for 0.3" in caplog.text
