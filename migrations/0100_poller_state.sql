-- Poller bookkeeping on source_health: the last epoch each source reported (an epoch that goes
-- backwards is an inconsistent payload) and running poll counters.
-- depends: 0002_bot_tables

ALTER TABLE source_health
    ADD COLUMN last_epoch_id BIGINT,
    ADD COLUMN polls_ok      BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN polls_failed  BIGINT NOT NULL DEFAULT 0;
