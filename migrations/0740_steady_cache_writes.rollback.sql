-- Undo 0740_steady_cache_writes: fold the read-side freshness back into every row first.
UPDATE node_stats_cache c SET fetched_at = f.fresh_at
FROM node_stats_freshness f WHERE f.node_id = c.node_id AND f.fresh_at > c.fetched_at;
DROP VIEW IF EXISTS node_stats_freshness;
DROP TABLE IF EXISTS node_cache_unconfirmed;
ALTER TABLE source_health DROP COLUMN IF EXISTS last_fetched_at;
