-- Undo 0800_chat_locales.
DROP TABLE IF EXISTS chat_locales;
