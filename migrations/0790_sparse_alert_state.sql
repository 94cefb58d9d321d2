-- alert_state keeps only the (node, condition group) pairs that are not plainly ok: a problem (told or a
-- silent baseline), a pending change or an open incident. A group that is ok with nothing pending has no
-- row; alert_nodes records which groups of a node the engine has seen (its silent baseline), so a
-- missing row of a seen group reads ok and a group never seen is still a silent baseline at first sight.
-- A steady fleet then loads and writes almost nothing per cycle.
-- depends: 0710_conditions

CREATE TABLE alert_nodes (
    node_id UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    groups  TEXT[] NOT NULL,           -- condition groups seen (baselined), sorted
    since   TIMESTAMPTZ NOT NULL       -- the node's first baseline
);

INSERT INTO alert_nodes (node_id, groups, since)
SELECT node_id, array_agg(condition_group::text ORDER BY condition_group), min(status_since)
FROM alert_state GROUP BY node_id;

DELETE FROM alert_state
WHERE notified_status = 'ok' AND pending_status IS NULL AND pending_count = 0 AND incident_id IS NULL;
