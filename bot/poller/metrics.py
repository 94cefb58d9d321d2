"""Prometheus collectors of the poller, registered on the process registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.domain.status import NodeStatus


class PollerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.polls = Counter(
            "minegnk_tracker_polls_total",
            "Source polls by outcome (ok, failed)",
            ["source", "outcome"],
            registry=registry,
        )
        self.failures = Counter(
            "minegnk_tracker_failures_total",
            "Failed source polls by kind (timeout, connection, http, rate_limited, bad_payload, inconsistent,"
            " disabled)",
            ["source", "kind"],
            registry=registry,
        )
        self.last_success = Gauge(
            "minegnk_tracker_last_success_timestamp_seconds",
            "Unix time of the last successful poll of a source",
            ["source"],
            registry=registry,
        )
        self.unknown_verdicts = Counter(
            "minegnk_tracker_unknown_verdicts_total",
            "Node verdicts a source could not give (null fields), by reason",
            ["source", "reason"],
            registry=registry,
        )
        self.disagreements = Counter(
            "minegnk_tracker_disagreements_total",
            "Watched nodes a source omitted while another source listed them (not believed as offline)",
            ["source"],
            registry=registry,
        )
        self.cycles = Counter(
            "minegnk_poll_cycles_total", "Poll cycles by outcome (ok, failed)", ["outcome"], registry=registry
        )
        self.last_cycle = Gauge(
            "minegnk_poll_last_success_timestamp_seconds",
            "Unix time of the last completed poll cycle",
            registry=registry,
        )
        self.cycle_duration = Histogram(
            "minegnk_poll_cycle_duration_seconds",
            "Duration of a whole poll cycle (fetch, map, write)",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.nodes = Gauge(
            "minegnk_nodes_by_status", "Watched nodes by this cycle's status", ["status"], registry=registry
        )
        self.leader = Gauge(
            "minegnk_poller_leader", "1 while this replica holds the poll lock", registry=registry
        )
        self.income_lookups = Counter(
            "minegnk_tracker_income_lookups_total",
            "Settled-income look-ups by source and outcome",
            ["source", "outcome"],
            registry=registry,
        )
        self.income_summaries = Counter(
            "minegnk_tracker_income_summaries_total",
            "Bulk settled-income summaries (one request per settled epoch) by outcome (ok, pending, failed)",
            ["source", "outcome"],
            registry=registry,
        )
        self.estimate_lookups = Counter(
            "minegnk_tracker_estimate_lookups_total",
            "Current-epoch reward estimate look-ups by outcome (ok, none, failed)",
            ["source", "outcome"],
            registry=registry,
        )
        self.rows_skipped = Counter(
            "minegnk_tracker_rows_skipped_total",
            "Participant rows skipped because they failed validation (the node is unknown for that source),"
            " by the field that failed (or 'invalid')",
            ["source", "reason"],
            registry=registry,
        )
        self.values_out_of_range = Counter(
            "minegnk_tracker_values_out_of_range_total",
            "Values no cache column can hold (stored as unknown instead), by field",
            ["source", "field"],
            registry=registry,
        )
        self.thresholds_from_config = Gauge(
            "minegnk_chain_thresholds_from_config",
            "1 while a chain threshold (cPoC alpha, SPRT) comes from config because the chain did not say",
            registry=registry,
        )
        for status in NodeStatus:
            self.nodes.labels(status.value).set(0)
