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
    bot_id       BIGINT PRIMARY KEY,                   -- the token's numeric part
    grants       TIMESTAMPTZ[] NOT NULL DEFAULT '{}',  -- when each send of the current window was granted
    last_owner   TEXT,                                 -- the replica that took the last slot
    shared_until TIMESTAMPTZ                           -- until then, more than one replica is sending
);

-- Take one send slot for replica p_owner if fewer than p_room sends were granted in the last window,
-- by the database's clock (the one every replica shares). The window is p_window_s long, and
-- p_margin_s longer while more than one replica sends (two processes' sends reach Telegram with
-- different delays: the margin keeps their interleaving under the rate there too). The row lock
-- serialises the replicas; the time is read after the lock is held. Returns wait_s = 0 and
-- granted_at when granted, else the seconds until a slot frees (granted_at NULL).
CREATE FUNCTION minegnk_take_send_slot(
    p_bot BIGINT, p_room INTEGER, p_window_s DOUBLE PRECISION, p_owner TEXT, p_margin_s DOUBLE PRECISION,
    OUT wait_s DOUBLE PRECISION, OUT granted_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    b telegram_send_budget%ROWTYPE;
    recent TIMESTAMPTZ[];
    t TIMESTAMPTZ;
    n INTEGER;
    span INTERVAL;
BEGIN
    SELECT * INTO b FROM telegram_send_budget WHERE bot_id = p_bot FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO telegram_send_budget (bot_id) VALUES (p_bot) ON CONFLICT (bot_id) DO NOTHING;
        SELECT * INTO b FROM telegram_send_budget WHERE bot_id = p_bot FOR UPDATE;
    END IF;
    t := clock_timestamp();
    IF b.last_owner IS NOT NULL AND b.last_owner <> p_owner THEN
        b.shared_until := t + interval '10 seconds';
    END IF;
    span := make_interval(secs => p_window_s + CASE WHEN b.shared_until > t THEN p_margin_s ELSE 0 END);
    recent := ARRAY(SELECT g FROM unnest(b.grants) AS g WHERE g > t - make_interval(secs => p_window_s + p_margin_s)
                    ORDER BY g);
    n := (SELECT count(*) FROM unnest(recent) AS g WHERE g > t - span);
    IF n < p_room THEN
        UPDATE telegram_send_budget
        SET grants = recent || t, last_owner = p_owner, shared_until = b.shared_until
        WHERE bot_id = p_bot;
        wait_s := 0;
        granted_at := t;
    ELSE
        -- the grant that must leave the window before one more fits
        wait_s := greatest(
            extract(epoch FROM recent[cardinality(recent) - p_room + 1] + span - t)::float8, 0.001);
        granted_at := NULL;
    END IF;
END;
$$;
