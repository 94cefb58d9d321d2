DROP TRIGGER IF EXISTS notifications_wake_workers ON notifications;
DROP FUNCTION IF EXISTS minegnk_outbox_notify();
DROP INDEX IF EXISTS idx_notifications_target_open;
ALTER TABLE alert_state
    DROP COLUMN IF EXISTS incident_started_at,
    DROP COLUMN IF EXISTS notified_reason,
    DROP COLUMN IF EXISTS notified_source;
