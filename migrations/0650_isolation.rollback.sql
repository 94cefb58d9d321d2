-- Undo 0650_isolation.
DROP FUNCTION IF EXISTS minegnk_take_send_slot(BIGINT, INTEGER, DOUBLE PRECISION, TEXT, DOUBLE PRECISION);
DROP TABLE IF EXISTS telegram_send_budget;
DROP INDEX IF EXISTS idx_notifications_due_priority;
DROP INDEX IF EXISTS idx_notifications_target_open;
CREATE INDEX idx_notifications_target_open ON notifications (platform, target_kind, target_id, created_at)
    WHERE status IN ('pending', 'sending');
ALTER TABLE notifications DROP COLUMN IF EXISTS priority;
