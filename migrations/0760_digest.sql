-- The daily digest: who wants one, at what local time; and what the network schedule is (the next PoC
-- and the safe upgrade window before it), as the poller last saw it.
-- depends: 0650_isolation 0600_network_state

-- One row per user who asked for a digest (/digest HH:MM [time zone]); no row: no digest.
CREATE TABLE user_digests (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    local_time TIME NOT NULL,
    time_zone  VARCHAR(64) NOT NULL,             -- an IANA name PostgreSQL knows (checked on input)
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE network_state
    ADD COLUMN block_height     BIGINT,
    ADD COLUMN next_poc_height  BIGINT,
    ADD COLUMN avg_block_time_s NUMERIC(8, 3),    -- the source's figure, else measured across cycles
    ADD COLUMN block_base_height BIGINT,          -- where the running block-time measurement began
    ADD COLUMN block_base_at     TIMESTAMPTZ;
