-- The bot's own tables: linking, attempts, audit, settings, mutes, routes, alert state, the outbox,
-- delivery targets, source health and the per-epoch earnings ledger.
-- depends: 0001_core_schema

-- Extra fields the trackers give beyond the portal's cache columns (added, never replacing its own).
ALTER TABLE node_stats_cache
    ADD COLUMN status_reason   VARCHAR(100),
    ADD COLUMN epoch_id        BIGINT,
    ADD COLUMN jailed_until    TIMESTAMPTZ,
    ADD COLUMN ready_to_unjail BOOLEAN,
    ADD COLUMN details         JSONB NOT NULL DEFAULT '{}'::jsonb;

-- One-time link codes: only a SHA-256 of the code is stored.
CREATE TABLE link_codes (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash     CHAR(64) NOT NULL UNIQUE,
    created_by    UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ,
    used_platform VARCHAR(10) CHECK (used_platform IN ('telegram', 'discord')),
    used_identity VARCHAR(100),
    CHECK (expires_at > created_at)
);
CREATE INDEX idx_link_codes_user ON link_codes (user_id);

-- Every link attempt (the portal's login_records); failures drive the brute-force limits.
CREATE TABLE login_records (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord', 'cli')),
    platform_user_id VARCHAR(100),
    chat_id          VARCHAR(100),
    email            VARCHAR(255),                       -- lower-cased as typed; NULL for code attempts
    user_id          UUID REFERENCES users (id) ON DELETE SET NULL,
    method           VARCHAR(10) NOT NULL CHECK (method IN ('code', 'password')),
    success          BOOLEAN NOT NULL,
    reason           VARCHAR(50),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_login_records_chat_failed ON login_records (platform, chat_id, created_at DESC)
    WHERE NOT success;
CREATE INDEX idx_login_records_email_failed ON login_records (email, created_at DESC)
    WHERE NOT success;

-- Every admin action and every refused admin attempt (the portal's miner_operation_log).
CREATE TABLE admin_audit_log (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_user_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    platform         VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord', 'cli')),
    platform_user_id VARCHAR(100),
    chat_id          VARCHAR(100),
    action           VARCHAR(50) NOT NULL,
    target           VARCHAR(255),
    details          JSONB NOT NULL DEFAULT '{}'::jsonb,
    outcome          VARCHAR(10) NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_created ON admin_audit_log (created_at DESC);
CREATE INDEX idx_audit_actor ON admin_audit_log (actor_user_id, created_at DESC);

-- Which alert kinds a user wants (a missing row means the defaults).
CREATE TABLE user_alert_settings (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    jailed     BOOLEAN NOT NULL DEFAULT true,
    offline    BOOLEAN NOT NULL DEFAULT true,
    unhealthy  BOOLEAN NOT NULL DEFAULT false,
    recovery   BOOLEAN NOT NULL DEFAULT true,
    reminders  BOOLEAN NOT NULL DEFAULT true,
    requests   BOOLEAN NOT NULL DEFAULT true,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Mutes: one node or all (node_id NULL), for a duration or until the alert resolves.
CREATE TABLE mutes (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    node_id        UUID REFERENCES nodes (id) ON DELETE CASCADE,
    until          TIMESTAMPTZ,
    until_resolved BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (until IS NOT NULL OR until_resolved)
);
CREATE UNIQUE INDEX idx_mutes_user_node
    ON mutes (user_id, coalesce(node_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Group chats / channels that receive alerts: all, admin (node + monitoring alerts) or requests.
CREATE TABLE alert_routes (
    platform   VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    chat_id    VARCHAR(100) NOT NULL,
    scope      VARCHAR(10) NOT NULL CHECK (scope IN ('all', 'admin', 'requests')),
    created_by UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, chat_id)
);

-- Per-node alert state machine, persisted so a restart neither repeats nor loses a transition.
CREATE TABLE alert_state (
    node_id              UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    notified_status      VARCHAR(20) NOT NULL
                         CHECK (notified_status IN ('healthy', 'unhealthy', 'jailed', 'offline')),
    status_since         TIMESTAMPTZ NOT NULL,        -- when notified_status began
    pending_status       VARCHAR(20)
                         CHECK (pending_status IN ('healthy', 'unhealthy', 'jailed', 'offline')),
    pending_count        INTEGER NOT NULL DEFAULT 0 CHECK (pending_count >= 0),
    pending_since        TIMESTAMPTZ,
    last_observed_status VARCHAR(20),
    last_observed_at     TIMESTAMPTZ,
    last_notified_at     TIMESTAMPTZ,
    reminders_sent       INTEGER NOT NULL DEFAULT 0,
    incident_id          UUID,                        -- the open alert that recoveries reply to
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The durable outbox. A row is delivered only after the platform answered OK.
CREATE TABLE notifications (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    platform          VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    target_kind       VARCHAR(10) NOT NULL CHECK (target_kind IN ('user', 'channel')),
    target_id         VARCHAR(100) NOT NULL,
    kind              VARCHAR(30) NOT NULL,
    payload           JSONB NOT NULL,                 -- platform-neutral message (bot.render.Message)
    dedup_key         VARCHAR(255) UNIQUE,            -- idempotency: the same event never enqueues twice
    incident_ids      UUID[] NOT NULL DEFAULT '{}',
    reply_to_incident UUID,
    status            VARCHAR(12) NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'suppressed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by        VARCHAR(100),
    claimed_until     TIMESTAMPTZ,
    last_error        TEXT,
    message_ids       TEXT[],
    detected_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at      TIMESTAMPTZ
);
CREATE INDEX idx_notifications_due ON notifications (platform, next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX idx_notifications_incident ON notifications USING gin (incident_ids);
CREATE INDEX idx_notifications_created ON notifications (created_at DESC);

-- Delivery targets a platform refused (blocked bot, closed DMs) and cached DM channels.
CREATE TABLE delivery_targets (
    platform      VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    target_id     VARCHAR(100) NOT NULL,
    disabled_at   TIMESTAMPTZ,
    reason        TEXT,
    error_code    INTEGER,
    dm_channel_id VARCHAR(100),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, target_id)
);

-- Health of each tracker source across cycles (for the degraded/restored alert).
CREATE TABLE source_health (
    source               VARCHAR(30) PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_ok_at           TIMESTAMPTZ,
    last_failure_at      TIMESTAMPTZ,
    last_error           TEXT,
    degraded             BOOLEAN NOT NULL DEFAULT false,
    degraded_since       TIMESTAMPTZ,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Settled income per node per epoch, in integer ngonka; earnings_total is its sum.
CREATE TABLE node_epoch_earnings (
    node_id       UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    epoch_id      BIGINT NOT NULL,
    income_ngonka NUMERIC(38, 0) NOT NULL CHECK (income_ngonka >= 0),
    source        VARCHAR(50),
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, epoch_id)
);
