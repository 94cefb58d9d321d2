-- The six core tables shared with the MineGNK portal (the seed tables), in their reviewed form:
-- UUID keys from gen_random_uuid(), TIMESTAMPTZ, DECIMAL(20,8) for GNK.
-- Shared with the portal: never drop or rename a column of these tables in a later migration.

-- gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed (the embedded server
-- ships without pgcrypto).

CREATE OR REPLACE FUNCTION minegnk_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE users (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email               VARCHAR(255) NOT NULL,
    password_hash       VARCHAR(255) NOT NULL,                 -- bcrypt
    name                VARCHAR(255),
    role                VARCHAR(20) NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    telegram            VARCHAR(100),                           -- linked Telegram user id
    discord             VARCHAR(100),                           -- linked Discord user id
    currency_preference VARCHAR(10) NOT NULL DEFAULT 'USD',
    is_active           BOOLEAN NOT NULL DEFAULT true,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_not_blank CHECK (btrim(email) <> '')
);
-- emails are unique case-insensitively; this index also serves lookups by email
CREATE UNIQUE INDEX idx_users_email ON users (lower(email));
CREATE INDEX idx_users_role ON users (role);
-- one platform identity links to at most one portal user
CREATE UNIQUE INDEX idx_users_telegram ON users (telegram) WHERE telegram IS NOT NULL;
CREATE UNIQUE INDEX idx_users_discord ON users (discord) WHERE discord IS NOT NULL;
CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION minegnk_touch_updated_at();

CREATE TABLE nodes (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    identifier        VARCHAR(255) NOT NULL UNIQUE,             -- normalised (see bot.domain.identifiers)
    identifier_type   VARCHAR(50) NOT NULL
                      CHECK (identifier_type IN ('wallet', 'node_id', 'operator', 'validator')),
    display_name      VARCHAR(100),
    gpu_type          VARCHAR(50),
    region            VARCHAR(100),
    gcore_instance_id VARCHAR(255),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- idx_nodes_identifier of the audit is the UNIQUE constraint's index (nodes_identifier_key)
CREATE INDEX idx_nodes_gpu_type ON nodes (gpu_type);

CREATE TABLE user_nodes (
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    node_id     UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    assigned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    assigned_by UUID REFERENCES users (id) ON DELETE SET NULL,  -- the admin who assigned it
    PRIMARY KEY (user_id, node_id)
);
CREATE INDEX idx_user_nodes_user_id ON user_nodes (user_id);
CREATE INDEX idx_user_nodes_node_id ON user_nodes (node_id);

CREATE TABLE node_stats_cache (
    node_id        UUID PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    status         VARCHAR(50)
                   CHECK (status IN ('healthy', 'unhealthy', 'jailed', 'offline', 'unknown')),
    earnings_day   DECIMAL(20, 8),
    earnings_total DECIMAL(20, 8),
    uptime_percent DECIMAL(5, 2) CHECK (uptime_percent BETWEEN 0 AND 100),
    tokens_per_sec DECIMAL(10, 2),
    jobs_day       INTEGER,
    active_model   VARCHAR(255),
    voting_weight  DECIMAL(20, 8),
    source         VARCHAR(50),                                  -- hyperfusion, hashiro, gonka_api
    fetched_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_node_stats_fetched ON node_stats_cache (fetched_at);
CREATE INDEX idx_node_stats_status ON node_stats_cache (status);

CREATE TABLE earnings_history (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    node_id      UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    date         DATE NOT NULL,                                  -- UTC day
    earnings_gnk DECIMAL(20, 8) NOT NULL,
    source       VARCHAR(50),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (node_id, date)
);
CREATE INDEX idx_earnings_node_date ON earnings_history (node_id, date DESC);
CREATE INDEX idx_earnings_date ON earnings_history (date DESC);

CREATE TABLE support_requests (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    -- short number people can type (/request_set 42 approved)
    number       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         VARCHAR(50) NOT NULL DEFAULT 'new_node' CHECK (type IN ('new_node', 'support', 'other')),
    gpu_type     VARCHAR(50),
    quantity     INTEGER CHECK (quantity > 0),
    region       VARCHAR(100),
    budget       VARCHAR(100),
    network      VARCHAR(50) NOT NULL DEFAULT 'gonka',
    comments     TEXT,
    status       VARCHAR(50) NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'in_progress', 'approved', 'completed', 'rejected')),
    admin_notes  TEXT,
    assigned_to  UUID REFERENCES users (id) ON DELETE SET NULL,
    processed_by UUID REFERENCES users (id) ON DELETE SET NULL,
    processed_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_requests_user_id ON support_requests (user_id);
CREATE INDEX idx_requests_status ON support_requests (status);
CREATE INDEX idx_requests_created_at ON support_requests (created_at DESC);
CREATE INDEX idx_requests_assigned_to ON support_requests (assigned_to);
CREATE TRIGGER support_requests_touch_updated_at BEFORE UPDATE ON support_requests
    FOR EACH ROW EXECUTE FUNCTION minegnk_touch_updated_at();
