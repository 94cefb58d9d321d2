-- Undo 0710_conditions (the status group's rows are kept; other groups' rows are dropped).
DROP TABLE IF EXISTS watch_intros;
UPDATE user_alert_settings SET
    jailed = coalesce((conditions->>'jailed')::boolean, jailed),
    offline = coalesce((conditions->>'offline')::boolean, offline),
    unhealthy = coalesce((conditions->>'unhealthy')::boolean, unhealthy);
ALTER TABLE user_alert_settings DROP COLUMN IF EXISTS conditions;
DROP INDEX IF EXISTS idx_alert_state_open;
DELETE FROM alert_state WHERE condition_group <> 'status';
ALTER TABLE alert_state DROP CONSTRAINT alert_state_pkey;
ALTER TABLE alert_state ADD PRIMARY KEY (node_id);
ALTER TABLE alert_state DROP COLUMN condition_group;
ALTER TABLE alert_state DROP COLUMN episode;
UPDATE alert_state SET notified_status = 'healthy' WHERE notified_status NOT IN ('unhealthy', 'jailed', 'offline');
UPDATE alert_state SET pending_status = 'healthy' WHERE pending_status IS NOT NULL
    AND pending_status NOT IN ('unhealthy', 'jailed', 'offline');
UPDATE alert_state SET last_observed_status = 'healthy' WHERE last_observed_status = 'ok';
ALTER TABLE alert_state ALTER COLUMN notified_status TYPE VARCHAR(20);
ALTER TABLE alert_state ALTER COLUMN pending_status TYPE VARCHAR(20);
ALTER TABLE alert_state ALTER COLUMN last_observed_status TYPE VARCHAR(20);
ALTER TABLE alert_state ADD CONSTRAINT alert_state_notified_status_check
    CHECK (notified_status IN ('healthy', 'unhealthy', 'jailed', 'offline'));
ALTER TABLE alert_state ADD CONSTRAINT alert_state_pending_status_check
    CHECK (pending_status IN ('healthy', 'unhealthy', 'jailed', 'offline'));
