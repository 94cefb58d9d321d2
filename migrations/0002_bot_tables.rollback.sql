DROP TABLE IF EXISTS node_epoch_earnings;
DROP TABLE IF EXISTS source_health;
DROP TABLE IF EXISTS delivery_targets;
DROP TABLE IF EXISTS notifications;
DROP TABLE IF EXISTS alert_state;
DROP TABLE IF EXISTS alert_routes;
DROP TABLE IF EXISTS mutes;
DROP TABLE IF EXISTS user_alert_settings;
DROP TABLE IF EXISTS admin_audit_log;
DROP TABLE IF EXISTS login_records;
DROP TABLE IF EXISTS link_codes;
ALTER TABLE node_stats_cache
    DROP COLUMN IF EXISTS details,
    DROP COLUMN IF EXISTS ready_to_unjail,
    DROP COLUMN IF EXISTS jailed_until,
    DROP COLUMN IF EXISTS epoch_id,
    DROP COLUMN IF EXISTS status_reason;
