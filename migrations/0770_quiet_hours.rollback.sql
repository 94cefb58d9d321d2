-- Undo 0770_quiet_hours (held notifications are released first).
UPDATE notifications SET next_attempt_at = now() WHERE held_until IS NOT NULL AND status = 'pending';
DROP FUNCTION IF EXISTS minegnk_quiet_until(TEXT, TEXT, TIMESTAMPTZ, TEXT[]);
ALTER TABLE notifications DROP COLUMN IF EXISTS conditions;
DROP INDEX IF EXISTS idx_notifications_held;
ALTER TABLE notifications DROP COLUMN IF EXISTS held_until;
DROP TABLE IF EXISTS user_quiet_hours;
