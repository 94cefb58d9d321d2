-- Undo 0790_sparse_alert_state: every seen group gets its ok row back.
INSERT INTO alert_state (node_id, condition_group, notified_status, status_since, last_observed_status,
                         last_observed_at)
SELECT n.node_id, g, 'ok', n.since, 'ok', n.since
FROM alert_nodes n CROSS JOIN LATERAL unnest(n.groups) AS g
ON CONFLICT (node_id, condition_group) DO NOTHING;
DROP TABLE IF EXISTS alert_nodes;
