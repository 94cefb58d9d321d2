-- Per-host probes (a host's /v1/versions and /v1/mlnodes/metrics) and the chain look-ups behind the
-- collateral and model-participation conditions: one row per (kind, subject) holding the last result
-- and when it may be asked again. A host answering 404 or 429 (or failing) is backed off
-- exponentially; the back-off survives restarts because it lives here. NULL data is unknown.
-- depends: 0600_network_state

CREATE TABLE probe_results (
    kind         TEXT NOT NULL CHECK (kind IN ('versions', 'mlnode_metrics', 'collateral',
                                               'poc_delegation', 'model_group', 'chain_epoch')),
    subject      TEXT NOT NULL CHECK (length(subject) <= 300),  -- host URL, address, model id, ''
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'not_served', 'rate_limited', 'failed')),
    epoch_id     BIGINT,                         -- the epoch the data is of (chain look-ups)
    data         JSONB,                          -- the parsed answer; NULL: not known
    http_status  INTEGER,                        -- of the last failure
    failures     INTEGER NOT NULL DEFAULT 0,     -- consecutive failures: the back-off level
    next_at      TIMESTAMPTZ NOT NULL,           -- not asked again before this
    observed_at  TIMESTAMPTZ NOT NULL,           -- last asked
    ok_at        TIMESTAMPTZ,                    -- last answered
    last_error   TEXT,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX idx_probe_results_due ON probe_results (kind, next_at);
