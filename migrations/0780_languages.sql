-- The language each chat account chose with /language (else the platform's locale, else English).
-- Per platform identity, so a person who never linked an account can choose too.
-- depends: 0002_bot_tables

CREATE TABLE chat_languages (
    platform         VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    platform_user_id VARCHAR(100) NOT NULL,
    language         VARCHAR(10) NOT NULL CHECK (language IN ('en', 'ru', 'zh')),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, platform_user_id)
);
