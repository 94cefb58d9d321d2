-- A steady poll cycle rewrites no unchanged cache row. A node's freshness is then read, not written:
-- node_stats_cache.fetched_at is when the row's content was last written (or last confirmed before
-- its node became unknown), source_health.last_fetched_at is the snapshot time of the source's last
-- successful poll, and node_cache_unconfirmed lists the nodes the last cycle could not judge.
-- node_stats_freshness combines them: the time the node's current data was last confirmed.
-- depends: 0100_poller_state

ALTER TABLE source_health ADD COLUMN last_fetched_at TIMESTAMPTZ;

CREATE TABLE node_cache_unconfirmed (
    node_id UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    since   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE VIEW node_stats_freshness AS
SELECT c.node_id,
       CASE WHEN u.node_id IS NULL AND h.last_fetched_at > c.fetched_at THEN h.last_fetched_at
            ELSE c.fetched_at END AS fresh_at
FROM node_stats_cache c
LEFT JOIN source_health h ON h.source = c.source
LEFT JOIN node_cache_unconfirmed u ON u.node_id = c.node_id;
