-- Telegram conversation state (aiogram FSM), shared by every replica in webhook mode.
-- depends: 0002_bot_tables

CREATE TABLE telegram_fsm (
    bot_id     BIGINT NOT NULL,
    chat_id    BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    thread_id  BIGINT NOT NULL DEFAULT 0,
    destiny    VARCHAR(64) NOT NULL DEFAULT 'default',
    state      VARCHAR(200),
    data       JSONB NOT NULL DEFAULT '{}',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, chat_id, user_id, thread_id, destiny)
);
