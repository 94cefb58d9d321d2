-- The platform locale each chat account last used (Telegram language_code, Discord interaction.locale):
-- what the bot speaks when it writes first (alerts, digests) to someone who never chose with /language.
-- Written only when it changes (the frontends keep the last one seen in memory).
-- depends: 0780_languages

CREATE TABLE chat_locales (
    platform         VARCHAR(10) NOT NULL CHECK (platform IN ('telegram', 'discord')),
    platform_user_id VARCHAR(100) NOT NULL,
    locale           VARCHAR(35) NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, platform_user_id)
);
