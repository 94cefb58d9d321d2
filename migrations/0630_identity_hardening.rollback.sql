-- Undo 0630_identity_hardening (the bot of before it matched emails with lower()).
DROP INDEX IF EXISTS idx_login_records_identity_failed;
DROP INDEX IF EXISTS idx_users_email_key;
DROP FUNCTION IF EXISTS minegnk_email_key(text);
