-- Quiet hours: a user's nightly window in which non-urgent node notifications are held, then
-- delivered together as one message when it ends (bot.quiet_hours); urgent ones go at once.
-- depends: 0650_isolation

CREATE TABLE user_quiet_hours (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    start_time TIME NOT NULL,
    end_time   TIME NOT NULL CHECK (end_time <> start_time),
    time_zone  VARCHAR(64) NOT NULL,             -- an IANA name PostgreSQL knows (checked on input)
    -- the conditions (bot.domain.conditions) that still go at once inside the window
    urgent     TEXT[] NOT NULL DEFAULT '{jailed,excluded}',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A held notification: the end of the window it waits for (NULL: not held). Its next_attempt_at is a
-- little later, so the folding step takes it first and a missed fold still delivers it on its own.
ALTER TABLE notifications ADD COLUMN held_until TIMESTAMPTZ;
-- the alert conditions a node notification is about (what the user's urgent list is matched against)
ALTER TABLE notifications ADD COLUMN conditions TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX idx_notifications_held ON notifications (held_until)
    WHERE held_until IS NOT NULL AND status = 'pending';

-- When the quiet window of the user behind a chat ends, if `at` falls inside it and none of the
-- notification's conditions is one the user marked urgent; else NULL. A window may cross midnight
-- (23:00-07:00); times are the user's local time in their zone.
CREATE FUNCTION minegnk_quiet_until(p_platform TEXT, p_target TEXT, p_at TIMESTAMPTZ, p_conditions TEXT[])
RETURNS TIMESTAMPTZ LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN q.start_time < q.end_time AND l.t >= q.start_time AND l.t < q.end_time
            THEN (l.d + q.end_time) AT TIME ZONE q.time_zone
        WHEN q.start_time > q.end_time AND l.t >= q.start_time
            THEN (l.d + 1 + q.end_time) AT TIME ZONE q.time_zone
        WHEN q.start_time > q.end_time AND l.t < q.end_time
            THEN (l.d + q.end_time) AT TIME ZONE q.time_zone
        END
    FROM users u
    JOIN user_quiet_hours q ON q.user_id = u.id
    CROSS JOIN LATERAL (SELECT (p_at AT TIME ZONE q.time_zone)::time AS t,
                               (p_at AT TIME ZONE q.time_zone)::date AS d) AS l
    WHERE ((p_platform = 'telegram' AND u.telegram = p_target)
           OR (p_platform = 'discord' AND u.discord = p_target))
      AND NOT (q.urgent && p_conditions)
    LIMIT 1
$$;
