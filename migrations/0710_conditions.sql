-- Alert conditions (bot/domain/conditions.py): one alert state machine per node and condition group,
-- per-user switches for every condition in one JSON object, and which watchers have been told about
-- the problems their nodes already had when they started watching.
-- depends: 0650_isolation

-- alert_state: one row per (node, condition group). The group of jailed/offline/unhealthy is
-- 'status'; its values become 'ok' | '<condition>' | '<condition>:warning'.
ALTER TABLE alert_state DROP CONSTRAINT IF EXISTS alert_state_notified_status_check;
ALTER TABLE alert_state DROP CONSTRAINT IF EXISTS alert_state_pending_status_check;
ALTER TABLE alert_state ADD COLUMN condition_group VARCHAR(40) NOT NULL DEFAULT 'status';
ALTER TABLE alert_state ADD COLUMN episode VARCHAR(40);
ALTER TABLE alert_state ALTER COLUMN notified_status TYPE VARCHAR(60);
ALTER TABLE alert_state ALTER COLUMN pending_status TYPE VARCHAR(60);
ALTER TABLE alert_state ALTER COLUMN last_observed_status TYPE VARCHAR(60);
ALTER TABLE alert_state ALTER COLUMN condition_group DROP DEFAULT;
UPDATE alert_state SET notified_status = 'ok' WHERE notified_status = 'healthy';
UPDATE alert_state SET pending_status = 'ok' WHERE pending_status = 'healthy';
UPDATE alert_state SET last_observed_status = 'ok' WHERE last_observed_status = 'healthy';
ALTER TABLE alert_state DROP CONSTRAINT alert_state_pkey;
ALTER TABLE alert_state ADD PRIMARY KEY (node_id, condition_group);
-- the open incidents of a user's nodes (until-resolved mutes end when none is left)
CREATE INDEX idx_alert_state_open ON alert_state (node_id) WHERE incident_id IS NOT NULL;

-- Per-user switches by setting name (bot/domain/conditions.py); a missing key is the table's default.
ALTER TABLE user_alert_settings ADD COLUMN conditions JSONB NOT NULL DEFAULT '{}'::jsonb;
UPDATE user_alert_settings
    SET conditions = jsonb_build_object('jailed', jailed, 'offline', offline, 'unhealthy', unhealthy);

-- Watchers (user, node) told about their node's standing problems when they started watching (a new
-- assignment or a new link). Existing watchers were there before: they count as told.
CREATE TABLE watch_intros (
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    node_id     UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    introduced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, node_id)
);
INSERT INTO watch_intros (user_id, node_id)
SELECT un.user_id, un.node_id FROM user_nodes un JOIN users u ON u.id = un.user_id
WHERE u.telegram IS NOT NULL OR u.discord IS NOT NULL
ON CONFLICT DO NOTHING;
