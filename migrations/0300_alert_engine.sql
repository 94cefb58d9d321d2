-- Alert engine and delivery: outage start for recovery durations, the reason/source an alert was
-- sent for (reminders repeat them), per-target FIFO claiming, and a wake-up for delivery workers.
-- depends: 0002_bot_tables

ALTER TABLE alert_state
    ADD COLUMN incident_started_at TIMESTAMPTZ,       -- when the open incident's outage began
    ADD COLUMN notified_reason     VARCHAR(200),
    ADD COLUMN notified_source     VARCHAR(50);

-- Workers send each target's notifications in order; this finds a target's older unsent rows fast.
CREATE INDEX idx_notifications_target_open ON notifications (platform, target_kind, target_id, created_at)
    WHERE status IN ('pending', 'sending');

-- Wake idle delivery workers when notifications are committed (LISTEN minegnk_outbox).
CREATE FUNCTION minegnk_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('minegnk_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_wake_workers AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION minegnk_outbox_notify();
