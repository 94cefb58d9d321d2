DROP INDEX IF EXISTS idx_link_codes_spent;
DROP INDEX IF EXISTS idx_login_records_created;
DROP INDEX IF EXISTS idx_notifications_done_created;
