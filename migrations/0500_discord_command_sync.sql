-- The Discord command tree last synced per application and scope, so a restart with an unchanged tree
-- makes no sync call.
-- depends: 0002_bot_tables

CREATE TABLE discord_command_sync (
    application_id VARCHAR(30) NOT NULL,
    scope          VARCHAR(30) NOT NULL,       -- 'global' or the guild id
    payload_hash   CHAR(64) NOT NULL,          -- SHA-256 of the canonical JSON of the synced tree
    command_count  INTEGER NOT NULL CHECK (command_count >= 0),
    synced_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, scope)
);
