-- Load isolation: outbox priority (node alerts before request notices before broadcasts, also within
-- one target), and the Telegram send budget every replica on one bot token shares.
-- depends: 0300_alert_engine

-- 0 node and monitoring alerts, 1 request notifications and the startup notice, 2 broadcasts
-- (set on enqueue from bot.db.outbox.CLAIM_PRIORITY).
ALTER TABLE notifications ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0;
UPDATE notifications SET priority = CASE
        WHEN kind IN ('request_new', 'request_update', 'startup') THEN 1
        WHEN kind = 'broadcast' THEN 2
        ELSE 0 END
    WHERE status IN ('pending', 'sending') AND kind IN ('request_new', 'request_update', 'startup', 'broadcast');

-- Claim order: the most urgent due rows first.
CREATE INDEX idx_notifications_due_priority ON notifications (platform, priority, next_attempt_at)
    WHERE status IN ('pending', 'sending');
-- Each target's undelivered rows in send order: by priority, then oldest first.
DROP INDEX IF EXISTS idx_notifications_target_open;
CREATE INDEX idx_notifications_target_open ON notifications
    (platform, target_kind, target_id, priority, created_at)
    WHERE status IN ('pending', 'sending');

-- The sends of the last window per bot, shared by every replica using that bot's token.
CREATE TABLE telegram_send_budget (
    bot_id BIGINT PRIMARY KEY,                       -- the token's numeric part
    grants TIMESTAMPTZ[] NOT NULL DEFAULT '{}'       -- when each send of the current window was granted
);

-- Take one send slot if fewer than p_room sends were granted in the last p_window_s seconds (by the
-- database's clock, the one every replica shares). The row lock serialises the replicas; the time is
-- read after the lock is held. Returns wait_s = 0 and granted_at when granted, else the seconds until
-- a slot frees (granted_at NULL).
CREATE FUNCTION minegnk_take_send_slot(
    p_bot BIGINT, p_room INTEGER, p_window_s DOUBLE PRECISION,
    OUT wait_s DOUBLE PRECISION, OUT granted_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    recent TIMESTAMPTZ[];
    t TIMESTAMPTZ;
    n INTEGER;
    span INTERVAL := make_interval(secs => p_window_s);
BEGIN
    SELECT b.grants INTO recent FROM telegram_send_budget b WHERE b.bot_id = p_bot FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO telegram_send_budget (bot_id) VALUES (p_bot) ON CONFLICT (bot_id) DO NOTHING;
        SELECT b.grants INTO recent FROM telegram_send_budget b WHERE b.bot_id = p_bot FOR UPDATE;
    END IF;
    t := clock_timestamp();
    recent := ARRAY(SELECT g FROM unnest(recent) AS g WHERE g > t - span ORDER BY g);
    n := cardinality(recent);
    IF n < p_room THEN
        UPDATE telegram_send_budget SET grants = recent || t WHERE bot_id = p_bot;
        wait_s := 0;
        granted_at := t;
    ELSE
        wait_s := greatest(extract(epoch FROM recent[n - p_room + 1] + span - t)::float8, 0.001);
        granted_at := NULL;
    END IF;
END;
$$;
