-- Exact earnings (issue 13): when each epoch's rewards settled (its UTC day is the earnings_history
-- row it counts in) and the chain's reward estimate of the current epoch per node.
-- depends: 0650_isolation

CREATE TABLE settled_epochs (
    epoch_id      BIGINT PRIMARY KEY,
    settled_at    TIMESTAMPTZ NOT NULL,
    settled_day   DATE NOT NULL,                    -- UTC day of settled_at
    settle_height BIGINT,                           -- the claim_money height it settled at, if known
    estimated     BOOLEAN NOT NULL DEFAULT false,   -- settled_at inferred (backfill, migration), not seen
    complete      BOOLEAN NOT NULL DEFAULT false,   -- read from the bulk summary: every node watched
                                                    -- then has its node_epoch_earnings row
    source        VARCHAR(50),
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (settled_day = (settled_at AT TIME ZONE 'UTC')::date)
);
CREATE INDEX idx_settled_epochs_day ON settled_epochs (settled_day);

-- The chain's estimate (estimate_bitcoin_reward) of each node's reward in the current epoch, asked
-- once per node per epoch. Both amounts NULL: the chain has none (not in the epoch's active set).
CREATE TABLE reward_estimates (
    node_id       UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    epoch_id      BIGINT NOT NULL,
    reward_ngonka NUMERIC(38, 0) CHECK (reward_ngonka >= 0),
    work_ngonka   NUMERIC(38, 0) CHECK (work_ngonka >= 0),
    fetched_at    TIMESTAMPTZ NOT NULL
);

-- Epochs the ledger already holds settled (about) when the bot first recorded one of their rows.
INSERT INTO settled_epochs (epoch_id, settled_at, settled_day, estimated, complete, source)
SELECT epoch_id, min(recorded_at), (min(recorded_at) AT TIME ZONE 'UTC')::date, true, false,
       (array_agg(source ORDER BY recorded_at))[1]
FROM node_epoch_earnings
GROUP BY epoch_id;
