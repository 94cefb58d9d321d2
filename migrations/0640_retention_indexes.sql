-- Retention (issue 15): the pruner finds what it deletes by index, and /stats reads bounded ranges.
-- depends: 0002_bot_tables

-- finished notifications by age: pruning, and /stats' "failed in 24 h"
CREATE INDEX idx_notifications_done_created ON notifications (created_at)
    WHERE status IN ('delivered', 'failed', 'suppressed');
CREATE INDEX idx_login_records_created ON login_records (created_at);
-- a code is spent once used or expired
CREATE INDEX idx_link_codes_spent ON link_codes ((coalesce(used_at, expires_at)));
