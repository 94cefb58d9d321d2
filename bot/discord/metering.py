"""Command metrics for every interaction kind: slash commands, button clicks, form submissions.

Labels: ``platform="discord"``, ``command`` = the slash command name, ``button:<action>`` or
``form:<name>`` (bounded: actions and forms are a fixed set), ``outcome`` = ok / user_error / error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot.errors import UserError
from bot.metrics import Metrics


class Meter:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        except UserError:
            outcome = "user_error"
            raise
        finally:
            self._metrics.commands.labels("discord", name, outcome).inc()
            self._metrics.command_latency.labels("discord", name).observe(time.monotonic() - started)
