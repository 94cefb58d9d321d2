"""Prometheus collectors of the alert engine and the delivery workers (on ``Metrics.registry``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class AlertMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.sent = Counter(
            "minegnk_notifications_sent_total",
            "Notifications the platform accepted",
            ["platform", "kind"],
            registry=registry,
        )
        self.failed = Counter(
            "minegnk_notifications_failed_total",
            "Notifications given up on (target gone, refused, out of attempts), recorded in the outbox",
            ["platform", "reason"],
            registry=registry,
        )
        self.suppressed = Counter(
            "minegnk_notifications_suppressed_total",
            "Notifications not enqueued for a user because of a mute or their alert settings",
            ["platform", "reason"],
            registry=registry,
        )
        self.condition_events = Counter(
            "minegnk_condition_events_total",
            "Node alert events by condition (its metric label) and kind (alert, change, recovery, ...)",
            ["condition", "kind"],
            registry=registry,
        )
        self.nodes_by_condition = Gauge(
            "minegnk_nodes_by_condition",
            "Watched nodes by alert condition and its state in the last cycle",
            ["condition", "state"],
            registry=registry,
        )
        self.retries = Counter(
            "minegnk_notification_retries_total",
            "Send attempts that will be retried (rate limited, network error, 5xx)",
            ["platform", "reason"],
            registry=registry,
        )
        self.outbox_depth = Gauge(
            "minegnk_outbox_depth",
            "Notifications waiting to be delivered (pending or being sent)",
            ["platform"],
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            "minegnk_outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered notification",
            ["platform"],
            registry=registry,
        )
        self.latency = Histogram(
            "minegnk_notification_latency_seconds",
            "Time from detecting the change (end of the poll cycle) to the platform accepting the message",
            ["platform"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
            registry=registry,
        )
