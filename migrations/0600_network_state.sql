-- What the last poll cycle saw of the network as a whole (one row): the epoch, whether PoC or a
-- confirmation PoC is under way (offline alerts are held; /nodes and /node say so), and the chain
-- thresholds in force for the epoch (read once per epoch; Decimals as exact strings).
-- depends: 0100_poller_state

CREATE TABLE network_state (
    id                  SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch_id            BIGINT,
    poc_phase           BOOLEAN NOT NULL DEFAULT false,
    cpoc_active         BOOLEAN,                 -- NULL: no source reports confirmation PoC
    cpoc_phase          VARCHAR(40),             -- grace period, generation, validation
    cpoc_epoch_id       BIGINT,
    cpoc_event_sequence BIGINT,
    thresholds          JSONB,                   -- bot.domain.chain_params.EpochThresholds.as_json()
    observed_at         TIMESTAMPTZ NOT NULL
);
