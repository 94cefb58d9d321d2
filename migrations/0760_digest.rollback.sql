-- Undo 0760_digest.
ALTER TABLE network_state
    DROP COLUMN IF EXISTS block_height,
    DROP COLUMN IF EXISTS next_poc_height,
    DROP COLUMN IF EXISTS avg_block_time_s,
    DROP COLUMN IF EXISTS block_base_height,
    DROP COLUMN IF EXISTS block_base_at;
DROP TABLE IF EXISTS user_digests;
