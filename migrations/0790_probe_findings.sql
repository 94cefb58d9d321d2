-- What the probe step last found per watched node (its host's versions and ML-node metrics, its
-- collateral, delegations and model groups: conditions e-h), so /node on any process shows them, and
-- when the step last judged every watched node. One statement per cycle writes both: the run row
-- always, a node's row only when its findings changed; rows of nodes no longer watched are deleted.
-- /node reads findings older than trackers.probes.findings_max_age_s as unknown.
-- depends: 0730_probes

CREATE TABLE probe_findings (
    node_id    UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    digest     TEXT NOT NULL,           -- of data: the step compares it to skip unchanged rows
    data       JSONB NOT NULL,          -- the node's probe facts (bot.db.probes.node_findings_data)
    changed_at TIMESTAMPTZ NOT NULL     -- when data last changed
);

CREATE TABLE probe_findings_run (
    id          BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),  -- one row
    finished_at TIMESTAMPTZ NOT NULL,   -- the last probe step that judged every watched node
    network     JSONB NOT NULL          -- the network's probe facts of that step
);
