-- Mutes of an admin alert channel: an admin pressing Mute on an alert posted in an admin channel (or
-- typing /mute there) silences that node's alerts (or every node's) in that channel for everyone in
-- it, for a while or until the alert resolves. Who set it is kept (and audited as channel_mute).
-- depends: 0002_bot_tables

CREATE TABLE channel_mutes (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    platform       VARCHAR(20) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    chat_id        VARCHAR(64) NOT NULL,
    node_id        UUID REFERENCES nodes (id) ON DELETE CASCADE,   -- NULL: every node
    until          TIMESTAMPTZ,
    until_resolved BOOLEAN NOT NULL DEFAULT false,
    muted_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    muted_by_name  VARCHAR(200) NOT NULL,                           -- as the channel was told
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (until IS NOT NULL OR until_resolved)
);
CREATE UNIQUE INDEX idx_channel_mutes_target_node
    ON channel_mutes (platform, chat_id, coalesce(node_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX idx_channel_mutes_resolved ON channel_mutes (node_id) WHERE until_resolved;
