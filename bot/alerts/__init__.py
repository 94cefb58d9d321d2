"""The alert engine (confirmed transitions → outbox) and the delivery workers (outbox → platforms)."""
