"""Prometheus metrics. One :class:`Metrics` per process, built by the composition root.

Subsystems add their own collectors to ``metrics.registry`` (see ``bot.poller.metrics`` and
``bot.alerts.metrics``); nothing registers on the global default registry.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.command_latency = Histogram(
            "minegnk_command_latency_seconds",
            "Time from receiving a chat command to having answered it",
            ["platform", "command"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.commands = Counter(
            "minegnk_commands_total",
            "Chat commands handled, by outcome (ok, user_error, error)",
            ["platform", "command", "outcome"],
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "minegnk_event_loop_lag_seconds",
            "How late a 100 ms timer fired: time the event loop spent on one synchronous stretch",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.up = Gauge("minegnk_up", "1 while the process runs", registry=self.registry)
        self.component_up = Gauge(
            "minegnk_component_up", "1 while a component runs", ["component"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
