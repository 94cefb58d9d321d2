"""The operator-facing HTTP endpoint: health, readiness and Prometheus metrics."""
