ALTER TABLE source_health
    DROP COLUMN IF EXISTS last_epoch_id,
    DROP COLUMN IF EXISTS polls_ok,
    DROP COLUMN IF EXISTS polls_failed;
